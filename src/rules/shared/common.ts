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
    const cur = layers[l]!;
    net.sendDown(l + 1, feedbackOf(l + 1), rows); // δ_{l+1}·F (a convolution's input gradient; through l's pooling)
    lib.mul(cur.delta.head(rows), cur.delta.head(rows), cur.deriv.head(rows));
  }
}

/**
 * Direct feedback: every hidden layer l gets e · B_l (B_l is [classes, n_l]) times its own f'. Below a
 * convolution (Sanfiz & Akrout 2021's convolutional DFA) B_l is a kernel [classes, k·k·c_l] of the layer
 * above, applied to e repeated at each of that layer's output positions (repeatedOf(l): [batch,
 * positions·classes] scratch); a signal at a pooled post is routed back through the pooling.
 */
export function direct(ctx: StepContext, feedbackOf: (l: number) => Tensor, repeatedOf?: (l: number) => Tensor): void {
  const { net, rows } = ctx;
  const lib = net.lib, layers = net.layers;
  outputDelta(ctx);
  for (let l = layers.length - 2; l >= 0; l--) {
    const cur = layers[l]!, up = layers[l + 1]!, into = net.postSignal(l, rows);
    if (up.conv) {
      const e = repeatedOf!(l).head(rows);
      lib.repeatCols(e, net.error.head(rows), up.conv.geom.positions);
      lib.conv2dInputGrad(into, e, feedbackOf(l), up.conv.dcols.head(rows * up.conv.geom.positions), up.conv.geom);
    } else {
      lib.gemm(into, net.error.head(rows), feedbackOf(l), 'nn');
    }
    net.unpool(l, rows);
    lib.mul(cur.delta.head(rows), cur.delta.head(rows), cur.deriv.head(rows));
  }
}

/** Gradient estimates from each layer's own δ and presynaptic activity (mean over rows). */
export function localGrads(ctx: StepContext): void {
  const { net, rows } = ctx;
  const inv = 1 / rows;
  for (const l of net.layers) net.weightGrads(l, rows, inv);
}
