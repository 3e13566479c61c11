// Slow twin of assembly/kernels/dendritic.ts (a spiking three-compartment layer's step). Every float
// operation is rounded with Math.fround in the kernel's order; the sigmoid is the caller's (the kernel's
// exp is a polynomial: the test checks σ against the f64 sigmoid within its bound and feeds the twin
// the kernel's σ, so the spikes and traces downstream are compared bit for bit).
import type { Rng } from '../../src/core/rng.js';
import { bernoulli } from './rng.js';

const f = Math.fround;

export interface DendriticState {
  yl: Float32Array; ys: Float32Array; a: Float32Array; soma: Float32Array; sig: Float32Array; avg: Float32Array | null;
  spikes: Float32Array; xl: Float32Array; xs: Float32Array;
}

export interface DendriticConsts { lamL: number; lamS: number; pA: number; pB: number; gA: number; gS: number; dS: number; kAvg: number; avgSig: boolean; rate: number }

/** f32_spike_traces: spikes = [u < rate·p], then both traces. */
export function spikeTraces(rng: Rng, rate: number, p: ArrayLike<number>, lamL: number, lamS: number, spikes: Float32Array, xl: Float32Array, xs: Float32Array): void {
  spikes.set(bernoulli(rng, rate, p));
  for (let i = 0; i < spikes.length; i++) {
    xl[i] = f(f(f(lamL) * xl[i]!) + spikes[i]!);
    xs[i] = f(f(f(lamS) * xs[i]!) + spikes[i]!);
  }
}

/** f32_dendritic_step on rows × n units, in place on st; sigmoid(i, soma) gives σ of unit i. */
export function dendriticStep(rows: number, n: number, cur: ArrayLike<number>, bias: ArrayLike<number> | null, drive: ArrayLike<number> | null,
  k: DendriticConsts, st: DendriticState, rng: Rng, sigmoid: (i: number, soma: number) => number): void {
  const [lamL, lamS, pA, pB, gA, gS, dS, kAvg] = [k.lamL, k.lamS, k.pA, k.pB, k.gA, k.gS, k.dS, k.kAvg].map(f);
  for (let i = 0; i < rows * n; i++) {
    const l = f(f(lamL! * st.yl[i]!) + cur[i]!), s = f(f(lamS! * st.ys[i]!) + cur[i]!);
    st.yl[i] = l; st.ys[i] = s;
    let a = f(f(pA! * l) + f(pB! * s));
    if (bias) a = f(a + bias[i % n]!);
    st.a[i] = a;
    let v = f(f(gA! * a) + f(gS! * st.soma[i]!));
    if (drive) v = f(v + f(dS! * drive[i]!));
    st.soma[i] = v;
    st.sig[i] = sigmoid(i, v);
    if (st.avg) st.avg[i] = f(st.avg[i]! + f(kAvg! * (k.avgSig ? st.sig[i]! : v)));
  }
  spikeTraces(rng, k.rate, st.sig, k.lamL, k.lamS, st.spikes, st.xl, st.xs);
}
