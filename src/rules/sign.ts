/** Sign-symmetry: the backward sweep uses the signs of the forward weights, not their magnitudes.
 *  δ_L = e ⊙ f'(a_L),  δ_l = (δ_{l+1} · F_{l+1}) ⊙ f'(a_l),  dW_l = δ_lᵀ · pre_l / batch, with F_l refreshed
 *  from the current W_l every step in one of the three variants of biotorch (Sanfiz & Akrout 2021,
 *  arXiv:2108.13446; after Liao, Leibo & Poggio 2016, AAAI):
 *    usf   F = s · sign(W)                      (uniform sign-concordant feedback; Liao et al.)
 *    frsf  F = |M| ⊙ sign(W), M drawn once      (fixed random magnitudes)
 *    brsf  F = |M| ⊙ sign(W), M redrawn per batch (batchwise random magnitudes)
 *  s is the RMS feedback magnitude: 'auto' = √(2/(n_in + n_out)) (biotorch's Xavier std); |M| ~ U(0, √3·s),
 *  i.e. |Xavier-uniform| for 'auto'. Option `manhattan`: Batch Manhattan, dW ← sign(dW), db ← sign(db)
 *  (Liao et al.; then the optimiser steps W by lr·sign of the batch gradient).
 *  Liao, Leibo & Poggio 2016, AAAI (arXiv:1510.05067); Xiao, Chen, Liao & Poggio 2018 (arXiv:1811.03567).
 *  Objections:
 *  - weightTransport: partly removed. Only the sign of each forward weight travels back, not its magnitude.
 *  - derivativeTransport: kept. δ_{l+1} holds f'(a_{l+1}) when it is sent down.
 *  - linearFeedback: kept. Signed linear error feedback.
 *  - spiking: kept as a rule (it is defined on rates), but it runs on spiking networks (--spiking: LIF
 *    neurons, Poisson input; teach/update read only W, pre, deriv, delta, error, which are firing rates and
 *    surrogate derivatives there, as for fa).
 *  - timing: kept. A layer-by-layer backward sweep after the forward pass.
 *  - target: kept. Needs the labelled output error. */
import type { Tensor } from '../core/tensor.js';
import { defineRule } from './types.js';
import { chain, localGrads } from './shared/common.js';
import { oneOfParam, scaleParam } from './shared/feedback.js';
import { rateRuleParts, RATE_RULE_WINDOW } from './shared/spiking.js';
import type { WasmRng } from '../wasm/rng.js';
import { fans } from '../net/network.js';

export type SignVariant = 'usf' | 'frsf' | 'brsf';
export const SIGN_VARIANTS: readonly SignVariant[] = ['usf', 'frsf', 'brsf'];

export interface SignParams {
  variant: SignVariant;
  /** RMS feedback magnitude s, or 'auto' (Xavier std √(2/(n_in + n_out)) per layer). */
  scale: number | 'auto';
  /** Batch Manhattan: step along the sign of each gradient entry. */
  manhattan: boolean;
}

export interface SignState {
  variant: SignVariant;
  /** Per-layer s (usf) or the half-width √3·s of |M| (frsf/brsf). */
  s: number[];
  /** F_l, refreshed from W_l before every backward sweep ([n_l, n_{l−1}]). */
  F: Tensor[];
  /** |M_l| for frsf/brsf (drawn once; brsf redraws each batch), else empty. */
  M: Tensor[];
  /** brsf's generator of the redraws (state in the workspace). */
  rng: WasmRng | null;
}

export const sign = defineRule<SignParams, SignState>({
  id: 'sign',
  title: 'Sign-symmetry (uSF / frSF / brSF, Batch Manhattan)',
  cite: 'Liao, Leibo & Poggio 2016, AAAI (arXiv:1510.05067)',
  objections: { removes: [], partly: ['weightTransport'] },
  spiking: {
    // On a SpikingNetwork (--spiking): fa's step (Adam 5e-3), and 10 epochs as for superspike and erbp,
    // since a spiking epoch costs many rate epochs.
    train: { lr: 5e-3, epochs: 10 },
    sim: RATE_RULE_WINDOW,
    parts: rateRuleParts('Rate-coded: the error travels down through sign(W) times fixed, per-batch or uniform magnitudes as a graded signal, not as spikes.'),
  },
  defaults: { variant: 'usf', scale: 'auto', manhattan: false },
  // On a convolution F is a kernel shaped like W, its Xavier scale from the kernel's fans (torch's count).
  conv: true,
  // LeNet-style networks: a five times larger Adam step. At the dense step the kernels are still far from
  // their solution when the cosine decay ends; sign-concordant feedback points W's updates close enough
  // to backprop's (Liao, Leibo & Poggio 2016; Xiao et al. 2018) for the larger step to stay stable
  // (docs/measurements.md).
  convDefaults: { train: { lr: 5e-3 } },
  // Adam 1e-3 like the rest of the family (docs/measurements.md).
  train: { optimizer: 'adam', lr: 0.001, momentum: 0, weightDecay: 0, schedule: 'cosine', activation: 'relu', init: 'he', epochs: 20, batch: 100, hidden: [256, 256, 256] },
  init(net, p, ws, rng) {
    const variant = oneOfParam('sign', 'variant', p.variant, SIGN_VARIANTS);
    if (typeof p.manhattan !== 'boolean') throw new Error(`sign: parameter manhattan must be true or false, got ${JSON.stringify(p.manhattan)}`);
    const s = net.layers.map((l) => {
      const [fanIn, fanOut] = fans(l);
      const rmsS = scaleParam('sign', 'scale', p.scale, Math.sqrt(2 / (fanIn + fanOut)));
      return variant === 'usf' ? rmsS : Math.sqrt(3) * rmsS;
    });
    const F = net.layers.map((l) => ws.f32(l.W.shape));
    let M: Tensor[] = [], mRng: WasmRng | null = null;
    if (variant !== 'usf') {
      mRng = net.lib.rngIn(ws.f32([4]), rng.nextU32() | 0);
      M = net.layers.map((l) => ws.f32(l.W.shape));
      drawMagnitudes(mRng, s, M);
    }
    return { variant, s, F, M, rng: mRng };
  },
  teach(ctx, st) {
    const lib = ctx.net.lib, layers = ctx.net.layers;
    if (st.variant === 'brsf') drawMagnitudes(st.rng!, st.s, st.M);
    // Layer 0's feedback is never used: nothing lies below it.
    for (let l = 1; l < layers.length; l++) {
      const W = layers[l]!.W, F = st.F[l]!;
      if (st.variant === 'usf') lib.signScale(F, W, st.s[l]!);
      else {
        lib.signScale(F, W, 1);
        lib.mul(F, F, st.M[l]!);
      }
    }
    chain(ctx, (l) => st.F[l]!);
  },
  update(ctx, _s, p) {
    localGrads(ctx);
    if (p.manhattan) {
      const net = ctx.net, lib = net.lib;
      for (const l of net.layers) {
        lib.signScale(l.dW, l.dW, 1);
        if (net.bias) lib.signScale(l.db, l.db, 1);
      }
    }
  },
  alignment: { feedback: (s, l) => (l + 1 < s.F.length ? { matrix: s.F[l + 1]!, from: 'above' } : null) },
});

/** |M_l| ~ U(0, halfWidth_l) for every layer but the first (whose feedback is never used). */
function drawMagnitudes(rng: WasmRng, half: number[], M: Tensor[]): void {
  for (let l = 1; l < M.length; l++) rng.uniform(M[l]!, 0, half[l]!);
}
