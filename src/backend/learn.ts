// Weight-gradient sums of the online spiking rules (assembly/kernels/learn.ts): spike lists of a dense
// 0/1 spike matrix, and C += Sᵀ·G from those lists, visiting each spike once.
import type { Tensor } from '../core/tensor.js';
import { IntBuffer } from '../core/intbuf.js';
import type { Ctor } from './core.js';
import { rows2, cols2, fmtShape, disjoint, integer } from './checks.js';

/** The i32 scratch spikeOuter needs for m rows of k inputs (its worst case: every input spiked). */
export const spikeOuterScratch = (m: number, k: number): number => k + 1 + m * k;

function ints(op: string, name: string, b: unknown, at: unknown, need: number): number {
  if (!(b instanceof IntBuffer) || b.kind !== 'i32') throw new TypeError(`${op}: ${name} must be an IntBuffer<'i32'>, got ${String(b)}`);
  const a = integer(op, `${name}At`, at);
  if (a < 0 || a + need > b.length) throw new RangeError(`${op}: ${name} needs ${need} slots from ${name}At = ${a}, but holds ${b.length}`);
  return a;
}

/** The learning-sum methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withLearn<B extends Ctor>(Base: B) {
  abstract class LearnOps extends Base {
    /**
     * Spike lists of s [m, k] (nonzero = spike): row r's spiking inputs, increasing, packed one row after
     * the other into idx from idxAt, and their number in counts[countsAt + r]. idx must have room for m·k
     * entries from idxAt (every input spiking). Returns the number of entries written (the spikes).
     */
    spikeRows(s: Tensor, idx: IntBuffer<'i32'>, idxAt: number, counts: IntBuffer<'i32'>, countsAt: number): number {
      const op = 'spikeRows', m = rows2(op, 's', s), k = cols2(s);
      const ia = ints(op, 'idx', idx, idxAt, m * k), ca = ints(op, 'counts', counts, countsAt, m);
      return this.kernels.f32_spike_rows(m, k, s.ptr, idx.ptr + 4 * ia, counts.ptr + 4 * ca);
    }

    /**
     * c [k, n] += Sᵀ·g for the 0/1 spikes S [m, k] listed by spikeRows (idx from idxAt, counts from
     * countsAt) and g [m, n]: each spike (r, j) adds g's row r to c's row j. Bit-identical to
     * eventOuter on the dense 0/1 matrix. work: i32 scratch of spikeOuterScratch(m, k) slots. The lists
     * are checked (counts in [0, k], entries inputs in [0, k), within idx) before c is touched. Returns the
     * number of spikes.
     */
    spikeOuter(c: Tensor, idx: IntBuffer<'i32'>, idxAt: number, counts: IntBuffer<'i32'>, countsAt: number, g: Tensor, work: IntBuffer<'i32'>): number {
      const op = 'spikeOuter', m = rows2(op, 'g', g), n = cols2(g), k = rows2(op, 'c', c);
      if (cols2(c) !== n) throw new Error(`${op}: c is ${fmtShape(c.shape)}, expected [${k}, ${n}] (n = ${n} from g)`);
      const ca = ints(op, 'counts', counts, countsAt, m), ia = ints(op, 'idx', idx, idxAt, 0);
      ints(op, 'work', work, 0, spikeOuterScratch(m, k));
      disjoint(op, 'c', c, 'g', g, this.debug);
      const res = this.kernels.f32_spike_outer(m, n, k, idx.ptr + 4 * ia, Math.min(idx.length - ia, m * k), counts.ptr + 4 * ca, g.ptr, c.ptr, work.ptr);
      if (res >= 0) return res;
      if (res >= -m) { const r = ~res; throw new RangeError(`${op}: counts[${ca + r}] must be in [0, ${k}] (the inputs of a row), got ${counts.data[ca + r]}`); }
      if (res === -1 - m) throw new RangeError(`${op}: counts from countsAt = ${ca} list more spikes than idx holds from idxAt = ${ia} (${idx.length - ia}; at most ${m * k} for ${m} rows of ${k} inputs)`);
      const e = -2 - m - res;
      throw new RangeError(`${op}: idx[${ia + e}] must be an input in [0, ${k}), got ${idx.data[ia + e]}`);
    }
  }
  return LearnOps;
}
