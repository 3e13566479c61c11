/** GAIT-prop: gradient-adjusted incremental target propagation.
 *  Ahmad, van Gerven & Ambrogioni 2020, NeurIPS 33 (arXiv:2006.06438).
 *
 *  Work in differences Δ_l = t_l − h_l (target minus activity, post-activation space), never in the
 *  targets themselves: with γ small, t − h is far below the f32 resolution of h, so forming t and
 *  subtracting h would cancel. Output layer H is linear with the softmax cross-entropy, e = ∂L/∂a_H.
 *    Δ_H = −e,  s_H = 1,  δ_H = e
 *    for l = H … 1:
 *      d_l     = γ f'(a_l)² ⊙ Δ_l                         (incremental target, gain ∝ f'²)
 *      q_l     = f⁻¹(h_l + d_l) − a_l                      (exact inverse of the nonlinearity, stable form)
 *      Δ_{l−1} = W_l⁺ q_l                                  (inverse of the linear map, see below)
 *      s_{l−1} = s_l / γ,  δ_{l−1} = −s_{l−1} Δ_{l−1} ⊙ f'(a_{l−1})
 *    dW_l = δ_lᵀ h_{l−1} / batch + 4λ (W_l W_lᵀ − diag) W_l   (the off-diagonal orthogonality penalty
 *           λ Σ_{i≠j} (W_l W_lᵀ)²_ij, on every layer whose inverse is used)
 *  To first order q_l = γ f' ⊙ Δ_l, so δ_{l−1} = (δ_l (W_l⁺)ᵀ) ⊙ f' : backprop exactly when W_l⁺ = W_lᵀ
 *  (orthogonal rows), the equivalence the paper proves; tests/rules/gaitprop.test.ts checks it.
 *
 *  The inverse. The reference code inverts every 784×784 matrix after every minibatch (O(n³) per layer
 *  per batch: ~5·10⁸ flops per 784-wide layer and batch). Here W⁺q is solved, never formed: with D the
 *  diagonal of W Wᵀ (squared row norms), Jacobi-preconditioned Richardson on the normal equations,
 *    x₀ = q D⁻¹ W,   x ← x + (q − x Wᵀ) D⁻¹ W   (`solveIters` times),
 *  two GEMMs of the forward pass's size per iteration. x stays in W's row space, so the fixed point is
 *  the exact minimum-norm solution W⁺q (W⁻¹q for square W); the error contracts by ρ(I − D⁻¹WWᵀ) per
 *  iteration, which the orthogonality penalty keeps small (0 for orthogonal rows: x₀ is already exact).
 *  Layers above the first must not widen (n_l ≤ n_{l−1}), or W⁺ is not an inverse: init throws.
 *  Invertible activations only: leakyRelu (paper: slope 0.1; bioprop's default slope 0.01), tanh, linear.
 *
 *  Objections (the six objections of Hunsberger 2018, PhD thesis, ch. "Biological deep learning"):
 *    weightTransport     not removed: the inverse is computed from W (the paper uses an exact inverse too).
 *    derivativeTransport partly: the gain γ f'² and f⁻¹ of a layer are its own, but the target differences
 *                        carry the layers above.
 *    linearFeedback      removed: targets travel through f⁻¹ (nonlinear) and are activity states.
 *    spiking             not removed as a rule, but it runs on spiking networks (--spiking): the targets are
 *                        computed from the window's rates, q_l taken to first order, γ f'_l ⊙ Δ_l, with the
 *                        mean surrogate as f' (a LIF rate has no exact inverse).
 *    target              not removed.
 *    timing              partly: targets are small perturbations of the forward state. */
import { defineRule, type StepContext } from './types.js';
import { outputDelta, localGrads } from './shared/common.js';
import type { Tensor } from '../core/tensor.js';
import type { Network } from '../net/network.js';
import { INVERSE_KERNELS } from '../backend.js';
import { SpikingNetwork } from '../net/spiking.js';
import { RATE_RULE_WINDOW } from './shared/spiking.js';

export interface GaitParams {
  /** γ: the incremental-target gain (paper: 1e-3). */
  gamma: number;
  /** λ of the orthogonality penalty (paper: 0.1). */
  ortho: number;
  /** Richardson iterations of the W⁺q solve after its warm start (0 = one preconditioned Wᵀ product). */
  solveIters: number;
  /** Replace each inverted W_l by an orthonormal-rows matrix at init (the paper's orthogonal init). */
  orthoInit: boolean;
  /** Row norm of that init (1 = orthonormal; √2 keeps a leaky-ReLU net's activity scale, like He init). */
  orthoGain: number;
}

interface GaitLayer {
  /** D⁻¹W, rebuilt from W each step [out, in]. */
  Ws: Tensor;
  /** Scratch [out, out] for W Wᵀ. */
  M: Tensor;
}

export interface GaitState {
  inv: (GaitLayer | null)[];
  /** Δ_l per layer [batch, n_l] (post space), q_l [batch, n_l], residual [batch, n_l]. */
  diff: Tensor[];
  q: Tensor[];
  res: Tensor[];
  /** On a SpikingNetwork: the layers' rates have no exact inverse, q is taken to first order. */
  spiking: boolean;
}

const INVERTIBLE: readonly string[] = Object.keys(INVERSE_KERNELS);

/** Modified Gram–Schmidt on the rows of W [out, in] (out ≤ in), in float64: orthonormal rows. */
export function orthonormalRows(W: Tensor, gain = 1): void {
  const [out, inp] = [W.shape[0]!, W.shape[1]!];
  const w = Float64Array.from(W.data);
  for (let i = 0; i < out; i++) {
    const ri = i * inp;
    for (let j = 0; j < i; j++) {
      const rj = j * inp;
      let d = 0;
      for (let c = 0; c < inp; c++) d += w[ri + c]! * w[rj + c]!;
      for (let c = 0; c < inp; c++) w[ri + c]! -= d * w[rj + c]!;
    }
    let n = 0;
    for (let c = 0; c < inp; c++) n += w[ri + c]! * w[ri + c]!;
    const s = gain / Math.sqrt(n);
    for (let c = 0; c < inp; c++) w[ri + c]! *= s;
  }
  W.set(Float32Array.from(w));
}

/** Rebuilds Ws = D⁻¹W, D_ii = ‖W_i‖² (one dot product and one scaled copy per row). */
function precondition(net: Network, W: Tensor, Ws: Tensor): void {
  const lib = net.lib, out = W.shape[0]!;
  for (let i = 0; i < out; i++) {
    const Wi = W.row(i), d = lib.dot(Wi, Wi);
    lib.scaleAdd(Ws.row(i), d > 0 ? 1 / d : 0, Wi, 0, Wi);
  }
}

/** x [rows, in] ← W⁺ q for q [rows, out] (row form: x Wᵀ = q), by preconditioned Richardson. */
export function solveRows(net: Network, rows: number, W: Tensor, Ws: Tensor, q: Tensor, x: Tensor, res: Tensor, iters: number): void {
  const lib = net.lib, qr = q.head(rows), xr = x.head(rows), rr = res.head(rows);
  lib.gemm(xr, qr, Ws, 'nn');
  for (let t = 0; t < iters; t++) {
    lib.copy(rr, qr);
    lib.gemm(rr, xr, W, 'nt', -1, 1);
    lib.gemm(xr, rr, Ws, 'nn', 1, 1);
  }
}

/** GAIT-prop teaching signals for every layer (see the header). */
export function gaitTeach(ctx: StepContext, s: GaitState, p: GaitParams): void {
  const { net, rows } = ctx;
  const lib = net.lib, L = net.layers, H = L.length - 1;
  outputDelta(ctx);
  // Δ_H = −e
  const e = net.error.head(rows);
  lib.scaleAdd(s.diff[H]!.head(rows), -1, e, 0, e);
  let scale = 1;
  for (let l = H; l >= 1; l--) {
    const cur = L[l]!, low = L[l - 1]!;
    const q = s.q[l]!, qr = q.head(rows), deriv = cur.deriv.head(rows);
    if (s.spiking) {
      // A LIF layer's rate has no closed-form inverse: to first order f⁻¹(h + d) − a = d / f' = γ f' ⊙ Δ,
      // with f' the layer's mean surrogate (the pseudo-derivative of its rate)
      lib.scal(lib.mul(qr, deriv, s.diff[l]!.head(rows)), p.gamma);
    } else {
      // d = γ f'² ⊙ Δ (into q as scratch), then q = f⁻¹(h + d) − a in place over d (cancellation-free
      // forms: assembly/ops/inverse.ts)
      lib.scal(lib.mul(qr, lib.mul(qr, deriv, deriv), s.diff[l]!.head(rows)), p.gamma);
      lib.inverse(cur.act, qr, cur.a.head(rows), cur.post.head(rows), qr);
    }
    const g = s.inv[l]!;
    precondition(net, cur.W, g.Ws);
    solveRows(net, rows, cur.W, g.Ws, q, s.diff[l - 1]!, s.res[l]!, p.solveIters);
    scale /= p.gamma;
    // δ_{l−1} = −s Δ_{l−1} ⊙ f'
    lib.scal(lib.mul(low.delta.head(rows), s.diff[l - 1]!.head(rows), low.deriv.head(rows)), -scale);
  }
}

/** dW += 4λ (W Wᵀ − diag(W Wᵀ)) W for every inverted layer. */
function orthoGrads(net: Network, s: GaitState, lambda: number): void {
  const lib = net.lib;
  for (let l = 1; l < net.layers.length; l++) {
    const L = net.layers[l]!, g = s.inv[l]!, out = L.outSize;
    lib.gemm(g.M, L.W, L.W, 'nt');
    const M = g.M.data;
    for (let i = 0; i < out; i++) M[i * out + i] = 0;
    lib.gemm(L.dW, g.M, L.W, 'nn', 4 * lambda, 1);
  }
}

export const gaitprop = defineRule<GaitParams, GaitState>({
  id: 'gaitprop',
  title: 'GAIT-prop (gradient-adjusted incremental target propagation)',
  cite: 'Ahmad, van Gerven & Ambrogioni 2020, NeurIPS 33 (arXiv:2006.06438)',
  noConv: 'it needs each layer to be invertible (Ahmad, van Gerven & Ambrogioni 2020: square layers of equal width), which a convolution with pooling is not',
  objections: { removes: ['linearFeedback'], partly: ['derivativeTransport', 'timing'] },
  spiking: {
    // On a SpikingNetwork (--spiking) the targets are computed from the window's firing rates and mean
    // surrogates; Adam (as fa's and dfa's spiking forms): the surrogate-scaled signals are smaller and
    // uneven across layers.
    train: { optimizer: 'adam', lr: 5e-3, momentum: 0 },
    // dfa's window (src/rules/dfa.ts): 100 steps at up to 200 Hz.
    sim: RATE_RULE_WINDOW,
    parts: {
      forward: 'LIF spikes from Poisson input; a leaky membrane readout of the last hidden layer gives the output.',
      feedback: 'Rate-coded: incremental targets travel down as graded rate differences through the solve for W⁺ (linearised: a LIF rate has no exact inverse, so the mean surrogate stands for f\'), once per window.',
      error: 'Graded: softmax of the readout minus the label, once per window; it is the top target\'s increment.',
      update: 'Once per window, from each layer\'s target-minus-rate difference times its mean surrogate and the presynaptic firing rates (rates, not spike times).',
    },
  },
  defaults: { gamma: 1e-3, ortho: 0, solveIters: 2, orthoInit: true, orthoGain: Math.SQRT2 },
  // Leaky ReLU (invertible), orthogonal init of the inverted layers with He's gain √2, and backprop's SGD
  // recipe. The orthogonality penalty is off by default: it slowed training on MNIST (docs/measurements.md);
  // --param ortho=0.1 is the paper's setting.
  train: { optimizer: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0, schedule: 'cosine', activation: 'leakyRelu', init: 'he', epochs: 20, batch: 100, hidden: [256, 256, 256] },
  init: (net, p) => {
    if (!(p.gamma > 0 && p.gamma <= 1)) throw new Error(`gaitprop: gamma must be in (0, 1], got ${p.gamma}`);
    if (!(p.ortho >= 0) || !Number.isFinite(p.ortho)) throw new Error(`gaitprop: ortho must be a finite number >= 0, got ${p.ortho}`);
    if (!Number.isInteger(p.solveIters) || p.solveIters < 0) throw new Error(`gaitprop: solveIters must be an integer >= 0, got ${p.solveIters}`);
    const L = net.layers, B = net.batch;
    for (let l = 0; l < L.length; l++) {
      const a = L[l]!.act.name;
      if (!INVERTIBLE.includes(a)) throw new Error(`gaitprop: layer ${l} uses '${a}', which has no inverse (expected one of ${INVERTIBLE.join(', ')})`);
      if (l >= 1 && L[l]!.outSize > L[l]!.inSize) {
        throw new Error(`gaitprop: layer ${l} widens ${L[l]!.inSize} → ${L[l]!.outSize}; layers above the first must not widen (n_l <= n_{l-1}) or they have no inverse`);
      }
    }
    const inv = L.map((l, i) => (i === 0 ? null : { Ws: net.ws.f32([l.outSize, l.inSize]), M: net.ws.f32([l.outSize, l.outSize]) }));
    if (p.orthoInit) for (let l = 1; l < L.length; l++) orthonormalRows(L[l]!.W, p.orthoGain);
    return {
      inv,
      diff: L.map((l) => net.ws.f32([B, l.outSize])),
      q: L.map((l) => net.ws.f32([B, l.outSize])),
      res: L.map((l) => net.ws.f32([B, l.outSize])),
      spiking: net instanceof SpikingNetwork,
    };
  },
  teach: gaitTeach,
  update: (ctx, s, p) => {
    localGrads(ctx);
    if (p.ortho > 0) orthoGrads(ctx.net, s, p.ortho);
  },
});

