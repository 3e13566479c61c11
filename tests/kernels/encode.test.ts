// The counter-based Poisson encoder (assembly/kernels/encode.ts, Backend.poissonStep): bit for bit its
// BigInt twin (tests/reference/encode.ts) on both builds and awkward shapes, as 0/1 spikes and as spike
// lists, also drawn for the window's lit pixels only (poissonPrepare, poissonSparseStep); rows encoded apart or in one call, and on 1–4 threads, give the same bits; the spike statistics match the Bernoulli process
// it stands for (rate per pixel, independence across rows, steps and windows).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { seeded } from '../helpers/fill.js';
import { throwsClearly } from '../helpers/close.js';
import { load, type Backend } from '../../src/index.js';
import { poolOf } from '../../src/wasm/threads.js';
import * as ref from '../reference/encode.js';

/** Intensities in [0, 1] with about 60 % exact zeros, plus awkward values (p > 1, p < 0) at fixed places. */
function image(rows: number, n: number, seed: number): Float32Array {
  const u = seeded(rows * n, seed, 0, 1), v = seeded(rows * n, seed + 1, 0, 1);
  const p = u.map((x, i) => (v[i]! < 0.6 ? 0 : x));
  if (p.length > 2) { p[1] = 1.5; p[2] = -0.25; }
  return p;
}

/**
 * One step encoded three ways: 0/1 only, lists only (out null), both at once. The lists must name the
 * 0/1 output's spikes, row by row in increasing order, and every call give the same spikes and count.
 */
function encode(lib: Backend, p: Float32Array, rows: number, n: number, scale: number, seed: number, window: number, step: number, row0 = 0) {
  const P = lib.tensor([rows, n], p), out = lib.tensor([rows, n], new Float32Array(rows * n).fill(NaN));
  const lists = { list: lib.ints('i32', rows * n), counts: lib.ints('i32', rows) };
  const count = lib.poissonStep(out, P, scale, seed, window, step, row0);
  const bits = out.data.slice();
  const what = `${rows}x${n} seed ${seed} window ${window} step ${step}`;
  assert.is(lib.poissonStep(null, P, scale, seed, window, step, row0, lists), count, `${what}: count with lists only`);
  const named = (): number[][] => Array.from({ length: rows }, (_, r) => Array.from(lists.list.data.subarray(r * n, r * n + lists.counts.data[r]!)));
  const want = Array.from({ length: rows }, (_, r) => Array.from({ length: n }, (_, i) => i).filter((i) => bits[r * n + i] === 1));
  assert.equal(named(), want, `${what}: the lists name the spikes`);
  lists.counts.data.fill(-1);
  out.data.fill(NaN);
  assert.is(lib.poissonStep(out, P, scale, seed, window, step, row0, lists), count, `${what}: count with both`);
  assert.equal(Array.from(out.data), Array.from(bits), `${what}: the spikes with lists too`);
  assert.equal(named(), want, `${what}: the lists beside the spikes`);
  // the window's lit pixels once, then the step drawing for those only: the same lists
  const lit = { idx: lib.ints('i32', rows * n), q: lib.tensor([rows * n]), counts: lib.ints('i32', rows) };
  const nnz = lib.poissonPrepare(P, scale, lit), refLit = ref.poissonPrepare(rows, n, scale, p);
  assert.is(nnz, refLit.idx.flat().length, `${what}: lit pixels`);
  assert.equal(Array.from({ length: rows }, (_, r) => Array.from(lit.idx.data.subarray(r * n, r * n + lit.counts.data[r]!))), refLit.idx, `${what}: lit pixels vs reference`);
  assert.equal(Array.from({ length: rows }, (_, r) => Array.from(lit.q.data.subarray(r * n, r * n + lit.counts.data[r]!))), refLit.q, `${what}: their probabilities vs reference`);
  lists.counts.data.fill(-1);
  assert.is(lib.poissonSparseStep(rows, n, lit, seed, window, step, row0, lists), count, `${what}: count drawing for the lit pixels only`);
  assert.equal(named(), want, `${what}: the lists drawing for the lit pixels only`);
  assert.equal(named(), ref.poissonSparseRows(seed, window, step, row0, refLit), `${what}: the same vs reference`);
  P.dispose(); out.dispose(); lists.list.dispose(); lists.counts.dispose(); lit.idx.dispose(); lit.q.dispose(); lit.counts.dispose();
  return { count, bits };
}

const SHAPES: [number, number][] = [[1, 1], [1, 3], [3, 1], [2, 5], [4, 7], [3, 17], [5, 784], [1, 1000]];

for (const build of BUILDS) {
  test(`[${build}] poissonStep equals its BigInt twin on awkward shapes, seeds, windows, steps, row offsets`, async () => {
    const lib = await backend(build);
    let k = 0;
    for (const [rows, n] of SHAPES) {
      for (const [scale, seed, window, step, row0] of [[0.1, 1, 0, 0, 0], [0.9, -7, 12345, 49, 3], [1, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 20, 99]] as const) {
        const p = image(rows, n, 100 + k++);
        const got = encode(lib, p, rows, n, scale, seed, window, step, row0);
        const want = new Float32Array(rows * n);
        const count = ref.poissonRows(rows, n, scale, seed, window, step, row0, p, want);
        assert.equal(Array.from(got.bits), Array.from(want), `${rows}x${n}, seed ${seed}, window ${window}, step ${step}, row0 ${row0}`);
        assert.is(got.count, count);
      }
    }
  });
}

test('a pixel of probability <= 0 never spikes, one of probability >= 1 always does; rows encoded apart equal rows encoded together', async () => {
  const lib = await backend();
  const rows = 6, n = 37, p = image(rows, n, 9);
  p[5] = 0; p[6] = 2; p[7] = -1;
  const all = encode(lib, p, rows, n, 0.5, 3, 8, 2);
  for (let i = 0; i < p.length; i++) {
    const q = Math.fround(0.5 * p[i]!);
    if (q <= 0) assert.is(all.bits[i], 0, `p = ${p[i]} at ${i}`);
    if (q >= 1) assert.is(all.bits[i], 1, `p = ${p[i]} at ${i}`);
  }
  // rows [0, 2) and [2, 6) in two calls with the matching row offset give the same bits
  const a = encode(lib, p.subarray(0, 2 * n), 2, n, 0.5, 3, 8, 2, 0), b = encode(lib, p.subarray(2 * n), 4, n, 0.5, 3, 8, 2, 2);
  assert.equal([...a.bits, ...b.bits], Array.from(all.bits));
  assert.is(a.count + b.count, all.count);
  assert.throws(() => encode(lib, p, rows, n, NaN, 3, 8, 2), /poissonStep: scale must be a finite number, got NaN/);
  assert.throws(() => encode(lib, p, rows, n, 0.5, 3, -1, 2), /poissonStep: window must be an integer in \[0, 4294967295\], got -1/);
});

test('spike statistics: rate per pixel within a binomial bound, no correlation across pixels, rows, steps and windows', async () => {
  // One pixel column of R rows at probability q, over T steps of W windows: N = R·T·W independent
  // Bernoulli(q) draws if the encoder is right. The spike count is Binomial(N, q): mean Nq, sd
  // sqrt(Nq(1 − q)); we allow 5 sd (a false failure has probability below 1e-6 per check). A pair of
  // draws that should be independent spikes together with probability q²: the number of such pairs among
  // M is Binomial(M, q²), checked the same way (q·q' for two pixels of probabilities q, q'). Pairs:
  // neighbouring pixels of one row and step (their draws are consecutive terms of one hashed sequence),
  // neighbouring rows at one step (same window), consecutive steps of one row, the same (row, step) in
  // consecutive windows.
  const lib = await backend();
  const R = 200, n = 4, T = 20, W = 5;
  const xs = [0.05, 0.3, 0.5, 0.97]; // one probability per column; scale 1
  const p = new Float32Array(R * n).map((_, i) => xs[i % n]!);
  const s: Float32Array[][] = []; // s[w][t]: the R×n spikes
  for (let w = 0; w < W; w++) {
    s.push([]);
    for (let t = 0; t < T; t++) s[w]!.push(encode(lib, p, R, n, 1, 77, w, t).bits);
  }
  const within = (got: number, trials: number, q: number, what: string) => {
    const mean = trials * q, sd = Math.sqrt(trials * q * (1 - q));
    assert.ok(Math.abs(got - mean) <= 5 * sd, `${what}: ${got} of ${trials}, expected ${mean.toFixed(1)} ± ${(5 * sd).toFixed(1)}`);
  };
  xs.forEach((x, j) => {
    const q = Math.fround(x);
    let spikes = 0, pixelPairs = 0, rowPairs = 0, stepPairs = 0, windowPairs = 0;
    const next = j + 1 < n ? Math.fround(xs[j + 1]!) : NaN;
    for (let w = 0; w < W; w++) {
      for (let t = 0; t < T; t++) {
        const cur = s[w]![t]!;
        for (let r = 0; r < R; r++) {
          const v = cur[r * n + j]!;
          spikes += v;
          if (j + 1 < n) pixelPairs += v * cur[r * n + j + 1]!;
          if (r + 1 < R) rowPairs += v * cur[(r + 1) * n + j]!;
          if (t + 1 < T) stepPairs += v * s[w]![t + 1]![r * n + j]!;
          if (w + 1 < W) windowPairs += v * s[w + 1]![t]![r * n + j]!;
        }
      }
    }
    within(spikes, R * T * W, q, `q = ${x}: spikes`);
    if (j + 1 < n) within(pixelPairs, R * T * W, q * next, `q = ${x}: it and the next pixel (q = ${xs[j + 1]}) both spiking`);
    within(rowPairs, (R - 1) * T * W, q * q, `q = ${x}: neighbouring rows both spiking`);
    within(stepPairs, R * (T - 1) * W, q * q, `q = ${x}: consecutive steps both spiking`);
    within(windowPairs, R * T * (W - 1), q * q, `q = ${x}: consecutive windows both spiking`);
  });
});

test('threads: poissonStep split over rows gives the one-thread bits at 1, 2, 3 and 4 threads (rows fewer than threads too)', async () => {
  const one = await backend();
  for (const threads of [2, 3, 4]) {
    const lib = await load({ threads });
    const pool = poolOf(lib.kernels)!;
    pool.rowMinWork = 0;
    pool.adaptive = false; // split every call, however slow on a busy machine
    for (const [rows, n] of [[1, 5], [2, 784], [3, 17], [7, 33], [100, 784]] as [number, number][]) {
      const p = image(rows, n, rows * 31 + n);
      const want = encode(one, p, rows, n, 0.1, 5, 3, 7), got = encode(lib, p, rows, n, 0.1, 5, 3, 7);
      assert.equal(Array.from(got.bits), Array.from(want.bits), `${threads} threads, ${rows}x${n}`);
      assert.is(got.count, want.count);
    }
  }
});

for (const build of BUILDS) {
  test(`[${build}] poissonSparseStep at the edge: a uniform equal to its pixel's probability does not spike, the next float above does; q >= 1 always, q <= 0 or NaN never`, async () => {
    // The listed pixels decide u < q in integers (k < ceil(q·2^24)); these probabilities sit exactly on,
    // and one float either side of, each pixel's own uniform, where a rounding slip would show.
    const lib = await backend(build);
    const rows = 3, n = 45, seed = 11, window = 3, step = 5, row0 = 2;
    const f = new Float32Array(1), bits = new Int32Array(f.buffer);
    const next = (x: number, d: 1 | -1) => { f[0] = x; if (x === 0) return d > 0 ? 2 ** -149 : -(2 ** -149); bits[0]! += d; return f[0]!; };
    const idx: number[][] = [], q: number[][] = [];
    for (let r = 0; r < rows; r++) {
      idx.push([]); q.push([]);
      for (let i = 0; i < n; i++) {
        const u = ref.poissonUniform(seed, window, step, row0 + r, i);
        const cases = [u, next(u, 1), next(u, -1), 1, 2.5, Infinity, 0, -1, NaN, 2 ** -149, 1 - 2 ** -24];
        idx[r]!.push(i); q[r]!.push(Math.fround(cases[(i + r) % cases.length]!));
      }
    }
    const lit = { idx: lib.ints('i32', rows * n), q: lib.tensor([rows * n]), counts: lib.ints('i32', rows) };
    const lists = { list: lib.ints('i32', rows * n), counts: lib.ints('i32', rows) };
    for (let r = 0; r < rows; r++) { lit.idx.data.set(idx[r]!, r * n); lit.q.data.set(q[r]!, r * n); lit.counts.data[r] = n; }
    const count = lib.poissonSparseStep(rows, n, lit, seed, window, step, row0, lists);
    const got = Array.from({ length: rows }, (_, r) => Array.from(lists.list.data.subarray(r * n, r * n + lists.counts.data[r]!)));
    const want = ref.poissonSparseRows(seed, window, step, row0, { idx, q });
    assert.equal(got, want);
    assert.is(count, want.flat().length);
    assert.ok(count > 0 && count < rows * n, 'some pixels spike, some do not');
    for (const b of [lit.idx, lit.q, lit.counts, lists.list, lists.counts]) b.dispose();
  });
}

test('poissonStep: out null without lists, or lists too short, are clear errors', async () => {
  const lib = await backend();
  const P = lib.tensor([2, 5], seeded(10, 3, 0, 1)), list = lib.ints('i32', 9), counts = lib.ints('i32', 2);
  throwsClearly(() => lib.poissonStep(null, P, 0.5, 1, 0, 0), /poissonStep/, /out/, /lists/);
  throwsClearly(() => lib.poissonStep(null, P, 0.5, 1, 0, 0, 0, { list, counts }), /poissonStep/, /list/, /10/);
  P.dispose(); list.dispose(); counts.dispose();
});

test.run();
