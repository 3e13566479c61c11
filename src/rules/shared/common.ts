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
  net.lib.mul(L.delta.head(rows), net.error.head(rows), L.deriv.head(rows));
}

/**
 * Layer-by-layer backward sweep through feedback matrices: feedbackOf(l) returns the [n_l, n_{l−1}]
 * matrix that carries δ_l down to layer l−1 (W_l itself for backprop).
 */
export function chain(ctx: StepContext, feedbackOf: (l: number) => Tensor): void {
  const { net, rows } = ctx;
  const lib = net.lib, layers = net.layers;
  outputDelta(ctx);
  for (let l = layers.length - 2; l >= 0; l--) {
    const cur = layers[l]!, up = layers[l + 1]!;
    const F = feedbackOf(l + 1);
    lib.gemm(cur.delta.head(rows), up.delta.head(rows), F, 'nn');
    lib.mul(cur.delta.head(rows), cur.delta.head(rows), cur.deriv.head(rows));
  }
}

/** Direct feedback: every hidden layer l gets e · B_l (B_l is [classes, n_l]) times its own f'. */
export function direct(ctx: StepContext, feedbackOf: (l: number) => Tensor): void {
  const { net, rows } = ctx;
  const lib = net.lib, layers = net.layers;
  outputDelta(ctx);
  for (let l = layers.length - 2; l >= 0; l--) {
    const cur = layers[l]!;
    lib.gemm(cur.delta.head(rows), net.error.head(rows), feedbackOf(l), 'nn');
    lib.mul(cur.delta.head(rows), cur.delta.head(rows), cur.deriv.head(rows));
  }
}

/** Gradient estimates from each layer's own δ and presynaptic activity (mean over rows). */
export function localGrads(ctx: StepContext): void {
  const { net, rows } = ctx;
  const lib = net.lib, inv = 1 / rows;
  for (const l of net.layers) {
    lib.gemm(l.dW, l.delta.head(rows), l.pre.head(rows), 'tn', inv, 0);
    if (net.bias) lib.sumRows(l.db, l.delta.head(rows), inv, 0);
  }
}
