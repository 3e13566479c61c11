/** Kickback: a global error times each unit's "kick", the summed weight of its outgoing synapses onto
 *  active units. Balduzzi, Vanchinathan & Buhmann 2015, AAAI 29 (arXiv:1411.6191).
 *
 *  Rectifier units, output layer H, e = ∂L/∂a_H (per example).
 *    δ_H     = e                                            (output layer: delta rule)
 *    δ_{H−1} = (e · W_H) ⊙ f'_{H−1}                         (units feeding the output: their own
 *                                                            outgoing weights times the output errors)
 *    β       = (1/n_{H−1}) Σ_k p_k δ_{H−1,k}                (one global scalar per example, broadcast)
 *    κ_l     = (1[h_{l+1} > 0] ⊙ p_{l+1}) · W_{l+1}   (κ_j = Σ_k p_k w_kj 1[k active] = p_j Σ_k |w_kj| 1[k active]:
 *                                                the kick, no recursion)
 *    δ_l     = β κ_l ⊙ f'_l,  l = H−2 … 0
 *    dW_l    = δ_lᵀ h_{l−1} / batch
 *  p_j = ±1 is unit j's polarity (even-indexed units +1, odd −1, in every hidden layer): the paper's
 *  positive and negative rectifiers, written as ordinary ReLUs (a negative rectifier min(0, a) is
 *  −relu(−a): flip its incoming and outgoing weights). With one output (the paper's scalar regression)
 *  β = e·Σ_k |w_k| f'_k, the paper's global error times a positive per-example gain, and δ_{H−1} is the paper's rule for the top layer. With C > 1 outputs
 *  (classification), the top layer reads all C output errors through its own outgoing weights and β sums
 *  its signals: this multi-class form is bioprop's extension; the paper has no classification results.
 *
 *  Constraints (coherence, the paper's sufficient condition for following the gradient's sign): hidden
 *  units are rectifiers (relu: f' ∈ {0, 1}, so "active" is defined), and every weight between hidden
 *  layers has the sign p_k p_j of its two units' polarities (also the output weights, sign p_j, when
 *  there is a single output). Then unit j's influence on the output has sign p_j, every backprop signal
 *  δ_j has the sign of (global error)·p_j, and so has the kick (tests/rules/kickback.test.ts). init
 *  throws on a non-rectifier layer; the sign constraint is set at init (W ← S ⊙ |W|, S the sign
 *  pattern) and kept by projection (W ← S ⊙ max(S ⊙ W, 0)) before every forward pass (`coherent:
 *  false` turns the constraint off, an ablation without the guarantee).
 *
 *  Objections (the six objections of Hunsberger 2018, PhD thesis, ch. "Biological deep learning"):
 *    weightTransport     partly: a unit reads the sum of its own outgoing weights onto active units.
 *    derivativeTransport removed: only the next layer's active/inactive state, no derivative values.
 *    linearFeedback      removed: a scalar global error (neuromodulator-like), no signed error vector
 *                        below the top hidden layer.
 *    timing              partly: no layer-by-layer backward sweep; the global scalar must still arrive.
 *    spiking, target     not removed (kickback is defined on rates; it runs on spiking networks, below).
 *
 *  Spiking form (--spiking): the same teach on a SpikingNetwork. "Active" is "spiked in the window"
 *  (firing rate > 0), for the kick and for a unit's own f' alike, and h are firing rates. A LIF driven at
 *  J = v_th + a is a rectifier of a (silent for a <= 0), so 1[spiked] is its ReLU derivative; the mean
 *  surrogate would hand graded derivatives back to the rule (which has none) and move the weights of units
 *  that were silent and so had no effect on the output. Coherence still gives every δ_j the sign of
 *  (global error)·p_j. */
import { defineRule, type StepContext } from './types.js';
import { outputDelta, localGrads } from './shared/common.js';
import type { Network } from '../net/network.js';
import { SpikingNetwork } from '../net/spiking.js';
import type { Tensor } from '../core/tensor.js';
import { rateRuleParts, RATE_RULE_WINDOW } from './shared/spiking.js';

export interface KickbackParams {
  /** Keep the coherence sign constraint (set at init, projected before each forward pass). */
  coherent: boolean;
}

export interface KickbackState {
  /** Polarity of each unit of hidden layer l, replicated over the batch rows [batch, n_l]. */
  P: Tensor[];
  /** Polarity of the top hidden layer as a column [n_{H−1}, 1]. */
  pcol: Tensor;
  beta: Tensor; // [batch, 1]
  /** On a SpikingNetwork, each hidden layer's f': 1 where the unit spiked in the window, else 0 (null on a rate net). */
  active: Tensor[] | null;
  /** Sign pattern S [out, in] per constrained layer (null where unconstrained). */
  S: (Tensor | null)[];
  mask: Tensor;
}

const BIG = 3.0e38;

/** Polarity of unit j of a hidden layer: +1 for even j, −1 for odd j. */
export const polarity = (j: number): number => (j % 2 === 0 ? 1 : -1);

/** Layers whose weights coherence constrains: hidden→hidden, and hidden→output with one output. */
export function constrainedLayers(net: Network): number[] {
  const H = net.layers.length - 1, out: number[] = [];
  for (let l = 1; l < H; l++) out.push(l);
  if (H >= 1 && net.classes === 1) out.push(H);
  return out;
}

/** W ← S ⊙ max(S ⊙ W, 0): zero the weights whose sign breaks coherence. */
function project(net: Network, s: KickbackState): void {
  const lib = net.lib;
  for (let l = 0; l < s.S.length; l++) {
    const S = s.S[l];
    if (!S) continue;
    const W = net.layers[l]!.W;
    lib.mul(W, S, W);
    lib.clip(W, W, 0, BIG);
    lib.mul(W, S, W);
  }
}

/** Kickback's teaching signals (see the header). */
export function kickbackTeach(ctx: StepContext, s: KickbackState): void {
  const { net, rows } = ctx;
  const lib = net.lib, L = net.layers, H = L.length - 1;
  outputDelta(ctx);
  if (H === 0) return;
  if (s.active) for (let l = 0; l < H; l++) lib.signScale(s.active[l]!.head(rows), L[l]!.post.head(rows), 1);
  const fp = (l: number) => (s.active ? s.active[l]! : L[l]!.deriv).head(rows);
  const top = L[H - 1]!, out = L[H]!;
  lib.gemm(top.delta.head(rows), net.error.head(rows), out.W, 'nn');
  lib.mul(top.delta.head(rows), top.delta.head(rows), fp(H - 1));
  if (H === 1) return;
  lib.gemm(s.beta.head(rows), top.delta.head(rows), s.pcol, 'nn', 1 / top.outSize, 0);
  for (let l = H - 2; l >= 0; l--) {
    const cur = L[l]!, up = L[l + 1]!, m = up.outSize;
    // κ = (1[h_{l+1} > 0] ⊙ p_{l+1}) · W_{l+1}  (mask: scratch [batch, max n]). For rectifiers
    // 1[h > 0] = f'(a) exactly; on spiking neurons it says which units above spiked in the window, so the
    // kick stays a sum of weights onto active units rather than reading graded surrogate derivatives.
    const mask = s.mask.matrix(rows, m);
    lib.signScale(mask, up.post.head(rows), 1);
    lib.mul(mask, mask, s.P[l + 1]!.head(rows));
    lib.gemm(cur.delta.head(rows), mask, up.W, 'nn');
    const beta = s.beta.data;
    for (let r = 0; r < rows; r++) lib.scal(cur.delta.row(r), beta[r]!);
    lib.mul(cur.delta.head(rows), cur.delta.head(rows), fp(l));
  }
}

export const kickback = defineRule<KickbackParams, KickbackState>({
  id: 'kickback',
  title: 'Kickback',
  cite: 'Balduzzi, Vanchinathan & Buhmann 2015, AAAI 29 (arXiv:1411.6191)',
  noConv: "its kick sums each unit's outgoing weights onto active units of a dense layer (Balduzzi et al. 2015 define it for dense rectifier networks)",
  objections: { removes: ['derivativeTransport', 'linearFeedback'], partly: ['weightTransport', 'timing'] },
  spiking: {
    // On a SpikingNetwork (--spiking): fa's step (Adam 5e-3), and 10 epochs as for superspike and erbp,
    // since a spiking epoch costs many rate epochs.
    train: { lr: 5e-3, epochs: 10 },
    sim: RATE_RULE_WINDOW,
    parts: rateRuleParts(
      "Graded: the top hidden layer reads the output errors through its own outgoing weights; below it one global scalar per example times each unit's kick, its summed weights onto the units above that spiked in the window.",
      {
        error: 'Graded: softmax of the readout minus the label, once per window; below the top hidden layer only a global scalar of it per example.',
        update: 'Once per window, from hidden firing rates; a unit learns only if it spiked in the window (its f\' is 1[spiked], no surrogate values).',
      },
    ),
  },
  defaults: { coherent: true },
  // ReLU (required). Adam: with backprop's SGD recipe (lr 0.05, momentum 0.9) the sign-constrained
  // layers die within an epoch (all units inactive).
  train: { optimizer: 'adam', lr: 0.001, momentum: 0, weightDecay: 0, schedule: 'cosine', activation: 'relu', init: 'he', epochs: 20, batch: 100, hidden: [256, 256, 256] },
  init: (net, p) => {
    const L = net.layers, H = L.length - 1, B = net.batch;
    for (let l = 0; l < H; l++) {
      const a = L[l]!.act.name;
      if (a !== 'relu') {
        throw new Error(`kickback: hidden layer ${l} uses '${a}', expected 'relu': Kickback's coherence needs rectifier units (f' in {0, 1}, so a unit is either active or not)`);
      }
    }
    const P = L.map((l, i) => {
      const t = net.ws.f32([B, l.outSize]);
      if (i < H) { const d = t.data; for (let r = 0; r < B; r++) for (let j = 0; j < l.outSize; j++) d[r * l.outSize + j] = polarity(j); }
      return t;
    });
    const topN = H >= 1 ? L[H - 1]!.outSize : 1;
    const pcol = net.ws.f32([topN, 1]);
    { const d = pcol.data; for (let j = 0; j < topN; j++) d[j] = polarity(j); }
    const S: (Tensor | null)[] = L.map(() => null);
    if (p.coherent) {
      for (const l of constrainedLayers(net)) {
        const layer = L[l]!, t = net.ws.f32([layer.outSize, layer.inSize]);
        const sd = t.data, w = layer.W.data, out = l === H ? 1 : 0;
        for (let i = 0; i < layer.outSize; i++) {
          for (let j = 0; j < layer.inSize; j++) {
            const sg = (out ? 1 : polarity(i)) * polarity(j);
            sd[i * layer.inSize + j] = sg;
            w[i * layer.inSize + j] = sg * Math.abs(w[i * layer.inSize + j]!);
          }
        }
        S[l] = t;
      }
    }
    const maxN = Math.max(...L.map((l) => l.outSize));
    const active = net instanceof SpikingNetwork ? L.slice(0, H).map((l) => net.ws.f32([B, l.outSize])) : null;
    return { P, pcol, beta: net.ws.f32([B, 1]), active, S, mask: net.ws.f32([B, maxN]) };
  },
  forward: (ctx, s) => {
    project(ctx.net, s);
    ctx.net.forward(ctx.rows);
  },
  teach: (ctx, s) => kickbackTeach(ctx, s),
  update: (ctx) => localGrads(ctx),
});
