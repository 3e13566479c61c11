// Input spike encoding (assembly/kernels/encode.ts): the counter-based Poisson encoder.
import type { Tensor } from '../core/tensor.js';
import type { Ctor } from './core.js';
import type { IntBuffer } from '../core/intbuf.js';
import { rows2, cols2, finite, integer, fmtShape, disjoint, spikeLists } from './checks.js';

/** The Encode methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withEncode<B extends Ctor>(Base: B) {
  abstract class EncodeOps extends Base {
    /**
     * out[r, i] = 1 with probability scale·p[r, i], else 0: step `step` of presentation window `window`
     * of a Poisson spike train, for example rows row0, row0 + 1, … (the rows of p and out). Each
     * pixel's uniform is a function of (seed, window, step, row, pixel) alone (see f32_poisson_rows), so
     * the spikes do not depend on the thread count or on which rows are encoded together. Returns the
     * number of spikes. out must have p's shape and not share its memory. With `lists`, row r's spiking
     * pixels are also written to lists.list[r·n ..] (increasing) and their number to lists.counts[r], the
     * form layerStep propagates from; out may then be null (the spikes only as lists).
     */
    poissonStep(out: Tensor | null, p: Tensor, scale: number, seed: number, window: number, step: number, row0 = 0,
      lists: { list: IntBuffer<'i32'>; counts: IntBuffer<'i32'> } | null = null): number {
      const op = 'poissonStep';
      const rows = rows2(op, 'p', p), n = cols2(p);
      if (out === null && lists === null) throw new TypeError(`${op}: out may be null only with lists (the spikes must go somewhere)`);
      if (out !== null && (rows2(op, 'out', out) !== rows || cols2(out) !== n)) throw new Error(`${op}: out is ${fmtShape(out.shape)}, expected ${fmtShape(p.shape)} (p's shape)`);
      finite(op, 'scale', scale);
      integer(op, 'seed', seed, -(2 ** 31), 2 ** 32 - 1);
      integer(op, 'window', window, 0, 2 ** 32 - 1);
      integer(op, 'step', step, 0, 2 ** 32 - 1);
      integer(op, 'row0', row0, 0, 2 ** 32 - 1 - rows);
      if (out !== null) disjoint(op, 'out', out, 'p', p, this.debug);
      if (lists !== null) spikeLists(op, lists, rows, n, false);
      return this.kernels.f32_poisson_rows(rows, n, scale, seed | 0, window | 0, step | 0, row0 | 0, p.ptr, out ? out.ptr : 0,
        lists ? lists.list.ptr : 0, lists ? lists.counts.ptr : 0);
    }
  }
  return EncodeOps;
}
