// Pieces shared by the rules:
//   chain:  δ_L = e ⊙ f'_L,  δ_l = (δ_{l+1} · F_{l+1}) ⊙ f'_l      (BP: F = W; FA: F = B; sign: sign(W)·s)
//   direct: δ_L = e ⊙ f'_L,  δ_l = (e · B_l) ⊙ f'_l                 (DFA)
//   localGrads: dW_l = δ_lᵀ · pre_l / rows,  db_l = Σ_rows δ_l / rows   (mean over the batch)
import type { Tensor } from '../../core/tensor.js';
import type { StepContext } from '../types.js';

/** Output teaching signal δ_L = e ⊙ f'(a_L). */
export function outputDelta(ctx: StepContext): void {
  const { net, rows } = ctx;
  const L = net.output;
  net.k.f32_mul(rows * L.outSize, net.error.ptr, L.deriv.ptr, L.delta.ptr);
}

/**
 * Layer-by-layer backward sweep through feedback matrices: feedbackOf(l) returns the [n_l, n_{l−1}]
 * matrix that carries δ_l down to layer l−1 (W_l itself for backprop).
 */
export function chain(ctx: StepContext, feedbackOf: (l: number) => Tensor): void {
  const { net, rows } = ctx;
  const k = net.k, layers = net.layers;
  outputDelta(ctx);
  for (let l = layers.length - 2; l >= 0; l--) {
    const cur = layers[l]!, up = layers[l + 1]!;
    const F = feedbackOf(l + 1);
    k.f32_gemm_nn(rows, cur.outSize, up.outSize, 1, 0, up.delta.ptr, F.ptr, cur.delta.ptr);
    k.f32_mul(rows * cur.outSize, cur.delta.ptr, cur.deriv.ptr, cur.delta.ptr);
  }
}

/** Direct feedback: every hidden layer l gets e · B_l (B_l is [classes, n_l]) times its own f'. */
export function direct(ctx: StepContext, feedbackOf: (l: number) => Tensor): void {
  const { net, rows } = ctx;
  const k = net.k, layers = net.layers, C = net.classes;
  outputDelta(ctx);
  for (let l = layers.length - 2; l >= 0; l--) {
    const cur = layers[l]!;
    k.f32_gemm_nn(rows, cur.outSize, C, 1, 0, net.error.ptr, feedbackOf(l).ptr, cur.delta.ptr);
    k.f32_mul(rows * cur.outSize, cur.delta.ptr, cur.deriv.ptr, cur.delta.ptr);
  }
}

/** Gradient estimates from each layer's own δ and presynaptic activity (mean over rows). */
export function localGrads(ctx: StepContext): void {
  const { net, rows } = ctx;
  const k = net.k, inv = 1 / rows;
  for (const l of net.layers) {
    k.f32_gemm_tn(l.outSize, l.inSize, rows, inv, 0, l.delta.ptr, l.pre.ptr, l.dW.ptr);
    if (net.bias) k.f32_sum_rows(rows, l.outSize, inv, 0, l.delta.ptr, l.db.ptr);
  }
}
