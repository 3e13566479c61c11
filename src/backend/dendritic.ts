// The spiking three-compartment layer's time step (assembly/kernels/dendritic.ts): PSP traces of the
// input current, basal potential, soma, rate, phase average, spikes and their traces in one call.
import type { Tensor } from '../core/tensor.js';
import type { WasmRng } from '../wasm/rng.js';
import type { Ctor } from './core.js';
import { rows2, cols2, sizeIs, finite, disjoint, apart } from './checks.js';

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

const WRITTEN = ['yl', 'ys', 'a', 'soma', 'sig', 'avg', 'spikes', 'xl', 'xs'] as const;
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
      for (const name of ['lamL', 'lamS', 'pA', 'pB', 'gA', 'gS', 'dS', 'kAvg', 'rate'] as const) finite(op, name, k[name]);
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
      apart(op, full, ['spikes', spikes], { xl, xs });
      apart(op, full, ['p', p], { xl, xs });
      disjoint(op, 'xl', xl, 'xs', xs, full);
      finite(op, 'rate', rate); finite(op, 'lamL', lamL); finite(op, 'lamS', lamS);
      this.kernels.f32_spike_traces(n, rate, p.ptr, rng.ptr, spikes.ptr, lamL, lamS, xl.ptr, xs.ptr);
    }
  }
  return DendriticOps;
}
