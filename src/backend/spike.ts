// Spiking neurons and traces (assembly/kernels/lif.ts, trace.ts). The surrogate table here is the only
// one: neurons (src/neurons/) name a shape, lifStep / alifStep pick the kernel or index from it.
import type { Tensor } from '../core/tensor.js';
import type { IntBuffer } from '../core/intbuf.js';
import type { BackendCore, Ctor } from './core.js';
import { isTensor, pair, sizeIs, finite, integer, oneOf, disjoint, allDisjoint, rows2, cols2, fmtShape, spikeLists } from './checks.js';

/** Surrogate derivatives of the spike (assembly/ops/spike_*.ts), u = v − vTh, k = steepness:
 *  super 1/(1 + k|u|)² (SuperSpike fast sigmoid), triangle max(0, 1 − k|u|), exp exp(−k|u|).
 *  The position in this list is f32_alif_step's `surrogate` argument. */
export type SurrogateShape = 'super' | 'triangle' | 'exp';
export const SURROGATES: readonly SurrogateShape[] = ['super', 'triangle', 'exp'];
const LIF_KERNEL = { super: 'f32_lif_step', triangle: 'f32_lif_step_triangle', exp: 'f32_lif_step_exp' } as const;

/** What a spike does to the membrane: 'zero' sets v = vReset (0 unless set), 'subtract' sets v −= vTh. */
export type ResetMode = 'zero' | 'subtract';
export const RESET_MODES: readonly ResetMode[] = ['zero', 'subtract'];

/** Spike lists (layerStep's and poissonStep's form): per row, the indices that spiked and their number. */
export interface SpikeLists {
  list: IntBuffer<'i32'>;
  counts: IntBuffer<'i32'>;
}

/** Parameters of one LIF step (f32_lif_step); decay = exp(-dt / tauMem) is the caller's. */
export interface LifParams {
  /** Membrane decay per step, in [0, 1] (1 = no leak). */
  decay: number;
  /** Threshold (default 1). */
  vTh?: number;
  /** Reset value for reset 'zero' and the held value while refractory (default 0). */
  vReset?: number;
  /** After a spike (default 'zero'). */
  reset?: ResetMode;
  /** Steps held at vReset after a spike (integer >= 0, default 0). */
  refSteps?: number;
  /** Surrogate steepness k (>= 0, default 10). */
  surrogate?: number;
  /** Surrogate shape written to deriv (default 'super'; see SURROGATES). */
  surrogateShape?: SurrogateShape;
}

/** Adaptive LIF: LifParams plus the threshold adaptation (threshold vTh + beta·adapt, adapt ← rho·adapt + s). */
export interface AlifParams extends LifParams {
  /** Adaptation decay per step, exp(−dt / tauAdapt), in [0, 1]. */
  rho: number;
  /** Threshold increment per unit of adaptation (>= 0). */
  beta: number;
}

/** The buffers of one fused layer step (Backend.layerStep); all rows × n but bias [n]. */
export interface LayerStepBuffers {
  /** This step's input current s·Wᵀ (read); with `from`, scratch (its first row is overwritten). */
  cur: Tensor;
  /** Per-neuron bias drive [n] (read). */
  bias: Tensor;
  /** Synaptic current (updated, then the neuron's input). */
  I: Tensor;
  v: Tensor;
  refrac: Tensor;
  /** Adaptation (adaptive LIF only; null for LIF). */
  adapt: Tensor | null;
  /** This step's spikes (0/1) and surrogate (written), or null: not written (nothing reads them). */
  spikes: Tensor | null;
  dstep: Tensor | null;
  /** Running sums: post += spikes (null: not this step), deriv += dstep, acc += I (null: not kept). */
  post: Tensor | null;
  deriv: Tensor;
  acc: Tensor | null;
  /** The spike list (i32, rows·n slots: row r's spiking neurons from r·n on, increasing) and its counts
   *  per row (i32, >= rows), or both null. */
  list: IntBuffer<'i32'> | null;
  counts: IntBuffer<'i32'> | null;
  /** Propagation fused into the step: cur = the 0/1 spikes of these lists (rows of k = wt's rows
   *  entries, as layerStep or poissonStep wrote them) times wt = Wᵀ [k × n], as eventListMatmul sums it;
   *  null or absent: cur is read as given. */
  from?: { list: IntBuffer<'i32'>; counts: IntBuffer<'i32'>; wt: Tensor } | null;
}

/** Checks the buffers of a LIF step (all with v's element count, outputs distinct) and the shared parameters. */
function lifChecks(lib: BackendCore, op: string, input: Tensor, v: Tensor, refrac: Tensor, spikes: Tensor | null, deriv: Tensor | null, p: LifParams): void {
  if (typeof p !== 'object' || p === null) throw new TypeError(`${op}: params must be an object { decay, … }, got ${p === null ? 'null' : typeof p}`);
  isTensor(op, 'v', v);
  const n = v.size, full = lib.debug;
  sizeIs(op, 'input', input, n);
  sizeIs(op, 'refrac', refrac, n);
  disjoint(op, 'v', v, 'refrac', refrac, full);
  disjoint(op, 'input', input, 'v', v, full);
  disjoint(op, 'input', input, 'refrac', refrac, full);
  if (spikes !== null) {
    sizeIs(op, 'spikes', spikes, n);
    disjoint(op, 'v', v, 'spikes', spikes, full);
    disjoint(op, 'refrac', refrac, 'spikes', spikes, full);
  }
  if (deriv !== null) {
    sizeIs(op, 'deriv', deriv, n);
    disjoint(op, 'v', v, 'deriv', deriv, full);
    disjoint(op, 'refrac', refrac, 'deriv', deriv, full);
    if (spikes !== null) disjoint(op, 'spikes', spikes, 'deriv', deriv, full);
  }
  const decay = finite(op, 'decay', p.decay);
  if (decay < 0 || decay > 1) throw new RangeError(`${op}: decay must be in [0, 1], got ${decay}`);
  finite(op, 'vTh', p.vTh ?? 1);
  finite(op, 'vReset', p.vReset ?? 0);
  oneOf(op, 'reset', p.reset ?? 'zero', RESET_MODES);
  integer(op, 'refSteps', p.refSteps ?? 0, 0, 2 ** 24);
  const k = finite(op, 'surrogate', p.surrogate ?? 10);
  if (k < 0) throw new RangeError(`${op}: surrogate must be >= 0, got ${k}`);
  oneOf(op, 'surrogateShape', p.surrogateShape ?? 'super', SURROGATES);
}

/** The buffers of a fused step in the order their overlaps are checked (layerStep, readoutStep), and the
 *  one list they are checked from (filled, checked and cleared within a call). */
const STEP_NAMES = ['cur', 'bias', 'I', 'v', 'refrac', 'spikes', 'dstep', 'deriv', 'acc', 'post', 'adapt', 'from.wt'] as const;
const READOUT_NAMES = ['I', 'bias', 'cur', 'm', 'post'] as const;
const STEP_BUFFERS: (Tensor | null)[] = new Array<Tensor | null>(STEP_NAMES.length).fill(null);
const ptr = (t: { ptr: number } | null | undefined): number => (t ? t.ptr : 0);

/** The Spike methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withSpike<B extends Ctor>(Base: B) {
  abstract class SpikeOps extends Base {
    /**
     * One LIF step in place (f32_lif_step): v = decay·v + input, spike where v >= vTh, surrogate deriv
     * from the membrane before the reset (skipped when deriv is null), reset, refractory hold. All
     * buffers have the same number of elements; input may be spikes. Returns the number of spikes.
     */
    lifStep(input: Tensor, v: Tensor, refrac: Tensor, spikes: Tensor, deriv: Tensor | null, p: LifParams): number {
      lifChecks(this, 'lifStep', input, v, refrac, spikes, deriv, p);
      return this.kernels[LIF_KERNEL[p.surrogateShape ?? 'super']](v.size, p.decay, p.vTh ?? 1, p.vReset ?? 0, p.reset === 'subtract' ? 1 : 0,
        p.refSteps ?? 0, p.surrogate ?? 10, input.ptr, v.ptr, refrac.ptr, spikes.ptr, deriv === null ? 0 : deriv.ptr);
    }

    /**
     * One adaptive-LIF step in place (f32_alif_step): as lifStep with the threshold vTh + beta·adapt per
     * neuron, then adapt = rho·adapt + spike. Returns the number of spikes.
     */
    alifStep(input: Tensor, v: Tensor, refrac: Tensor, adapt: Tensor, spikes: Tensor, deriv: Tensor | null, p: AlifParams): number {
      const op = 'alifStep';
      lifChecks(this, op, input, v, refrac, spikes, deriv, p);
      sizeIs(op, 'adapt', adapt, v.size);
      const full = this.debug;
      disjoint(op, 'adapt', adapt, 'v', v, full);
      disjoint(op, 'adapt', adapt, 'refrac', refrac, full);
      disjoint(op, 'adapt', adapt, 'spikes', spikes, full);
      disjoint(op, 'adapt', adapt, 'input', input, full);
      if (deriv !== null) disjoint(op, 'adapt', adapt, 'deriv', deriv, full);
      const rho = finite(op, 'rho', p.rho);
      if (rho < 0 || rho > 1) throw new RangeError(`${op}: rho must be in [0, 1], got ${rho}`);
      const beta = finite(op, 'beta', p.beta);
      if (beta < 0) throw new RangeError(`${op}: beta must be >= 0, got ${beta}`);
      return this.kernels.f32_alif_step(v.size, p.decay, p.vTh ?? 1, p.vReset ?? 0, p.reset === 'subtract' ? 1 : 0, p.refSteps ?? 0,
        p.surrogate ?? 10, rho, beta, SURROGATES.indexOf(p.surrogateShape ?? 'super'),
        input.ptr, v.ptr, refrac.ptr, adapt.ptr, spikes.ptr, deriv === null ? 0 : deriv.ptr);
    }

    /**
     * One fused time step of a (rows × n) layer (f32_lif_layer_step): I = alpha·cur + synDecay·I + bias,
     * the LIF step (or, with p.rho and p.beta and b.adapt, the adaptive-LIF step) on I, the running sums
     * post += spikes, deriv += dstep, acc += I, and the spike list when asked for. Bit-identical to axpby,
     * addRow, lifStep / alifStep and three traceStep(…, 1). spikes, dstep and acc may be null (not
     * written). With b.from, cur is first computed from the layer below's spike lists (eventListMatmul's
     * sums), row by row into cur's first row, so it is never written out. Returns the spike count.
     */
    layerStep(b: LayerStepBuffers, alpha: number, synDecay: number, p: LifParams | AlifParams): number {
      const op = 'layerStep';
      const rows = rows2(op, 'I', b.I), n = cols2(b.I), full = this.debug;
      lifChecks(this, op, b.I, b.v, b.refrac, b.spikes, b.dstep, p);
      sizeIs(op, 'bias', b.bias, n);
      sizeIs(op, 'cur', b.cur, rows * n);
      sizeIs(op, 'deriv', b.deriv, rows * n);
      if (b.acc) sizeIs(op, 'acc', b.acc, rows * n);
      if (b.post) sizeIs(op, 'post', b.post, rows * n);
      if (b.adapt) sizeIs(op, 'adapt', b.adapt, rows * n);
      const from = b.from ?? null, ts = STEP_BUFFERS; // every step checks these: no list is built
      ts[0] = b.cur; ts[1] = b.bias; ts[2] = b.I; ts[3] = b.v; ts[4] = b.refrac; ts[5] = b.spikes; ts[6] = b.dstep;
      ts[7] = b.deriv; ts[8] = b.acc; ts[9] = b.post; ts[10] = b.adapt; ts[11] = from ? from.wt : null;
      try { allDisjoint(op, STEP_NAMES, ts, STEP_NAMES.length, full); } finally { ts.fill(null); }
      if ((b.list === null) !== (b.counts === null)) throw new TypeError(`${op}: list and counts go together (both IntBuffer<'i32'> or both null)`);
      if (b.list) spikeLists(op, '', b.list, b.counts, rows, n, full);
      let k = 0;
      if (from) {
        k = rows2(op, 'from.wt', from.wt);
        if (cols2(from.wt) !== n) throw new Error(`${op}: from.wt is ${fmtShape(from.wt.shape)}, expected [k, ${n}] (Wᵀ of this layer's ${n} neurons)`);
        spikeLists(op, 'from', from.list, from.counts, rows, k, full, true);
      }
      const adaptive = 'rho' in p && b.adapt !== null;
      if (('rho' in p) !== (b.adapt !== null)) throw new TypeError(`${op}: adaptive-LIF parameters (rho, beta) and the adapt buffer go together`);
      let rho = 0, beta = 0;
      if (adaptive) {
        rho = finite(op, 'rho', (p as AlifParams).rho);
        if (rho < 0 || rho > 1) throw new RangeError(`${op}: rho must be in [0, 1], got ${rho}`);
        beta = finite(op, 'beta', (p as AlifParams).beta);
        if (beta < 0) throw new RangeError(`${op}: beta must be >= 0, got ${beta}`);
      }
      finite(op, 'alpha', alpha);
      finite(op, 'synDecay', synDecay);
      return this.kernels.f32_lif_layer_step(rows, n, alpha, synDecay, p.decay, p.vTh ?? 1, p.vReset ?? 0, p.reset === 'subtract' ? 1 : 0,
        p.refSteps ?? 0, p.surrogate ?? 10, rho, beta, SURROGATES.indexOf(p.surrogateShape ?? 'super'), adaptive ? 1 : 0, b.post ? 1 : 0,
        b.cur.ptr, b.bias.ptr, b.I.ptr, b.v.ptr, b.refrac.ptr, adaptive ? b.adapt!.ptr : 0, ptr(b.spikes), ptr(b.dstep),
        ptr(b.post), b.deriv.ptr, ptr(b.acc), ptr(b.list), ptr(b.counts), k, ptr(from?.list), ptr(from?.counts), ptr(from?.wt));
    }

    /**
     * One fused time step of the non-spiking membrane readout (f32_readout_step): I = alpha·cur +
     * synDecay·I + bias, m = (1 − lo)·I + lo·m, post += m unless post is null. Bit-identical to axpby,
     * addRow, axpby and traceStep(post, m, 1).
     */
    readoutStep(cur: Tensor, bias: Tensor, I: Tensor, m: Tensor, post: Tensor | null, alpha: number, synDecay: number, lo: number): void {
      const op = 'readoutStep';
      const rows = rows2(op, 'I', I), n = cols2(I), full = this.debug;
      sizeIs(op, 'bias', bias, n);
      sizeIs(op, 'cur', cur, rows * n);
      sizeIs(op, 'm', m, rows * n);
      if (post) sizeIs(op, 'post', post, rows * n);
      const ts = STEP_BUFFERS;
      ts[0] = I; ts[1] = bias; ts[2] = cur; ts[3] = m; ts[4] = post;
      try { allDisjoint(op, READOUT_NAMES, ts, READOUT_NAMES.length, full); } finally { ts.fill(null); }
      finite(op, 'alpha', alpha);
      finite(op, 'synDecay', synDecay);
      finite(op, 'lo', lo);
      this.kernels.f32_readout_step(rows, n, alpha, synDecay, 1 - lo, lo, post ? 1 : 0, cur.ptr, bias.ptr, I.ptr, m.ptr, post ? post.ptr : 0);
    }

    /** x = lambda·x + s (same number of elements; s may be x). */
    traceStep(x: Tensor, s: Tensor, lambda: number): Tensor {
      pair('traceStep', 'x', x, 's', s);
      finite('traceStep', 'lambda', lambda);
      this.kernels.f32_trace_step(x.size, lambda, s.ptr, x.ptr);
      return x;
    }
  }
  return SpikeOps;
}
