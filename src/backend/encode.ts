// Input spike encoding (assembly/kernels/encode.ts): the counter-based Poisson encoder.
import type { Tensor } from '../core/tensor.js';
import type { Ctor } from './core.js';
import type { IntBuffer } from '../core/intbuf.js';
import { rows2, cols2, finite, integer, fmtShape, disjoint, spikeLists } from './checks.js';

/** The pixels of each row that can spike this window (Backend.poissonPrepare): indices, probabilities, counts. */
export interface LitPixels {
  idx: IntBuffer<'i32'>;
  q: Tensor;
  counts: IntBuffer<'i32'>;
}

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
      if (lists !== null) spikeLists(op, '', lists.list, lists.counts, rows, n, false);
      return this.kernels.f32_poisson_rows(rows, n, scale, seed | 0, window | 0, step | 0, row0 | 0, p.ptr, out ? out.ptr : 0,
        lists ? lists.list.ptr : 0, lists ? lists.counts.ptr : 0);
    }

    /**
     * Once per presentation window, for poissonSparseStep: row r's pixels that can spike (scale·p > 0)
     * in increasing order, their indices in lit.idx[r·n ..], their probabilities in lit.q (same places),
     * their number in lit.counts[r]. Returns the total.
     */
    poissonPrepare(p: Tensor, scale: number, lit: LitPixels): number {
      const op = 'poissonPrepare';
      const rows = rows2(op, 'p', p), n = cols2(p);
      finite(op, 'scale', scale);
      spikeLists(op, 'lit', lit.idx, lit.counts, rows, n, false);
      if (lit.q.size < rows * n) throw new RangeError(`${op}: lit.q needs at least ${rows * n} elements for ${rows} rows of ${n}, got ${lit.q.size}`);
      disjoint(op, 'p', p, 'lit.q', lit.q, this.debug);
      return this.kernels.f32_poisson_prepare(rows, n, scale, p.ptr, lit.idx.ptr, lit.q.ptr, lit.counts.ptr);
    }

    /**
     * poissonStep's spikes as lists only, for the first `rows` rows of n pixels, drawing only for the
     * pixels poissonPrepare listed in `lit` this window (the others cannot spike): the same uniforms, so
     * the same spikes. Returns their number.
     */
    poissonSparseStep(rows: number, n: number, lit: LitPixels, seed: number, window: number, step: number, row0: number,
      lists: { list: IntBuffer<'i32'>; counts: IntBuffer<'i32'> }): number {
      const op = 'poissonSparseStep';
      integer(op, 'rows', rows, 0, 2 ** 31 - 1);
      integer(op, 'n', n, 0, 2 ** 31 - 1);
      integer(op, 'seed', seed, -(2 ** 31), 2 ** 32 - 1);
      integer(op, 'window', window, 0, 2 ** 32 - 1);
      integer(op, 'step', step, 0, 2 ** 32 - 1);
      integer(op, 'row0', row0, 0, 2 ** 32 - 1 - rows);
      spikeLists(op, 'lit', lit.idx, lit.counts, rows, n, this.debug, true);
      if (lit.q.size < rows * n) throw new RangeError(`${op}: lit.q needs at least ${rows * n} elements for ${rows} rows of ${n}, got ${lit.q.size}`);
      spikeLists(op, '', lists.list, lists.counts, rows, n, false);
      return this.kernels.f32_poisson_sparse_rows(rows, n, seed | 0, window | 0, step | 0, row0 | 0, lit.idx.ptr, lit.q.ptr, lit.counts.ptr, lists.list.ptr, lists.counts.ptr);
    }
  }
  return EncodeOps;
}
