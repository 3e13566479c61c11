// The kernels a thread pool splits besides the GEMMs (src/wasm/pool.ts), called through the Backend as the
// library calls them: the event-driven propagation, the fused layer and readout steps (split over rows;
// the Poisson encoder's test is tests/kernels/encode.test.ts), the LIF / ALIF / trace steps and the
// SGD / Adam steps (split over elements) at 2, 3 and 4 threads give exactly the bits of one thread, and of the reference twins where those exist (tests/reference/), on
// sizes smaller than the thread count, 1xN, Nx1 and off every multiple of 4. The pool's size thresholds
// are set to 0 so that every call is split.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../../src/index.js';
import { ELEMENTWISE, ROWWISE } from '../../src/wasm/pool.js';
import { KERNEL_ARITY } from '../../src/wasm/kernels.js';
import { backend, bitsEqual, splitEverything } from '../helpers/setup.js';
import { mulberry32, seeded } from '../helpers/fill.js';
import type { SurrogateShape } from '../../src/backend.js';
import * as refEvent from '../reference/event.js';
import * as refLif from '../reference/lif.js';
import * as refTrace from '../reference/trace.js';
import * as refOptim from '../reference/optim.js';

const THREADS = [2, 3, 4];

const threaded = splitEverything;


function spikes(m: number, k: number, density: number, seed: number): Float32Array {
  const r = mulberry32(seed), s = new Float32Array(m * k);
  for (let i = 0; i < s.length; i++) if (r() < density) s[i] = Math.fround(0.25 + 2 * r());
  return s;
}

test('the split kernels are kernels, and their pointer arguments are their last ones (as the signatures generated from asc say)', () => {
  // The pool moves exactly these arguments with each share: a signature change must show up here.
  for (const [name, ptrs] of Object.entries(ELEMENTWISE)) {
    const arity = (KERNEL_ARITY as Record<string, number>)[name];
    assert.ok(arity !== undefined, `${name} is an exported kernel`);
    assert.equal([...ptrs], Array.from({ length: ptrs.length }, (_, i) => arity! - ptrs.length + i), `${name}: pointers are its last ${ptrs.length} of ${arity} arguments`);
  }
});

test('the row-split kernels are kernels, and the arguments the pool moves are within their signatures', () => {
  for (const [name, spec] of Object.entries(ROWWISE)) {
    const arity = (KERNEL_ARITY as Record<string, number>)[name];
    assert.ok(arity !== undefined, `${name} is an exported kernel`);
    for (const [i] of spec.ptrs) assert.ok(i >= 2 && i < arity!, `${name}: pointer argument ${i} of ${arity}`);
    if (spec.row !== undefined) assert.ok(spec.row >= 2 && spec.row < arity!, `${name}: row argument ${spec.row}`);
  }
});

/**
 * Two fused layer steps (layerStep: LIF or ALIF, with and without the spike list and post) then two
 * readout steps of a rows × n layer from seeded state; returns every buffer and the spike counts.
 */
function layerSteps(lib: Backend, rows: number, n: number, adaptive: boolean, withList: boolean, seed: number, withFrom = false) {
  const N = rows * n, t = (lo: number, hi: number, k: number) => lib.tensor([rows, n], seeded(N, seed + k, lo, hi));
  const cur = t(-0.5, 2, 0), I = t(-0.2, 0.5, 1), v = t(-0.3, 1.1, 2), refrac = lib.tensor([rows, n], Array.from(seeded(N, seed + 3, -2, 3), (x) => Math.max(0, Math.round(x))));
  const adapt = adaptive ? t(0, 1, 4) : null, spikesT = lib.tensor([rows, n]), dstep = lib.tensor([rows, n]), post = t(0, 1, 5), deriv = t(0, 1, 6), acc = t(0, 1, 7);
  const bias = lib.tensor([n], seeded(n, seed + 8, -0.1, 0.1)), m = t(-1, 1, 9);
  const list = withList ? lib.ints('i32', N) : null, counts = withList ? lib.ints('i32', rows) : null;
  const p = adaptive
    ? { decay: 0.9, vTh: 1, vReset: 0, reset: 'subtract' as const, refSteps: 2, surrogate: 10, rho: 0.95, beta: 0.2, surrogateShape: 'triangle' as const }
    : { decay: 0.9, vTh: 1, vReset: 0.1, reset: 'zero' as const, refSteps: 2, surrogate: 10 };
  // withFrom: the propagation fused in, from spike lists of k = 37 inputs at density 0.3; the second step
  // writes neither spikes, dstep nor acc. cur is then per-chunk scratch and not compared.
  const k = 37, rnd = mulberry32(seed), src = lib.ints('i32', rows * k), srcCounts = lib.ints('i32', rows), wt = lib.tensor([k, n], seeded(k * n, seed + 10, -0.5, 0.5));
  for (let r = 0; r < rows; r++) {
    const l = Array.from({ length: k }, (_, j) => j).filter(() => rnd() < 0.3);
    src.data.set(l, r * k); srcCounts.data[r] = l.length;
  }
  const from = withFrom ? { list: src, counts: srcCounts, wt } : null;
  const c: number[] = [];
  for (let s = 0; s < 2; s++) {
    const skip = withFrom && s === 1;
    c.push(lib.layerStep({ cur, bias, I, v, refrac, adapt, spikes: skip ? null : spikesT, dstep: skip ? null : dstep, post: s === 0 ? post : null, deriv,
      acc: skip ? null : acc, list, counts, from }, 0.3, 0.8, p));
  }
  for (let s = 0; s < 2 && !withFrom; s++) lib.readoutStep(cur, bias, I, m, s === 0 ? post : null, 0.3, 0.8, 0.7);
  const out = [...(withFrom ? [] : [cur]), I, v, refrac, spikesT, dstep, post, deriv, acc, m, ...(adapt ? [adapt] : [])].map((x) => x.data.slice());
  src.dispose(); srcCounts.dispose(); wt.dispose();
  const lists = withList ? [Array.from(counts!.data), Array.from(list!.data)] : [];
  for (const x of [cur, I, v, refrac, spikesT, dstep, post, deriv, acc, bias, m, ...(adapt ? [adapt] : [])]) x.dispose();
  list?.dispose(); counts?.dispose();
  return { out, lists, c };
}

test(`layerStep (with and without its propagation fused in) and readoutStep (split over rows) at ${THREADS.join(', ')} threads: the bits, spike lists and counts of one thread`, async () => {
  const one = await backend('release');
  for (const [rows, n] of [[1, 7], [2, 5], [3, 1], [5, 17], [100, 256]] as [number, number][]) {
    for (const adaptive of [false, true]) {
      for (const withList of [false, true]) {
        const seed = rows * 17 + n + (adaptive ? 1000 : 0) + (withList ? 500 : 0), want = layerSteps(one, rows, n, adaptive, withList, seed);
        const wantFrom = layerSteps(one, rows, n, adaptive, withList, seed, true);
        for (const t of THREADS) {
          const got = layerSteps(await threaded(t), rows, n, adaptive, withList, seed), what = `${rows}x${n} ${adaptive ? 'alif' : 'lif'}${withList ? ' with list' : ''} at ${t} threads`;
          assert.equal(got.c, want.c, `${what}: spike counts`);
          got.out.forEach((x, i) => bitsEqual(x, want.out[i]!, `${what}: buffer ${i}`));
          assert.equal(got.lists, want.lists, `${what}: spike lists`);
          const gotFrom = layerSteps(await threaded(t), rows, n, adaptive, withList, seed, true);
          assert.equal(gotFrom.c, wantFrom.c, `${what}, propagation fused: spike counts`);
          gotFrom.out.forEach((x, i) => bitsEqual(x, wantFrom.out[i]!, `${what}, propagation fused: buffer ${i}`));
          assert.equal(gotFrom.lists, wantFrom.lists, `${what}, propagation fused: spike lists`);
        }
      }
    }
  }
});

test(`listSpikes (f32_list_spikes, split over rows) at ${THREADS.join(', ')} threads: the reference twin's 0/1 matrix`, async () => {
  for (const [rows, n] of [[1, 7], [3, 1], [5, 33], [100, 784]] as [number, number][]) {
    const rnd = mulberry32(rows + n), lists = Array.from({ length: rows }, () => Array.from({ length: n }, (_, j) => j).filter(() => rnd() < 0.2));
    for (const t of THREADS) {
      const lib = await threaded(t), list = lib.ints('i32', rows * n), counts = lib.ints('i32', lists.map((l) => l.length)), out = lib.tensor([rows, n]);
      lists.forEach((l, r) => list.data.set(l, r * n));
      out.data.fill(NaN);
      bitsEqual(lib.listSpikes(out, list, counts).data, refEvent.listSpikes(rows, n, lists), `${rows}x${n} at ${t} threads`);
      out.dispose(); list.dispose(); counts.dispose();
    }
  }
});

test(`eventMatmul (f32_event_nn) at ${THREADS.join(', ')} threads: the reference twin's bits and event count`, async () => {
  // m < threads, 1xN, Nx1, k across the K block (256), n off multiples of 4.
  const shapes: [number, number, number][] = [[1, 1, 1], [1, 37, 300], [37, 1, 300], [2, 5, 7], [3, 13, 257], [5, 100, 784], [100, 33, 600]];
  for (const t of THREADS) {
    const lib = await threaded(t);
    for (const [m, n, k] of shapes) {
      for (const density of [0, 0.05, 0.5]) {
        const seed = m * 31 + n * 7 + k + t + Math.round(density * 100);
        const sv = spikes(m, k, density, seed), bv = seeded(k * n, seed + 1);
        const S = lib.tensor([m, k], sv), B = lib.tensor([k, n], bv), C = lib.tensor([m, n]);
        C.data.fill(NaN);
        const events = lib.eventMatmul(C, S, B);
        const what = `${t} threads ${m}x${n}x${k} density ${density}`;
        assert.is(events, sv.filter((x) => x !== 0).length, `${what}: events`);
        bitsEqual(C.data, refEvent.eventNN(m, n, k, sv, bv), what);
        // accumulating, C = α·S·B + β·C: each thread's rows get the factors too
        const c0 = seeded(m * n, seed + 2);
        C.data.set(c0);
        lib.eventMatmul(C, S, B, -0.75, 0.5);
        bitsEqual(C.data, refEvent.eventNN(m, n, k, sv, bv, { alpha: -0.75, beta: 0.5, c: c0 }), `${what}, α −0.75, β 0.5`);
        for (const x of [S, B, C]) x.dispose();
      }
    }
  }
});

type Step = 'lif super' | 'lif triangle' | 'lif exp' | 'alif super' | 'alif triangle' | 'alif exp' | 'trace';
const STEPS: readonly Step[] = ['lif super', 'lif triangle', 'lif exp', 'alif super', 'alif triangle', 'alif exp', 'trace'];

/** Two steps of `step` on n neurons from seeded state; returns every state array and the counts. */
function neuronSteps(lib: Backend, step: Step, n: number, withDeriv: boolean, seed: number): { state: Float32Array[]; counts: number[] } {
  const input = lib.tensor([n], seeded(n, seed, -0.5, 1.5)), v = lib.tensor([n], seeded(n, seed + 1, -0.5, 1.2));
  const refrac = lib.tensor([n], Array.from(seeded(n, seed + 2, -2, 3), (x) => Math.max(0, Math.round(x))));
  const spikesT = lib.tensor([n]), deriv = lib.tensor([n]), adapt = lib.tensor([n], seeded(n, seed + 3, 0, 1));
  const counts: number[] = [];
  const d = withDeriv ? deriv : null, surrogateShape = step.split(' ')[1] as SurrogateShape;
  for (let s = 0; s < 2; s++) {
    const reset = s === 0 ? 'zero' : 'subtract';
    if (step === 'trace') lib.traceStep(v, input, 0.875);
    else if (step.startsWith('alif')) {
      counts.push(lib.alifStep(input, v, refrac, adapt, spikesT, d, { decay: 0.9, vTh: 1, vReset: 0, reset, refSteps: 2, surrogate: 10, rho: 0.95, beta: 0.2, surrogateShape }));
    } else counts.push(lib.lifStep(input, v, refrac, spikesT, d, { decay: 0.9, vTh: 1, vReset: 0.1, reset, refSteps: 2, surrogate: 10, surrogateShape }));
  }
  const state = [v, refrac, spikesT, deriv, adapt].map((x) => x.data.slice());
  for (const x of [input, v, refrac, spikesT, deriv, adapt]) x.dispose();
  return { state, counts };
}

test(`LIF, ALIF and trace steps at ${THREADS.join(', ')} threads: the bits of one thread (and of the reference twins)`, async () => {
  const one = await backend('release');
  for (const n of [1, 2, 3, 5, 17, 1001, 4099]) {
    for (const step of STEPS) {
      for (const withDeriv of [true, false]) {
        const seed = n * 13 + STEPS.indexOf(step) * 101 + (withDeriv ? 1 : 0);
        const want = neuronSteps(one, step, n, withDeriv, seed);
        for (const t of THREADS) {
          const got = neuronSteps(await threaded(t), step, n, withDeriv, seed);
          const what = `${step} n=${n} ${withDeriv ? 'with' : 'without'} deriv at ${t} threads`;
          assert.equal(got.counts, want.counts, `${what}: spike counts`);
          got.state.forEach((s, i) => bitsEqual(s, want.state[i]!, `${what}: state ${i}`));
        }
      }
    }
  }
  // The one-thread kernels against the reference twins on the same data (the threaded ones equal them).
  const n = 1001, lib = await threaded(3);
  const input = seeded(n, 5, -0.5, 1.5), v = seeded(n, 6, -0.5, 1.2), refrac = new Float32Array(n), spikesR = new Float32Array(n), deriv = new Float32Array(n);
  const count = refLif.lifStep({ decay: 0.9, vTh: 1, vReset: 0.1, resetMode: 0, refSteps: 2, k: 10 }, input, v, refrac, spikesR, deriv);
  const I = lib.tensor([n], input), V = lib.tensor([n], seeded(n, 6, -0.5, 1.2)), R = lib.tensor([n]), S = lib.tensor([n]), D = lib.tensor([n]);
  assert.is(lib.lifStep(I, V, R, S, D, { decay: 0.9, vTh: 1, vReset: 0.1, reset: 'zero', refSteps: 2, surrogate: 10 }), count);
  bitsEqual(V.data, v, 'lif v vs reference'); bitsEqual(S.data, spikesR, 'lif spikes vs reference'); bitsEqual(D.data, deriv, 'lif deriv vs reference');
  const x = seeded(n, 7), X = lib.tensor([n], x);
  refTrace.traceStep(0.875, input, x);
  lib.traceStep(X, I, 0.875);
  bitsEqual(X.data, x, 'trace vs reference');
  for (const t of [I, V, R, S, D, X]) t.dispose();
});

test(`SGD and Adam steps at ${THREADS.join(', ')} threads: the reference twins' bits`, async () => {
  for (const t of THREADS) {
    const lib = await threaded(t);
    for (const n of [1, 3, 5, 17, 1001, 4099]) {
      const seed = n + 10 * t;
      for (const mu of [0, 0.9]) {
        const g = seeded(n, seed), vel = seeded(n, seed + 1, -0.1, 0.1), w = seeded(n, seed + 2);
        const G = lib.tensor([n], g), V = lib.tensor([n], vel), W = lib.tensor([n], w);
        lib.sgdStep(W, G, V, 0.05, mu, 1e-3);
        refOptim.sgdStep(0.05, mu, 1e-3, g, vel, w);
        bitsEqual(W.data, w, `sgd momentum ${mu} n=${n} at ${t} threads: w`);
        bitsEqual(V.data, vel, `sgd momentum ${mu} n=${n} at ${t} threads: velocity`);
        for (const x of [G, V, W]) x.dispose();
      }
      const g = seeded(n, seed), m = seeded(n, seed + 1, -0.1, 0.1), v = seeded(n, seed + 2, 0, 0.01), w = seeded(n, seed + 3);
      const G = lib.tensor([n], g), M = lib.tensor([n], m), V = lib.tensor([n], v), W = lib.tensor([n], w);
      lib.adamStep(W, G, M, V, 1e-3, 0.9, 0.999, 1e-8, 1e-4, 0.19, 0.002);
      refOptim.adamStep(1e-3, 0.9, 0.999, 1e-8, 1e-4, 0.19, 0.002, g, m, v, w);
      bitsEqual(W.data, w, `adam n=${n} at ${t} threads: w`);
      bitsEqual(M.data, m, `adam n=${n} at ${t} threads: m`);
      bitsEqual(V.data, v, `adam n=${n} at ${t} threads: v`);
      for (const x of [G, M, V, W]) x.dispose();
    }
  }
});

test(`the activations and f32_mul at ${THREADS.join(', ')} threads: the bits of one thread`, async () => {
  const one = await backend('release');
  const acts = Object.keys(ELEMENTWISE).filter((name) => name.endsWith('_fwd'));
  assert.ok(acts.length >= 8, 'every activation kernel is split');
  /** post and deriv (or z of f32_mul) of one call of `name` on n seeded elements. */
  const call = (lib: Backend, name: string, n: number, withDeriv: boolean, seed: number): Float32Array[] => {
    const a = lib.tensor([n], seeded(n, seed, -4, 4)), b = lib.tensor([n], seeded(n, seed + 1)), c = lib.tensor([n]), d = lib.tensor([n]);
    c.data.fill(NaN); d.data.fill(NaN);
    const k = lib.kernels as unknown as Record<string, (...args: number[]) => void>;
    if (name === 'f32_mul') k[name]!(n, a.ptr, b.ptr, c.ptr);
    else k[name]!(n, 0.1, 1.5, 0.25, a.ptr, c.ptr, withDeriv ? d.ptr : 0);
    const out = [c.data.slice(), d.data.slice()];
    for (const x of [a, b, c, d]) x.dispose();
    return out;
  };
  for (const t of THREADS) {
    const lib = await threaded(t);
    for (const name of [...acts, 'f32_mul']) {
      for (const n of [1, 3, 5, 17, 1001, 4099]) {
        for (const withDeriv of [true, false]) {
          const seed = n * 7 + t, want = call(one, name, n, withDeriv, seed), got = call(lib, name, n, withDeriv, seed);
          want.forEach((w, i) => bitsEqual(got[i]!, w, `${name} n=${n} ${withDeriv ? 'with' : 'without'} deriv at ${t} threads: output ${i}`));
        }
      }
    }
  }
});

test.run();
