// The alignment measures between two tensors, flattened: the angle (Lillicrap et al. 2016's measure of
// feedback alignment) and the norm ratio. The per-layer diagnostic that applies them to a rule's update
// during training is src/train/alignment.ts.
import type { Tensor } from '../core/tensor.js';
import type { Backend } from '../backend.js';

/** ∠(x, y) in degrees between two tensors of the same size, flattened; NaN when either is all zero. */
export function angleDeg(lib: Backend, x: Tensor, y: Tensor): number {
  if (x.size !== y.size) throw new Error(`alignment: angle between tensors of ${x.size} and ${y.size} elements`);
  const ab = lib.dot(x, y), aa = lib.sumsq(x), bb = lib.sumsq(y);
  if (!(aa > 0 && bb > 0)) return NaN;
  const c = ab / Math.sqrt(aa * bb);
  return (Math.acos(Math.min(1, Math.max(-1, c))) * 180) / Math.PI;
}

/** ‖x‖ / ‖y‖ (NaN when ‖y‖ = 0). */
export function normRatio(lib: Backend, x: Tensor, y: Tensor): number {
  const yy = lib.sumsq(y);
  return yy > 0 ? Math.sqrt(lib.sumsq(x) / yy) : NaN;
}
