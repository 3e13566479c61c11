// Input spike encoding (assembly/kernels/encode.ts): the counter-based Poisson encoder.
import type { Tensor } from '../core/tensor.js';
import type { Ctor } from './core.js';
import { rows2, cols2, finite, integer, fmtShape, disjoint } from './checks.js';

/** The Encode methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withEncode<B extends Ctor>(Base: B) {
  abstract class EncodeOps extends Base {
    /**
     * out[r, i] = 1 with probability scale·p[r, i], else 0: step `step` of presentation window `window`
     * of a Poisson spike train, for example rows row0, row0 + 1, … (the rows of p and out). Each
     * pixel's uniform is a function of (seed, window, step, row, pixel) alone (see f32_poisson_rows), so
     * the spikes do not depend on the thread count or on which rows are encoded together. Returns the
     * number of spikes. out must have p's shape and not share its memory.
     */
    poissonStep(out: Tensor, p: Tensor, scale: number, seed: number, window: number, step: number, row0 = 0): number {
      const op = 'poissonStep';
      const rows = rows2(op, 'p', p), n = cols2(p);
      if (rows2(op, 'out', out) !== rows || cols2(out) !== n) throw new Error(`${op}: out is ${fmtShape(out.shape)}, expected ${fmtShape(p.shape)} (p's shape)`);
      finite(op, 'scale', scale);
      integer(op, 'seed', seed, -(2 ** 31), 2 ** 32 - 1);
      integer(op, 'window', window, 0, 2 ** 32 - 1);
      integer(op, 'step', step, 0, 2 ** 32 - 1);
      integer(op, 'row0', row0, 0, 2 ** 32 - 1 - rows);
      disjoint(op, 'out', out, 'p', p, this.debug);
      return this.kernels.f32_poisson_rows(rows, n, scale, seed | 0, window | 0, step | 0, row0 | 0, p.ptr, out.ptr);
    }
  }
  return EncodeOps;
}
