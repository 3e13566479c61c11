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
import type { Backend } from '../../src/backend.js';
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

test.run();
