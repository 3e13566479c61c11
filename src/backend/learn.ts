// Weight-gradient sums of the online spiking rules (assembly/kernels/learn.ts): spike lists of a dense
// 0/1 spike matrix, and C += Sᵀ·G from those lists, visiting each spike once.
import type { Tensor } from '../core/tensor.js';
import { IntBuffer } from '../core/intbuf.js';
import type { Ctor } from './core.js';
import { rows2, cols2, fmtShape, disjoint, integer, sizeIs, finite } from './checks.js';

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
     * spikeRows' packed lists (idx from idxAt, counts from countsAt) from lists of the simulator's form
     * (layerStep's and the Poisson encoder's: the first m rows of `lists`, row r's k-slot span from r·k),
     * moving only the spikes. Entries are copied as they are (each must be an input in [0, k); spikeOuter
     * checks them). Returns the number of entries written.
     */
    packSpikes(lists: { list: IntBuffer<'i32'>; counts: IntBuffer<'i32'> }, m: number, k: number, idx: IntBuffer<'i32'>, idxAt: number, counts: IntBuffer<'i32'>, countsAt: number): number {
      const op = 'packSpikes';
      integer(op, 'm', m); integer(op, 'k', k, 1);
      ints(op, 'lists.list', lists.list, 0, m * k); ints(op, 'lists.counts', lists.counts, 0, m);
      const ia = ints(op, 'idx', idx, idxAt, m * k), ca = ints(op, 'counts', counts, countsAt, m);
      if (idx === lists.list || counts === lists.counts || (idx as unknown) === counts) throw new Error(`${op}: the packed lists must not share a buffer with the source lists or each other`);
      const res = this.kernels.f32_spike_pack(m, k, lists.list.ptr, lists.counts.ptr, idx.ptr + 4 * ia, counts.ptr + 4 * ca);
      if (res < 0) { const r = ~res; throw new RangeError(`${op}: lists.counts[${r}] must be in [0, ${k}] (the inputs of a row), got ${lists.counts.data[r]}`); }
      return res;
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

    /**
     * eRBP's gated signal of a hidden layer for one step (f32_erbp_gate), rows = U's rows, n its columns:
     * U = alpha·e·G + beta·U (beta = 0 overwrites U), g = [lo <= I <= hi]·(U + rhoAmp·s) (s null: ·U),
     * db += scale·Σ_rows g (db null: skipped). colsum: an [n] scratch. Bit-identical to gemm(U, e, G, 'nn',
     * alpha, beta), activate(hardSigmoid lo..hi)'s derivative, scaleAdd(·, 1, U, rhoAmp, s), mul and sumRows(db, g, scale, 1).
     */
    erbpGate(U: Tensor, e: Tensor, G: Tensor, alpha: number, beta: number, I: Tensor, lo: number, hi: number, rhoAmp: number, s: Tensor | null,
      g: Tensor, db: Tensor | null, scale: number, colsum: Tensor): void {
      const op = 'erbpGate', rows = rows2(op, 'U', U), n = cols2(U), c = cols2(e);
      gateChecks(op, rows, n, c, e, G, U, g, colsum, db, this.debug);
      sizeIs(op, 'I', I, rows * n);
      if (s !== null) sizeIs(op, 's', s, rows * n);
      finite(op, 'alpha', alpha); finite(op, 'beta', beta); finite(op, 'lo', lo); finite(op, 'hi', hi); finite(op, 'rhoAmp', rhoAmp); finite(op, 'scale', scale);
      disjoint(op, 'g', g, 'U', U, this.debug); disjoint(op, 'g', g, 'I', I, this.debug); disjoint(op, 'g', g, 's', s, this.debug);
      disjoint(op, 'U', U, 'I', I, this.debug); disjoint(op, 'U', U, 's', s, this.debug);
      this.kernels.f32_erbp_gate(rows, n, c, alpha, beta, e.ptr, G.ptr, U.ptr, I.ptr, lo, hi, s === null ? 0 : rhoAmp, s?.ptr ?? 0, g.ptr, scale, db?.ptr ?? 0, colsum.ptr);
    }

    /**
     * SuperSpike's teaching signal of a hidden layer for one step (f32_superspike_mod), m [rows, n]:
     * eps = aE·s + lamE·eps and m = (e·B, or m as given when e and B are null) + rho·eps (both skipped when
     * eps is null), m = m ⊙ dstep, db += scale·Σ_rows m (db null: skipped). colsum: an [n] scratch.
     * Bit-identical to axpby(eps, aE, s, lamE), gemm(m, e, B, 'nn'), axpy(m, rho, eps), mul(m, m, dstep)
     * and sumRows(db, m, scale, 1).
     */
    superspikeMod(m: Tensor, e: Tensor | null, B: Tensor | null, s: Tensor | null, aE: number, lamE: number, eps: Tensor | null, rho: number,
      dstep: Tensor, db: Tensor | null, scale: number, colsum: Tensor): void {
      const op = 'superspikeMod', rows = rows2(op, 'm', m), n = cols2(m);
      if ((e === null) !== (B === null)) throw new TypeError(`${op}: e and B go together (both tensors, or both null when m holds the feedback)`);
      if ((eps === null) !== (s === null)) throw new TypeError(`${op}: eps and s go together (both tensors or both null)`);
      const c = e === null ? 0 : cols2(e);
      if (e !== null) gateChecks(op, rows, n, c, e, B!, m, m, colsum, db, this.debug);
      else gateChecks(op, rows, n, 0, null, null, m, m, colsum, db, this.debug);
      sizeIs(op, 'dstep', dstep, rows * n);
      disjoint(op, 'dstep', dstep, 'm', m, this.debug);
      if (eps !== null) {
        sizeIs(op, 'eps', eps, rows * n); sizeIs(op, 's', s, rows * n);
        disjoint(op, 'eps', eps, 'm', m, this.debug); disjoint(op, 'eps', eps, 's', s, this.debug); disjoint(op, 'eps', eps, 'dstep', dstep, this.debug);
        disjoint(op, 's', s!, 'm', m, this.debug);
      }
      finite(op, 'aE', aE); finite(op, 'lamE', lamE); finite(op, 'rho', rho); finite(op, 'scale', scale);
      this.kernels.f32_superspike_mod(rows, n, c, e?.ptr ?? 0, B?.ptr ?? 0, s?.ptr ?? 0, aE, lamE, eps?.ptr ?? 0, rho, dstep.ptr, m.ptr, scale, db?.ptr ?? 0, colsum.ptr);
    }
  }
  return LearnOps;
}

/** Shapes of the teaching-signal kernels: e [rows, c] and feedback [c, n] (when given), out [rows, n], colsum and db [n]. */
function gateChecks(op: string, rows: number, n: number, c: number, e: Tensor | null, fb: Tensor | null, state: Tensor, out: Tensor, colsum: Tensor, db: Tensor | null, full: boolean): void {
  if (e !== null) {
    if (rows2(op, 'e', e) !== rows) throw new Error(`${op}: e is ${fmtShape(e.shape)}, expected [${rows}, *] (rows from the output)`);
    if (rows2(op, 'feedback', fb) !== c || cols2(fb!) !== n) throw new Error(`${op}: the feedback matrix is ${fmtShape(fb!.shape)}, expected [${c}, ${n}]`);
    disjoint(op, 'e', e, 'an output', state, full); disjoint(op, 'feedback', fb!, 'an output', state, full);
    disjoint(op, 'e', e, 'an output', out, full); disjoint(op, 'feedback', fb!, 'an output', out, full);
  }
  sizeIs(op, 'out', out, rows * n);
  sizeIs(op, 'colsum', colsum, n);
  if (db !== null) sizeIs(op, 'db', db, n);
}
