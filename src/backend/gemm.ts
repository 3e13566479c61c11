// Matrix products (assembly/kernels/gemm.ts, event.ts): dense GEMM with the transposes packed inside
// the kernel, event-driven propagation for spikes, and the transpose that prepares it.
import { IntBuffer } from '../core/intbuf.js';

/** Inputs f32_event_tn lists at a time (its EVENT_TN_COLS). */
const EVENT_TN_COLS = 16;
/** The i32 scratch eventOuter needs for s with m rows. */
export const eventOuterScratch = (m: number): number => EVENT_TN_COLS * (m + 1);
import type { Tensor } from '../core/tensor.js';
import type { Ctor } from './core.js';
import { sizeIs, finite, rows2, cols2, fmtShape, disjoint, spikeLists } from './checks.js';

/** Which operands of gemm are used transposed: 'nt' is a·bᵀ, 'tn' is aᵀ·b. */
export type GemmTrans = 'nn' | 'nt' | 'tn' | 'tt';
const TRANS: readonly GemmTrans[] = ['nn', 'nt', 'tn', 'tt'];

/** Options of Backend.gemm in object form. */
export interface GemmOptions {
  /** a is stored [k, m] and used as aᵀ. */
  transA?: boolean;
  /** b is stored [n, k] and used as bᵀ. */
  transB?: boolean;
  /** Scale of the product (finite; default 1). */
  alpha?: number;
  /** Scale of out's previous contents (finite; default 0, which never reads out). */
  beta?: number;
}

function flag(name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TypeError(`gemm: ${name} must be a boolean, got ${typeof v}`);
  return v;
}

/** The Gemm methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withGemm<B extends Ctor>(Base: B) {
  abstract class GemmOps extends Base {
    /**
     * out = alpha·op(a)·op(b) + beta·out (defaults alpha = 1, beta = 0: out is overwritten, never read).
     * a is [m, k] ([k, m] used transposed), b is [k, n] ([n, k] used transposed), out is [m, n].
     * `trans` says which are transposed ('nn', 'nt', 'tn', 'tt'), or pass { transA, transB, alpha, beta }.
     * out must not share memory with a or b. Transposes are handled by packing inside the kernel.
     */
    gemm(out: Tensor, a: Tensor, b: Tensor, trans: GemmTrans | GemmOptions = 'nn', alpha = 1, beta = 0): Tensor {
      let transA: boolean, transB: boolean;
      if (typeof trans === 'string') {
        if (!TRANS.includes(trans)) throw new TypeError(`gemm: trans must be one of ${TRANS.join(', ')}, got ${trans}`);
        transA = trans[0] === 't';
        transB = trans[1] === 't';
      } else {
        if (typeof trans !== 'object' || trans === null) throw new TypeError(`gemm: opts must be an object, got ${trans === null ? 'null' : typeof trans}`);
        transA = flag('transA', trans.transA);
        transB = flag('transB', trans.transB);
        alpha = trans.alpha ?? 1;
        beta = trans.beta ?? 0;
      }
      finite('gemm', 'alpha', alpha);
      finite('gemm', 'beta', beta);
      const a0 = rows2('gemm', 'a', a), a1 = cols2(a);
      const b0 = rows2('gemm', 'b', b), b1 = cols2(b);
      const o0 = rows2('gemm', 'out', out), o1 = cols2(out);
      const m = transA ? a1 : a0, k = transA ? a0 : a1;
      if (transB ? b1 !== k : b0 !== k) {
        const want = transB ? `[*, ${k}]` : `[${k}, *]`;
        throw new Error(`gemm: b is ${fmtShape(b.shape)}, expected ${want} (k = ${k}${transB ? ', b is used transposed' : ''})`);
      }
      const n = transB ? b0 : b1;
      if (o0 !== m || o1 !== n) {
        throw new Error(`gemm: out is ${fmtShape(out.shape)}, expected [${m}, ${n}] (m = ${m} from a${transA ? 'ᵀ' : ''}, n = ${n} from b${transB ? 'ᵀ' : ''})`);
      }
      disjoint('gemm', 'out', out, 'a', a, this.debug);
      disjoint('gemm', 'out', out, 'b', b, this.debug);
      const kern = this.kernels;
      if (transA) {
        if (transB) kern.f32_gemm_tt(m, n, k, alpha, beta, a.ptr, b.ptr, out.ptr);
        else kern.f32_gemm_tn(m, n, k, alpha, beta, a.ptr, b.ptr, out.ptr);
      } else if (transB) kern.f32_gemm_nt(m, n, k, alpha, beta, a.ptr, b.ptr, out.ptr);
      else kern.f32_gemm_nn(m, n, k, alpha, beta, a.ptr, b.ptr, out.ptr);
      return out;
    }

    /**
     * Event-driven propagation: out[m, n] = α·s[m, k]·wt[k, n] + β·out adding only the rows of wt whose
     * input is nonzero (f32_event_nn; bit-identical to gemm(out, s, wt, 'nn', α, β) and to
     * gemm(out, s, W, 'nt', α, β) with W = wtᵀ). Returns the number of nonzero inputs visited.
     */
    eventMatmul(out: Tensor, s: Tensor, wt: Tensor, alpha = 1, beta = 0): number {
      const op = 'eventMatmul';
      finite(op, 'alpha', alpha);
      finite(op, 'beta', beta);
      const m = rows2(op, 's', s), k = cols2(s);
      const k2 = rows2(op, 'wt', wt), n = cols2(wt);
      if (k2 !== k) throw new Error(`${op}: wt is ${fmtShape(wt.shape)}, expected [${k}, *] (k = ${k} from s)`);
      const o0 = rows2(op, 'out', out);
      if (o0 !== m || cols2(out) !== n) throw new Error(`${op}: out is ${fmtShape(out.shape)}, expected [${m}, ${n}]`);
      disjoint(op, 'out', out, 's', s, this.debug); disjoint(op, 'out', out, 'wt', wt, this.debug);
      return this.kernels.f32_event_nn(m, n, k, alpha, beta, s.ptr, wt.ptr, out.ptr);
    }

    /**
     * out[m, n] = S·wt for 0/1 spikes S given as spike lists (layerStep's list and counts: row r's inputs
     * list[r·k ..] with k = wt's rows, counts[r] of them, increasing) — f32_event_list_nn, bit-identical
     * to eventMatmul and gemm on the 0/1 matrix. The counts are checked (each in [0, k], by the kernel before
     * it writes anything); the indices are trusted as layerStep wrote them, and checked in the debug build. Returns the number of events.
     */
    eventListMatmul(out: Tensor, list: IntBuffer<'i32'>, counts: IntBuffer<'i32'>, wt: Tensor): number {
      const op = 'eventListMatmul';
      const k = rows2(op, 'wt', wt), n = cols2(wt), m = rows2(op, 'out', out);
      if (cols2(out) !== n) throw new Error(`${op}: out is ${fmtShape(out.shape)}, expected [${m}, ${n}] (n = ${n} from wt)`);
      spikeLists(op, '', list, counts, m, k, this.debug, true);
      disjoint(op, 'out', out, 'wt', wt, this.debug);
      const events = this.kernels.f32_event_list_nn(m, n, k, list.ptr, k, counts.ptr, wt.ptr, out.ptr);
      if (events < 0) {
        const r = ~events;
        throw new RangeError(`${op}: counts[${r}] must be in [0, ${k}] (the inputs of a row), got ${counts.data[r]}`);
      }
      return events;
    }

    /**
     * out[r, :] = the 0/1 spikes listed for row r (list[r·n ..], counts[r] of them; n = out's columns):
     * the dense spike matrix a GEMM reads, from the lists layerStep and poissonStep write (f32_list_spikes).
     */
    listSpikes(out: Tensor, list: IntBuffer<'i32'>, counts: IntBuffer<'i32'>): Tensor {
      const op = 'listSpikes';
      const m = rows2(op, 'out', out), n = cols2(out);
      spikeLists(op, '', list, counts, m, n, this.debug, true);
      this.kernels.f32_list_spikes(m, n, list.ptr, counts.ptr, out.ptr);
      return out;
    }

    /**
     * c[k, n] += sᵀ·g for s [m, k] mostly zero (spikes) and g [m, n], visiting only the nonzero s
     * (f32_event_tn): per spike one row of c gains s·g's row. Equal to gemm(c, s, g, 'tn', 1, 1) up to
     * float rounding (the terms are added in another order). rows: an i32 scratch of at least
     * eventOuterScratch(m) slots (lists of the rows that spiked per input).
     * Returns the number of nonzero s.
     */
    eventOuter(c: Tensor, s: Tensor, g: Tensor, rows: IntBuffer<'i32'>): number {
      const op = 'eventOuter';
      const m = rows2(op, 's', s), k = cols2(s);
      const m2 = rows2(op, 'g', g), n = cols2(g);
      if (m2 !== m) throw new Error(`${op}: g is ${fmtShape(g.shape)}, expected [${m}, *] (m = ${m} from s)`);
      const k2 = rows2(op, 'c', c);
      if (k2 !== k || cols2(c) !== n) throw new Error(`${op}: c is ${fmtShape(c.shape)}, expected [${k}, ${n}]`);
      if (!(rows instanceof IntBuffer) || rows.kind !== 'i32') throw new TypeError(`${op}: rows must be an IntBuffer<'i32'>, got ${String(rows)}`);
      if (rows.length < eventOuterScratch(m)) throw new RangeError(`${op}: rows needs at least ${eventOuterScratch(m)} slots (${EVENT_TN_COLS}·(m + 1), m = ${m} from s), got ${rows.length}`);
      disjoint(op, 'c', c, 's', s, this.debug);
      disjoint(op, 'c', c, 'g', g, this.debug);
      return this.kernels.f32_event_tn(m, n, k, s.ptr, g.ptr, c.ptr, rows.ptr);
    }

    /** out[n, m] = aᵀ for a [m, n]; out must not share memory with a. */
    transpose(out: Tensor, a: Tensor): Tensor {
      const m = rows2('transpose', 'a', a), n = cols2(a);
      const o0 = rows2('transpose', 'out', out);
      if (o0 !== n || cols2(out) !== m) throw new Error(`transpose: out is ${fmtShape(out.shape)}, expected [${n}, ${m}]`);
      disjoint('transpose', 'out', out, 'a', a, this.debug);
      this.kernels.f32_transpose(m, n, a.ptr, out.ptr);
      return out;
    }
  }
  return GemmOps;
}
