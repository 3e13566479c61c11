// The spiking three-compartment layer's time step (assembly/kernels/dendritic.ts): PSP traces of the
// input current, basal potential, soma, rate, phase average, spikes and their traces in one call.
import type { Tensor } from '../core/tensor.js';
import type { WasmRng } from '../wasm/rng.js';
import type { Ctor } from './core.js';
import type { IntBuffer } from '../core/intbuf.js';
import type { HeapBuffer, View } from '../core/buffer.js';
import type { LitPixels } from './encode.js';
import { rows2, cols2, sizeIs, finite, integer, disjoint, allDisjoint, spikeLists, fmtShape } from './checks.js';

/** The buffers of dendriticStep, all [rows, n] but bias [n]; bias, drive and avg may be null (not used). */
export interface DendriticStepBuffers {
  cur: Tensor; yl: Tensor; ys: Tensor; bias: Tensor | null; a: Tensor; soma: Tensor; drive: Tensor | null;
  sig: Tensor; avg: Tensor | null; spikes: Tensor; xl: Tensor; xs: Tensor;
}

/** The constants of dendriticStep (see Backend.dendriticStep). */
export interface DendriticStepConstants {
  lamL: number; lamS: number; pA: number; pB: number; gA: number; gS: number; dS: number;
  kAvg: number; avgSig: boolean; rate: number;
}

import type { SpikeLists } from './spike.js';

/** The buffers of dendriticLayerStep: dendriticStep's (a and spikes may be null: not written), the
 *  layer's input as spike lists `src` with wt = Wᵀ [k, n], its own spikes' lists `out`, and the PSP
 *  average pbar [rows, n] (null: not accumulated). */
export interface DendriticLayerBuffers extends Omit<DendriticStepBuffers, 'a' | 'spikes'> {
  src: SpikeLists; wt: Tensor; a: Tensor | null; spikes: Tensor | null; out: SpikeLists; pbar: Tensor | null;
}

/** dendriticStep's constants, whether the spike traces run, and pbar's two factors. */
export interface DendriticLayerConstants extends DendriticStepConstants { traces: boolean; kL: number; kS: number }

/** The input layer's buffers: the lit pixels of the presentation, its spike lists, traces and PSP average. */
export interface DendriticInputBuffers { lit: LitPixels; out: SpikeLists; xl: Tensor; xs: Tensor; pbar: Tensor | null }

const LAYER_NAMES = ['cur', 'yl', 'ys', 'a', 'soma', 'sig', 'avg', 'spikes', 'xl', 'xs', 'pbar', 'wt', 'bias', 'drive'] as const;
const LAYER_WRITTEN = 11; // the first 11 are written; wt, bias and drive are read

const WRITTEN = ['yl', 'ys', 'a', 'soma', 'sig', 'avg', 'spikes', 'xl', 'xs'] as const;
/** The numeric constants each step checks (finite), named once here so a check builds no array. */
const STEP_FACTORS = ['lamL', 'lamS', 'pA', 'pB', 'gA', 'gS', 'dS', 'kAvg', 'rate'] as const;
const LAYER_FACTORS = [...STEP_FACTORS, 'kL', 'kS'] as const;
const READ = ['cur', 'bias', 'drive'] as const;

/** The dendritic-step methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withDendritic<B extends Ctor>(Base: B) {
  abstract class DendriticOps extends Base {
    /**
     * One step of a spiking three-compartment layer after its input current cur (f32_dendritic_step):
     * yl ← lamL·yl + cur, ys ← lamS·ys + cur, a = pA·yl + pB·ys (+ bias), soma ← gA·a + gS·soma
     * (+ dS·drive), sig = σ(soma), avg += kAvg·(avgSig ? sig : soma), spikes = Bernoulli(rate·sig) from
     * `rng` (rows·n draws), xl ← lamL·xl + spikes, xs ← lamS·xs + spikes. Bit-identical to traceStep,
     * traceStep, scaleAdd, addRow, axpby, axpy, activate(sigmoid), axpy, rng.bernoulli, traceStep, traceStep.
     */
    dendriticStep(b: DendriticStepBuffers, k: DendriticStepConstants, rng: WasmRng): void {
      const op = 'dendriticStep', rows = rows2(op, 'cur', b.cur), n = cols2(b.cur), size = rows * n, full = this.debug;
      for (const name of WRITTEN) {
        const t = b[name];
        if (t === null && name === 'avg') continue;
        sizeIs(op, name, t, size);
        for (const other of WRITTEN) if (other !== name && b[other] !== null) disjoint(op, name, t!, other, b[other]!, full);
        for (const other of READ) if (b[other] !== null) disjoint(op, name, t!, other, b[other]!, full);
      }
      if (b.bias !== null) sizeIs(op, 'bias', b.bias, n);
      if (b.drive !== null) sizeIs(op, 'drive', b.drive, size);
      for (let i = 0; i < STEP_FACTORS.length; i++) finite(op, STEP_FACTORS[i]!, k[STEP_FACTORS[i]!]);
      this.kernels.f32_dendritic_step(rows, n, b.cur.ptr, b.yl.ptr, b.ys.ptr, k.lamL, k.lamS, k.pA, k.pB, b.bias?.ptr ?? 0, b.a.ptr,
        b.soma.ptr, k.gA, k.gS, b.drive?.ptr ?? 0, k.dS, b.sig.ptr, b.avg?.ptr ?? 0, k.kAvg, k.avgSig ? 1 : 0,
        rng.ptr, k.rate, b.spikes.ptr, b.xl.ptr, b.xs.ptr);
    }

    /**
     * A spiking input layer's step (f32_spike_traces): spikes = Bernoulli(rate·p) from `rng` (one draw
     * per element), xl ← lamL·xl + spikes, xs ← lamS·xs + spikes. Bit-identical to rng.bernoulli and two
     * traceStep calls.
     */
    spikeTraces(spikes: Tensor, p: Tensor, rate: number, rng: WasmRng, xl: Tensor, lamL: number, xs: Tensor, lamS: number): void {
      const op = 'spikeTraces', n = spikes.size, full = this.debug;
      sizeIs(op, 'p', p, n); sizeIs(op, 'xl', xl, n); sizeIs(op, 'xs', xs, n);
      disjoint(op, 'spikes', spikes, 'xl', xl, full); disjoint(op, 'spikes', spikes, 'xs', xs, full);
      disjoint(op, 'p', p, 'xl', xl, full); disjoint(op, 'p', p, 'xs', xs, full);
      disjoint(op, 'xl', xl, 'xs', xs, full);
      finite(op, 'rate', rate); finite(op, 'lamL', lamL); finite(op, 'lamS', lamS);
      this.kernels.f32_spike_traces(n, rate, p.ptr, rng.ptr, spikes.ptr, lamL, lamS, xl.ptr, xs.ptr);
    }

    /**
     * One step of a spiking three-compartment layer fed by spike lists (f32_dendritic_layer_step): cur
     * = the sum of wt's rows listed in b.src (eventListMatmul's sums), then dendriticStep's chain, the
     * spikes also as lists in b.out, the traces only when k.traces, and pbar += kL·xl, pbar += kS·xs
     * when pbar is given (and k.traces). Bit-identical to eventListMatmul, dendriticStep and two axpy.
     * Returns the spike count.
     */
    dendriticLayerStep(b: DendriticLayerBuffers, k: DendriticLayerConstants, rng: WasmRng): number {
      const op = 'dendriticLayerStep', full = this.debug;
      // A network calls this per layer and time step with the same buffers for a whole phase: their
      // shape, overlap and list checks (a dozen buffers, ~90 pairs, at 5-row batches a large share of the
      // call) are made again only when one of them changes. The debug build checks every call, since it
      // also checks the input lists' contents.
      const checked = full ? undefined : LAYER_CHECKED.get(b);
      gatherBuffers(b, GATHERED);
      try {
        if (checked === undefined || !sameLiveBuffers(checked)) {
          layerChecks(op, b, full);
          if (!full) { // the record is made once per buffers object and rewritten in place after
            const rec = checked ?? new Array<HeapBuffer<View> | null>(GATHERED.length);
            for (let i = 0; i < GATHERED.length; i++) rec[i] = GATHERED[i]!;
            LAYER_CHECKED.set(b, rec);
          }
        }
      } finally { GATHERED.fill(null); } // hold no buffer past the call
      const rows = b.cur.shape[0]!, n = b.cur.shape[1]!, kIn = b.wt.shape[0]!;
      for (let i = 0; i < LAYER_FACTORS.length; i++) finite(op, LAYER_FACTORS[i]!, k[LAYER_FACTORS[i]!]);
      const spikes = this.kernels.f32_dendritic_layer_step(rows, n, kIn, b.src.list.ptr, b.src.counts.ptr, b.wt.ptr,
        b.cur.ptr, b.yl.ptr, b.ys.ptr, k.lamL, k.lamS, k.pA, k.pB, b.bias?.ptr ?? 0, b.a?.ptr ?? 0,
        b.soma.ptr, k.gA, k.gS, b.drive?.ptr ?? 0, k.dS, b.sig.ptr, b.avg?.ptr ?? 0, k.kAvg, k.avgSig ? 1 : 0,
        rng.ptr, k.rate, b.spikes?.ptr ?? 0, b.out.list.ptr, b.out.counts.ptr, k.traces ? 1 : 0, b.xl.ptr, b.xs.ptr,
        k.traces ? b.pbar?.ptr ?? 0 : 0, k.kL, k.kS);
      if (spikes < 0) throw new RangeError(`${op}: src.counts[${~spikes}] must be in [0, ${kIn}] (the inputs of a row), got ${b.src.counts.data[~spikes]}`);
      return spikes;
    }

    /**
     * The input layer's step over its lit pixels (f32_dendritic_input_step; b.lit from poissonPrepare for
     * the first `rows` rows of n pixels): per lit pixel one draw of `rng`, spike if u < q, the spikes as
     * lists in b.out; when `traces`, xl ← lamL·xl + s, xs ← lamS·xs + s on the lit pixels (the others stay
     * at rest) and pbar += kL·xl, pbar += kS·xs when given. Returns the spike count.
     */
    dendriticInputStep(rows: number, n: number, b: DendriticInputBuffers, rng: WasmRng, traces: boolean, lamL: number, lamS: number, kL: number, kS: number): number {
      const op = 'dendriticInputStep', full = this.debug;
      integer(op, 'rows', rows, 0, 2 ** 31 - 1); integer(op, 'n', n, 0, 2 ** 31 - 1);
      const size = rows * n;
      sizeIs(op, 'xl', b.xl, size); sizeIs(op, 'xs', b.xs, size);
      if (b.pbar !== null) { sizeIs(op, 'pbar', b.pbar, size); disjoint(op, 'pbar', b.pbar, 'xl', b.xl, full); disjoint(op, 'pbar', b.pbar, 'xs', b.xs, full); disjoint(op, 'pbar', b.pbar, 'q', b.lit.q, full); }
      disjoint(op, 'xl', b.xl, 'xs', b.xs, full); disjoint(op, 'xl', b.xl, 'q', b.lit.q, full);
      disjoint(op, 'xs', b.xs, 'q', b.lit.q, full);
      if (b.lit.q.size < size) throw new RangeError(`${op}: lit.q needs at least ${size} elements for ${rows} rows of ${n}, got ${b.lit.q.size}`);
      spikeLists(op, 'lit', b.lit.idx, b.lit.counts, rows, n, full, true);
      spikeLists(op, 'out', b.out.list, b.out.counts, rows, n, false);
      finite(op, 'lamL', lamL); finite(op, 'lamS', lamS); finite(op, 'kL', kL); finite(op, 'kS', kS);
      return this.kernels.f32_dendritic_input_step(rows, n, b.lit.idx.ptr, b.lit.q.ptr, b.lit.counts.ptr, rng.ptr, b.out.list.ptr, b.out.counts.ptr,
        traces ? 1 : 0, lamL, lamS, b.xl.ptr, b.xs.ptr, traces ? b.pbar?.ptr ?? 0 : 0, kL, kS);
    }
  }
  return DendriticOps;
}

/** b's buffers in one order, LAYER_NAMES' then src's and out's list and counts, into `into` (no allocation). */
function gatherBuffers(b: DendriticLayerBuffers, into: (HeapBuffer<View> | null)[]): void {
  into[0] = b.cur; into[1] = b.yl; into[2] = b.ys; into[3] = b.a; into[4] = b.soma; into[5] = b.sig; into[6] = b.avg; into[7] = b.spikes;
  into[8] = b.xl; into[9] = b.xs; into[10] = b.pbar; into[11] = b.wt; into[12] = b.bias; into[13] = b.drive;
  into[14] = b.src.list; into[15] = b.src.counts; into[16] = b.out.list; into[17] = b.out.counts;
}
const GATHERED: (HeapBuffer<View> | null)[] = new Array(18).fill(null);

/** dendriticLayerStep's checks of its buffers (every one but the constants'), gathered in GATHERED. */
function layerChecks(op: string, b: DendriticLayerBuffers, full: boolean): void {
  const rows = rows2(op, 'cur', b.cur), n = cols2(b.cur), size = rows * n, ts = GATHERED as (Tensor | null)[];
  for (let i = 1; i < LAYER_WRITTEN; i++) if (ts[i] !== null) sizeIs(op, LAYER_NAMES[i]!, ts[i]!, size);
  if (b.drive !== null) sizeIs(op, 'drive', b.drive, size);
  allDisjoint(op, LAYER_NAMES, ts, LAYER_NAMES.length, full);
  if (b.bias !== null) sizeIs(op, 'bias', b.bias, n);
  const kIn = rows2(op, 'wt', b.wt);
  if (cols2(b.wt) !== n) throw new Error(`${op}: wt is ${fmtShape(b.wt.shape)}, expected [k, ${n}] (Wᵀ of this layer's ${n} units)`);
  spikeLists(op, 'src', b.src.list, b.src.counts, rows, kIn, full, true);
  spikeLists(op, 'out', b.out.list, b.out.counts, rows, n, false);
}

/** Per buffers object, the buffers its last fully checked call used (gatherBuffers' order). */
const LAYER_CHECKED = new WeakMap<DendriticLayerBuffers, (HeapBuffer<View> | null)[]>();

/** Whether GATHERED holds exactly the buffers `s` recorded, none of them disposed since. */
function sameLiveBuffers(s: readonly (HeapBuffer<View> | null)[]): boolean {
  for (let i = 0; i < GATHERED.length; i++) if (s[i] !== GATHERED[i] || (s[i] !== null && s[i]!.disposed)) return false;
  return true;
}
