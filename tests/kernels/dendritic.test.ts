// f32_dendritic_step and f32_spike_traces (the spiking three-compartment layer's step): bit for bit
// equal to the sequence of kernels they fuse and to the reference twin (σ within the sigmoid's bound),
// the random stream advanced exactly as by f32_bernoulli, on awkward shapes, both builds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { seeded } from '../helpers/fill.js';
import { Rng } from '../../src/core/rng.js';
import { SIGMOID } from '../../src/neurons/dendritic.js';
import * as ref from '../reference/dendritic.js';
import type { Backend, SpikeLists } from '../../src/backend.js';
import type { Tensor } from '../../src/core/tensor.js';

const NAMES = ['yl', 'ys', 'a', 'soma', 'sig', 'avg', 'spikes', 'xl', 'xs'] as const;
const U = 2 ** -24;

function state(lib: Backend, rows: number, n: number, seed: number): Record<(typeof NAMES)[number], Tensor> {
  return Object.fromEntries(NAMES.map((k, i) => [k, lib.tensor([rows, n], k === 'spikes' || k === 'sig' ? new Float32Array(rows * n) : seeded(rows * n, seed + i, k === 'soma' ? -4 : -1, k === 'soma' ? 4 : 1))])) as never;
}

for (const build of BUILDS) {
  test(`[${build}] dendriticStep equals the kernels it fuses and its reference bit for bit; spikeTraces equals bernoulli + traceStep`, async () => {
    const lib = await backend(build);
    for (const [rows, n] of [[1, 1], [1, 3], [2, 5], [5, 10], [3, 17], [5, 100], [2, 500]] as [number, number][]) {
      for (const mode of ['hidden', 'output', 'target', 'plain'] as const) {
        const seed = rows * 131 + n * 7 + mode.length, what = `${rows}x${n} ${mode}`;
        const cur = lib.tensor([rows, n], seeded(rows * n, seed, 0, 3)), bias = mode === 'plain' ? null : lib.tensor([n], seeded(n, seed + 50));
        const drive = mode === 'target' ? lib.tensor([rows, n], seeded(rows * n, seed + 60, -8, 8)) : null;
        const k = { lamL: Math.exp(-1 / 10), lamS: Math.exp(-1 / 3), pA: 1 / 7, pB: -1 / 7, gA: 0.6, gS: mode === 'target' ? 1 - 1.7 : 1 - 0.7, dS: 1, kAvg: mode === 'target' ? 0.2 / 70 : 1 / 70, avgSig: mode === 'target', rate: 0.2 };
        const A = state(lib, rows, n, seed), B = state(lib, rows, n, seed);
        const avgA = mode === 'plain' ? null : A.avg;
        const rngA = lib.rng(seed), rngB = lib.rng(seed), rngR = new Rng(seed);
        const twin = Object.fromEntries(NAMES.map((key) => [key, A[key].toArray()])) as unknown as ref.DendriticState;
        if (!avgA) twin.avg = null;
        lib.dendriticStep({ cur, yl: A.yl, ys: A.ys, bias, a: A.a, soma: A.soma, drive, sig: A.sig, avg: avgA, spikes: A.spikes, xl: A.xl, xs: A.xs }, k, rngA);
        // the sequence it replaces
        lib.traceStep(B.yl, cur, k.lamL); lib.traceStep(B.ys, cur, k.lamS);
        lib.scaleAdd(B.a, k.pA, B.yl, k.pB, B.ys);
        if (bias) lib.addRow(B.a, bias);
        lib.axpby(B.soma, k.gA, B.a, k.gS);
        if (drive) lib.axpy(B.soma, k.dS, drive);
        lib.activate(SIGMOID, B.sig, B.soma);
        if (avgA) lib.axpy(B.avg, k.kAvg, k.avgSig ? B.sig : B.soma);
        rngB.bernoulli(B.spikes, B.sig, k.rate);
        lib.traceStep(B.xl, B.spikes, k.lamL); lib.traceStep(B.xs, B.spikes, k.lamS);
        for (const key of NAMES) close(A[key].data, B[key].data, { ulps: 0 }, `${what}: ${key} vs the kernel sequence`);
        assert.equal(Array.from(rngA.state()), Array.from(rngB.state()), `${what}: the stream advanced as by bernoulli`);
        const sigK = A.sig.toArray();
        ref.dendriticStep(rows, n, cur.toArray(), bias?.toArray() ?? null, drive?.toArray() ?? null, k, twin, rngR, (i) => sigK[i]!);
        for (const key of NAMES) if (twin[key]) close(A[key].data, twin[key]!, { ulps: 0 }, `${what}: ${key} vs reference`);
        // σ itself: the f64 logistic of the kernel's soma, within the sigmoid kernel's bound (exp's error + 3 roundings)
        const soma = A.soma.toArray();
        close(A.sig.data, soma.map((v) => 1 / (1 + Math.exp(-v))), { rel: 2 ** -20 + 3 * U }, `${what}: sigmoid`);
        assert.ok(A.spikes.toArray().some((x) => x === 1) || rows * n < 20, `${what}: some spikes`);
        for (const t of [cur, bias, drive, ...Object.values(A), ...Object.values(B)]) t?.dispose();
        rngA.dispose(); rngB.dispose();
      }
    }
    // the input layer's step
    const p = lib.tensor([3, 37], seeded(111, 9, 0, 1)), s1 = lib.tensor([3, 37]), s2 = lib.tensor([3, 37]);
    const x = [0, 1, 2, 3].map((i) => lib.tensor([3, 37], seeded(111, 20 + i, 0, 2)));
    x[2]!.data.set(x[0]!.data); x[3]!.data.set(x[1]!.data);
    const r1 = lib.rng(5), r2 = lib.rng(5);
    lib.spikeTraces(s1, p, 0.2, r1, x[0]!, 0.9, x[1]!, 0.7);
    r2.bernoulli(s2, p, 0.2); lib.traceStep(x[2]!, s2, 0.9); lib.traceStep(x[3]!, s2, 0.7);
    close(s1.data, s2.data, { ulps: 0 }, 'spikeTraces: spikes');
    close(x[0]!.data, x[2]!.data, { ulps: 0 }, 'spikeTraces: xl');
    close(x[1]!.data, x[3]!.data, { ulps: 0 }, 'spikeTraces: xs');
    assert.equal(Array.from(r1.state()), Array.from(r2.state()), 'spikeTraces: the stream');
  });
}

/** Lists as the kernels take them: row r's entries at r·width, the counts apart. */
function lists(lib: Backend, rows: number, width: number, rowsOf: number[][] = []): SpikeLists {
  const list = lib.ints('i32', rows * width), counts = lib.ints('i32', rows);
  rowsOf.forEach((l, r) => { counts.data[r] = l.length; l.forEach((j, e) => { list.data[r * width + e] = j; }); });
  return { list, counts };
}
const read = (l: SpikeLists, rows: number, width: number) =>
  Array.from({ length: rows }, (_, r) => Array.from(l.list.data.subarray(r * width, r * width + l.counts.data[r]!)));

for (const build of BUILDS) {
  test(`[${build}] dendriticLayerStep equals eventListMatmul + dendriticStep + two axpy and its reference bit for bit`, async () => {
    const lib = await backend(build);
    // k > 256 crosses the GEMM's input blocks; n = 1, 3, 17 leave SIMD tails
    for (const [rows, n, k] of [[1, 1, 1], [2, 3, 5], [5, 10, 13], [3, 17, 300], [5, 100, 500], [2, 500, 784]] as [number, number, number][]) {
      for (const mode of ['hidden', 'output', 'target', 'plain'] as const) {
        for (const [traces, withPbar] of [[true, true], [true, false], [false, false]] as [boolean, boolean][]) {
          const seed = rows * 131 + n * 7 + k + mode.length + (traces ? 3 : 0) + (withPbar ? 5 : 0), what = `${rows}x${n} from ${k} ${mode} traces=${traces} pbar=${withPbar}`;
          const r = new Rng(seed);
          const src = Array.from({ length: rows }, () => Array.from({ length: k }, (_, j) => j).filter(() => r.uniform() < 0.2));
          const wt = lib.tensor([k, n], seeded(k * n, seed + 1, -1, 1)), bias = mode === 'plain' ? null : lib.tensor([n], seeded(n, seed + 50));
          const drive = mode === 'target' ? lib.tensor([rows, n], seeded(rows * n, seed + 60, -8, 8)) : null;
          const kc = { lamL: Math.exp(-1 / 10), lamS: Math.exp(-1 / 3), pA: 1 / 7, pB: -1 / 7, gA: 0.6, gS: mode === 'target' ? 1 - 1.7 : 1 - 0.7, dS: 1,
            kAvg: mode === 'target' ? 0.2 / 70 : 1 / 70, avgSig: mode === 'target', rate: 0.2, traces, kL: 1 / 490, kS: -1 / 490 };
          const A = state(lib, rows, n, seed), B = state(lib, rows, n, seed);
          const pA = lib.tensor([rows, n], seeded(rows * n, seed + 70, 0, 1)), pB = lib.tensor([rows, n], pA.toArray());
          const curA = lib.tensor([rows, n]), curB = lib.tensor([rows, n]);
          const avgA = mode === 'plain' ? null : A.avg;
          const twin = { ...Object.fromEntries(NAMES.map((key) => [key, A[key].toArray()])), cur: new Float32Array(rows * n), pbar: withPbar ? pA.toArray() : null } as unknown as Parameters<typeof ref.dendriticLayerStep>[8];
          if (!avgA) twin.avg = null;
          const rngA = lib.rng(seed), rngB = lib.rng(seed), rngR = new Rng(seed);
          const inA = lists(lib, rows, k, src), out = lists(lib, rows, n);
          const spikes = lib.dendriticLayerStep({ src: inA, wt, out, pbar: withPbar ? pA : null, cur: curA, yl: A.yl, ys: A.ys, bias, a: A.a, soma: A.soma,
            drive, sig: A.sig, avg: avgA, spikes: A.spikes, xl: A.xl, xs: A.xs }, kc, rngA);
          // the sequence it replaces
          lib.eventListMatmul(curB, inA.list, inA.counts, wt);
          const xl0 = B.xl.toArray(), xs0 = B.xs.toArray();
          lib.dendriticStep({ cur: curB, yl: B.yl, ys: B.ys, bias, a: B.a, soma: B.soma, drive, sig: B.sig, avg: mode === 'plain' ? null : B.avg, spikes: B.spikes, xl: B.xl, xs: B.xs }, kc, rngB);
          if (!traces) { B.xl.data.set(xl0); B.xs.data.set(xs0); } // not run: left as they were
          if (withPbar) { lib.axpy(pB, kc.kL, B.xl); lib.axpy(pB, kc.kS, B.xs); }
          close(curA.data, curB.data, { ulps: 0 }, `${what}: cur vs the kernel sequence`);
          for (const key of NAMES) close(A[key].data, B[key].data, { ulps: 0 }, `${what}: ${key} vs the kernel sequence`);
          close(pA.data, pB.data, { ulps: 0 }, `${what}: pbar vs the kernel sequence`);
          assert.equal(Array.from(rngA.state()), Array.from(rngB.state()), `${what}: the stream advanced as by bernoulli`);
          const got = read(out, rows, n), sp = A.spikes.toArray();
          assert.equal(got, Array.from({ length: rows }, (_, q) => Array.from({ length: n }, (_, i) => i).filter((i) => sp[q * n + i] === 1)), `${what}: lists = the spikes`);
          assert.is(spikes, got.flat().length, `${what}: the returned count`);
          const sigK = A.sig.toArray();
          const tl = ref.dendriticLayerStep(rows, n, k, src, wt.toArray(), bias?.toArray() ?? null, drive?.toArray() ?? null, kc, twin, rngR, (i) => sigK[i]!);
          assert.equal(got, tl, `${what}: lists vs reference`);
          for (const key of [...NAMES, 'cur'] as const) if (twin[key]) close((key === 'cur' ? curA : A[key]).data, twin[key]!, { ulps: 0 }, `${what}: ${key} vs reference`);
          if (twin.pbar) close(pA.data, twin.pbar, { ulps: 0 }, `${what}: pbar vs reference`);
          for (const t of [wt, bias, drive, pA, pB, curA, curB, ...Object.values(A), ...Object.values(B)]) t?.dispose();
          rngA.dispose(); rngB.dispose();
        }
      }
    }
  });

  test(`[${build}] dendriticInputStep: every pixel listed equals spikeTraces; lit pixels only equals its reference`, async () => {
    const lib = await backend(build);
    for (const [rows, n] of [[1, 1], [2, 7], [3, 37], [5, 784]] as [number, number][]) {
      const seed = rows * 17 + n, what = `${rows}x${n}`;
      const p = lib.tensor([rows, n], seeded(rows * n, seed, 0, 1));
      for (let i = 0; i < rows * n; i += 3) p.data[i] = 0; // unlit pixels
      const xl = lib.tensor([rows, n], seeded(rows * n, seed + 1, 0, 2)), xs = lib.tensor([rows, n], seeded(rows * n, seed + 2, 0, 2));
      // every pixel listed (probability 0 included): the stream and the traces of bernoulli + two traceStep
      const all = { idx: lists(lib, rows, n, Array.from({ length: rows }, () => Array.from({ length: n }, (_, i) => i))), q: lib.tensor([rows, n], p.toArray().map((x) => Math.fround(Math.fround(0.2) * x))) };
      const lit = { idx: all.idx.list, q: all.q, counts: all.idx.counts } as never;
      const x1 = [lib.tensor([rows, n], xl.toArray()), lib.tensor([rows, n], xs.toArray())], x2 = [lib.tensor([rows, n], xl.toArray()), lib.tensor([rows, n], xs.toArray())];
      const out = lists(lib, rows, n), s2 = lib.tensor([rows, n]);
      const r1 = lib.rng(seed), r2 = lib.rng(seed);
      const count = lib.dendriticInputStep(rows, n, { lit, out, xl: x1[0]!, xs: x1[1]!, pbar: null }, r1, true, 0.9, 0.7, 0, 0);
      lib.spikeTraces(s2, p, 0.2, r2, x2[0]!, 0.9, x2[1]!, 0.7);
      const sp = s2.toArray();
      assert.equal(read(out, rows, n), Array.from({ length: rows }, (_, q) => Array.from({ length: n }, (_, i) => i).filter((i) => sp[q * n + i] === 1)), `${what}: all listed: spikes`);
      assert.is(count, sp.filter((x) => x === 1).length, `${what}: the count`);
      close(x1[0]!.data, x2[0]!.data, { ulps: 0 }, `${what}: all listed: xl`);
      close(x1[1]!.data, x2[1]!.data, { ulps: 0 }, `${what}: all listed: xs`);
      assert.equal(Array.from(r1.state()), Array.from(r2.state()), `${what}: all listed: the stream`);
      // the lit pixels from poissonPrepare: one draw each, traces and p̄ on them only
      const litP = { idx: lib.ints('i32', rows * n), q: lib.tensor([rows, n]), counts: lib.ints('i32', rows) } as never as Parameters<Backend['poissonPrepare']>[2];
      lib.poissonPrepare(p, 0.2, litP);
      const pbar = lib.tensor([rows, n], seeded(rows * n, seed + 3)), tw = { xl: xl.toArray(), xs: xs.toArray(), pbar: pbar.toArray() };
      const x3 = [lib.tensor([rows, n], xl.toArray()), lib.tensor([rows, n], xs.toArray())], out3 = lists(lib, rows, n), r3 = lib.rng(seed + 9), rr = new Rng(seed + 9);
      lib.dendriticInputStep(rows, n, { lit: litP, out: out3, xl: x3[0]!, xs: x3[1]!, pbar }, r3, true, 0.9, 0.7, 0.01, -0.01);
      const litRows = read({ list: litP.idx, counts: litP.counts } as never, rows, n);
      const want = ref.dendriticInputStep(rows, n, litRows, litP.q.toArray(), rr, { lamL: 0.9, lamS: 0.7, traces: true, kL: 0.01, kS: -0.01 }, tw.xl, tw.xs, tw.pbar);
      assert.equal(read(out3, rows, n), want, `${what}: lit only: spikes vs reference`);
      close(x3[0]!.data, tw.xl, { ulps: 0 }, `${what}: lit only: xl vs reference`);
      close(x3[1]!.data, tw.xs, { ulps: 0 }, `${what}: lit only: xs vs reference`);
      close(pbar.data, tw.pbar, { ulps: 0 }, `${what}: lit only: pbar vs reference`);
      assert.equal(Array.from(r3.state()), Array.from(rr.state()), `${what}: one draw per lit pixel`);
    }
  });
}

test('dendriticStep / spikeTraces: wrong sizes, aliasing and non-finite constants are clear errors', async () => {
  const lib = await backend();
  const t = () => lib.tensor([2, 4]), rng = lib.rng(1);
  const b = { cur: t(), yl: t(), ys: t(), bias: lib.tensor([4]), a: t(), soma: t(), drive: null, sig: t(), avg: null, spikes: t(), xl: t(), xs: t() };
  const k = { lamL: 0.9, lamS: 0.7, pA: 1, pB: -1, gA: 0.6, gS: 0.3, dS: 1, kAvg: 0.1, avgSig: false, rate: 0.2 };
  throwsClearly(() => lib.dendriticStep({ ...b, soma: lib.tensor([2, 3]) }, k, rng), /dendriticStep/, /soma/);
  throwsClearly(() => lib.dendriticStep({ ...b, bias: lib.tensor([3]) }, k, rng), /dendriticStep/, /bias/);
  throwsClearly(() => lib.dendriticStep({ ...b, sig: b.soma }, k, rng), /dendriticStep/, /must not share memory/);
  throwsClearly(() => lib.dendriticStep({ ...b, yl: b.cur }, k, rng), /dendriticStep/, /must not share memory/);
  throwsClearly(() => lib.dendriticStep(b, { ...k, gA: NaN }, rng), /dendriticStep/, /gA/);
  throwsClearly(() => lib.spikeTraces(t(), lib.tensor([3]), 0.2, rng, t(), 0.9, t(), 0.7), /spikeTraces/, /p/);
  throwsClearly(() => lib.spikeTraces(b.xl, b.cur, 0.2, rng, b.xl, 0.9, t(), 0.7), /spikeTraces/, /must not share memory/);
});

test('dendriticLayerStep checks a buffers object again whenever one of its buffers changes (it skips the checks only for the same live buffers)', async () => {
  for (const build of ['release', 'debug'] as const) {
    const lib = await backend(build), rows = 2, n = 4, k = 3;
    const t = () => lib.tensor([rows, n]);
    const b = { src: lists(lib, rows, k, [[0, 2], [1]]), wt: lib.tensor([k, n], seeded(k * n, 1)), out: lists(lib, rows, n), pbar: null as Tensor | null,
      cur: t(), yl: t(), ys: t(), bias: null, a: t(), soma: t(), drive: null, sig: t(), avg: null as Tensor | null, spikes: t(), xl: t(), xs: t() };
    const kc = { lamL: 0.9, lamS: 0.7, pA: 1 / 7, pB: -1 / 7, gA: 0.6, gS: 0.3, dS: 1, kAvg: 0.1, avgSig: false, rate: 0.2, traces: true, kL: 0.01, kS: -0.01 };
    const rng = lib.rng(1), step = () => lib.dendriticLayerStep(b, kc, rng);
    step(); step(); // checked once, then the same buffers
    b.avg = b.sig;
    throwsClearly(step, /dendriticLayerStep/, /sig and avg must not share memory/);
    b.avg = lib.tensor([rows, n + 1]);
    throwsClearly(step, /dendriticLayerStep/, /avg \[2, 5\] has 10 elements, expected 8/);
    b.avg = t(); step(); // a new buffer of the right size passes
    b.avg.dispose();
    throwsClearly(step, /dendriticLayerStep/, /avg .* was disposed/);
    b.avg = null; step();
    b.pbar = b.xl;
    throwsClearly(step, /dendriticLayerStep/, /must not share memory/);
    b.pbar = null; step();
    const out = b.out;
    b.out = lists(lib, 1, n);
    throwsClearly(step, /dendriticLayerStep \(out\)/, /list needs at least 8 slots/);
    b.out = out; step();
    b.xs.dispose(); // disposed in place: the same object, no longer live
    throwsClearly(step, /dendriticLayerStep/, /xs .* was disposed/);
    b.xs = t(); step();
    throwsClearly(() => lib.dendriticLayerStep(b, { ...kc, gA: NaN }, rng), /dendriticLayerStep/, /gA/); // the constants, every call
  }
});

test.run();
