// Slow twin of assembly/kernels/dendritic.ts (a spiking three-compartment layer's step). Every float
// operation is rounded with Math.fround in the kernel's order; the sigmoid is the caller's (the kernel's
// exp is a polynomial: the test checks σ against the f64 sigmoid within its bound and feeds the twin
// the kernel's σ, so the spikes and traces downstream are compared bit for bit).
import type { Rng } from '../../src/core/rng.js';
import { bernoulli } from './rng.js';
import { eventListNN } from './event.js';

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

/** f32_dendritic_layer_step: cur = the sum of Wᵀ's rows listed per row (eventListNN), dendriticStep's
 *  chain, then per unit s = [u < rate·σ] with the spike list, and (traces) x_L, x_S and (pbar) the two
 *  sums. Returns the lists. */
export function dendriticLayerStep(rows: number, n: number, k: number, src: number[][], wt: ArrayLike<number>, bias: ArrayLike<number> | null,
  drive: ArrayLike<number> | null, kc: DendriticConsts & { traces: boolean; kL: number; kS: number }, st: DendriticState & { cur: Float32Array; pbar: Float32Array | null },
  rng: Rng, sigmoid: (i: number, soma: number) => number): number[][] {
  st.cur.set(eventListNN(rows, n, k, src, wt));
  const xl = st.xl.slice(), xs = st.xs.slice();
  dendriticStep(rows, n, st.cur, bias, drive, kc, { ...st, xl, xs }, rng, sigmoid);
  return spikeLists(rows, n, st.spikes, kc, st.xl, st.xs, st.pbar);
}

/** f32_dendritic_input_step: draws for the lit pixels only (lit[r] their indices, q their probabilities in the same order). */
export function dendriticInputStep(rows: number, n: number, lit: number[][], q: ArrayLike<number>, rng: Rng,
  kc: { lamL: number; lamS: number; traces: boolean; kL: number; kS: number }, xl: Float32Array, xs: Float32Array, pbar: Float32Array | null): number[][] {
  const spikes = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    lit[r]!.forEach((i, e) => { spikes[r * n + i] = bernoulli(rng, 1, [q[r * n + e]!])[0]!; }); // q in list order
  }
  // the pixels not listed never spike and their traces stay as they are (at rest)
  const keep = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) for (const i of lit[r]!) keep[r * n + i] = 1;
  return spikeLists(rows, n, spikes, kc, xl, xs, pbar, keep);
}

function spikeLists(rows: number, n: number, spikes: Float32Array, kc: { lamL: number; lamS: number; traces: boolean; kL: number; kS: number },
  xl: Float32Array, xs: Float32Array, pbar: Float32Array | null, only: Float32Array | null = null): number[][] {
  const lists: number[][] = [];
  for (let r = 0; r < rows; r++) {
    lists.push([]);
    for (let i = 0; i < n; i++) {
      const j = r * n + i, s = spikes[j]!;
      if (s) lists[r]!.push(i);
      if (!kc.traces || (only && !only[j])) continue;
      xl[j] = f(f(f(kc.lamL) * xl[j]!) + s);
      xs[j] = f(f(f(kc.lamS) * xs[j]!) + s);
      if (pbar) pbar[j] = f(f(pbar[j]! + f(f(kc.kL) * xl[j]!)) + f(f(kc.kS) * xs[j]!));
    }
  }
  return lists;
}
