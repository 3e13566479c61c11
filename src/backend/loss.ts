// Losses and row-wise classification helpers (assembly/kernels/loss.ts); rows are examples.
import type { Tensor } from '../core/tensor.js';
import type { Ctor } from './core.js';
import { rows2, cols2, sameMatrix, fmtShape, disjoint } from './checks.js';

/** The Loss methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withLoss<B extends Ctor>(Base: B) {
  abstract class LossOps extends Base {
    /** Softmax cross-entropy over logits [m, n] and target [m, n]: writes probs and grad = probs − target,
     *  returns the loss summed over the batch. probs may be logits; grad may be target. */
    softmaxXent(probs: Tensor, grad: Tensor, logits: Tensor, target: Tensor): number {
      const op = 'softmaxXent';
      const m = rows2(op, 'logits', logits, true), n = cols2(logits);
      if (n < 1) throw new Error(`${op}: logits ${fmtShape(logits.shape)} needs at least one column`);
      sameMatrix(op, 'target', target, logits);
      sameMatrix(op, 'probs', probs, logits);
      sameMatrix(op, 'grad', grad, logits);
      const full = this.debug;
      disjoint(op, 'probs', probs, 'grad', grad, full); disjoint(op, 'probs', probs, 'target', target, full);
      disjoint(op, 'grad', grad, 'logits', logits, full);
      return this.kernels.f32_softmax_xent(m, n, logits.ptr, target.ptr, probs.ptr, grad.ptr);
    }

    /** Squared error: grad = y − target, returns 0.5·Σ (y − target)² (sum over the batch). */
    mse(grad: Tensor, y: Tensor, target: Tensor): number {
      const m = rows2('mse', 'y', y, true), n = cols2(y);
      sameMatrix('mse', 'target', target, y);
      sameMatrix('mse', 'grad', grad, y);
      return this.kernels.f32_mse(m, n, y.ptr, target.ptr, grad.ptr);
    }

    /** The number of rows where argmax(x) == argmax(target) (first max wins; one-hot or soft targets). */
    countCorrect(x: Tensor, target: Tensor): number {
      const m = rows2('countCorrect', 'x', x, true), n = cols2(x);
      if (n < 1) throw new Error(`countCorrect: x ${fmtShape(x.shape)} needs at least one column`);
      sameMatrix('countCorrect', 'target', target, x);
      return this.kernels.f32_count_correct(m, n, x.ptr, target.ptr);
    }
  }
  return LossOps;
}
