// Sequences of row kernels on a thread pool (Pool.beginSequence / endSequence): the calls recorded
// between the two run as one job, each thread taking every stage on its own rows, streamed while the
// caller records. They must give exactly the bits and counts of the same calls made one by one on one
// thread, at 2, 3 and 4 threads and on row counts under the thread count; a recording that fails must
// leave the pool usable; and the spiking simulator, which records a whole presentation window this
// way, must produce the outputs and statistics of one thread.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SpikingNetwork, type Backend } from '../../src/index.js';
import { SEQUENCE_STAGES } from '../../src/backend/core.js';
import { poolOf } from '../../src/wasm/threads.js';
import { PoolStats, SLOT_NAMES } from '../../src/wasm/pool.js';
import { backend, bitsEqual, splitEverything } from '../helpers/setup.js';
import { mulberry32, seeded } from '../helpers/fill.js';

const THREADS = [2, 3, 4];

const threaded = splitEverything;


/**
 * `steps` time steps of a chain in which each stage reads only its own rows of the stages before: a
 * LIF layer summed from fixed input spike lists (k inputs), a second LIF layer summed from the first's
 * lists, then the readout's propagation from the second's lists and its membrane step. As one sequence
 * when `seq` (counts read at its end), else call by call. Returns every buffer, the lists and the counts.
 */
function chain(lib: Backend, rows: number, seq: boolean, seed: number, steps = 3) {
  const k = 23, n1 = 13, n2 = 9, n3 = 4, rnd = mulberry32(seed);
  const src = lib.ints('i32', rows * k), srcCounts = lib.ints('i32', rows);
  for (let r = 0; r < rows; r++) {
    const l = Array.from({ length: k }, (_, j) => j).filter(() => rnd() < 0.4);
    src.data.set(l, r * k); srcCounts.data[r] = l.length;
  }
  const layer = (n: number, kin: number, s0: number) => {
    const t = (lo: number, hi: number, j: number) => lib.tensor([rows, n], seeded(rows * n, s0 + j, lo, hi));
    return {
      cur: lib.tensor([rows, n]), I: t(-0.2, 0.5, 1), v: t(-0.3, 1.1, 2), refrac: lib.tensor([rows, n]), post: t(0, 1, 3), deriv: t(0, 1, 4), acc: t(0, 1, 5),
      bias: lib.tensor([n], seeded(n, s0 + 6, -0.1, 0.1)), wt: lib.tensor([kin, n], seeded(kin * n, s0 + 7, -0.2, 0.9)),
      list: lib.ints('i32', rows * n), counts: lib.ints('i32', rows),
    };
  };
  const a = layer(n1, k, seed + 10), b = layer(n2, n1, seed + 20);
  const out = lib.tensor([rows, n3]), bias3 = lib.tensor([n3], seeded(n3, seed + 30, -0.1, 0.1)), wt3 = lib.tensor([n2, n3], seeded(n2 * n3, seed + 31, -1, 1));
  const I3 = lib.tensor([rows, n3]), m3 = lib.tensor([rows, n3]), post3 = lib.tensor([rows, n3]);
  const p = { decay: 0.9, vTh: 1, vReset: 0, reset: 'zero' as const, refSteps: 1, surrogate: 10 };
  const step = (x: typeof a, from: { list: typeof src; counts: typeof src; wt: typeof a.wt }) =>
    lib.layerStep({ cur: x.cur, bias: x.bias, I: x.I, v: x.v, refrac: x.refrac, adapt: null, spikes: null, dstep: null, post: x.post, deriv: x.deriv, acc: x.acc, list: x.list, counts: x.counts, from }, 0.4, 0.8, p);
  const counts: number[] = [];
  if (seq) assert.ok(lib.beginSequence(rows, 1e9), 'a pool records sequences');
  for (let t = 0; t < steps; t++) {
    counts.push(step(a, { list: src, counts: srcCounts, wt: a.wt }));
    counts.push(step(b, { list: a.list, counts: a.counts, wt: b.wt }));
    counts.push(lib.eventListMatmul(out, b.list, b.counts, wt3));
    lib.readoutStep(out, bias3, I3, m3, post3, 0.5, 0.8, 0.7);
    counts.push(0);
  }
  if (seq) {
    const got = new Float64Array(SEQUENCE_STAGES), stages = lib.endSequence(got);
    assert.is(stages, 4 * steps, 'every recorded call is a stage');
    counts.splice(0, counts.length, ...Array.from(got.subarray(0, stages)));
  }
  const bufs = [a.I, a.v, a.refrac, a.post, a.deriv, a.acc, b.I, b.v, b.refrac, b.post, b.deriv, b.acc, out, I3, m3, post3].map((x) => x.data.slice());
  const lists = [a, b].map((x) => Array.from({ length: rows }, (_, r) => Array.from(x.list.data.subarray(r * x.list.data.length / rows, r * x.list.data.length / rows + x.counts.data[r]!))));
  for (const x of [a, b]) for (const v of Object.values(x)) v.dispose();
  for (const x of [src, srcCounts, out, bias3, wt3, I3, m3, post3]) x.dispose();
  return { bufs, lists, counts };
}

test(`a sequence of row kernels at ${THREADS.join(', ')} threads: the bits, spike lists and per-stage counts of the calls one by one on one thread`, async () => {
  const one = await backend('release');
  assert.not.ok(one.beginSequence(5, 1e9), 'one thread records no sequence: its calls run as they come');
  for (const rows of [1, 2, 3, 7, 40]) {
    const want = chain(one, rows, false, rows * 31);
    assert.ok(want.counts.some((c) => c > 0), `${rows} rows: the chain spikes (a test of something)`);
    for (const t of THREADS) {
      const lib = await threaded(t), got = chain(lib, rows, true, rows * 31), what = `${rows} rows at ${t} threads`;
      assert.equal(got.counts, want.counts, `${what}: counts`);
      got.bufs.forEach((x, i) => bitsEqual(x, want.bufs[i]!, `${what}: buffer ${i}`));
      assert.equal(got.lists, want.lists, `${what}: spike lists`);
      // and the same calls outside a sequence, split call by call
      const split = chain(lib, rows, false, rows * 31);
      split.bufs.forEach((x, i) => bitsEqual(x, want.bufs[i]!, `${what}, call by call: buffer ${i}`));
    }
  }
});

test('a sequence takes only row kernels of its rows, at most SEQUENCE_STAGES of them; a failed recording aborted leaves the pool usable', async () => {
  const lib = await threaded(2), x = lib.tensor([4, 8], seeded(32, 1, -1, 1)), y = lib.tensor([4, 8]);
  const list = lib.ints('i32', 32), counts = lib.ints('i32', 4), wt = lib.tensor([8, 8], seeded(64, 2, -1, 1));
  lib.beginSequence(4, 1e9);
  assert.throws(() => lib.gemm(y, x, wt), /called while a sequence of row kernels is being recorded/);
  assert.throws(() => lib.eventListMatmul(lib.tensor([3, 8]), list, counts, wt), /every stage of a sequence covers the same rows \(4\), this one 3/);
  lib.abortSequence();
  lib.gemm(y, x, wt); // the pool runs again, and its workers are not left waiting for stages
  const one = await backend('release'), x1 = one.tensor([4, 8], x.data), w1 = one.tensor([8, 8], wt.data), y1 = one.tensor([4, 8]);
  bitsEqual(y.data, one.gemm(y1, x1, w1).data, 'the GEMM after the abort');
  lib.beginSequence(4, 1e9);
  for (let s = 0; s < SEQUENCE_STAGES; s++) lib.eventListMatmul(y, list, counts, wt);
  assert.throws(() => lib.eventListMatmul(y, list, counts, wt), new RegExp(`at most ${SEQUENCE_STAGES} stages`));
  assert.is(lib.endSequence(new Float64Array(SEQUENCE_STAGES)), SEQUENCE_STAGES);
  for (const b of [x, y, list, counts, wt, x1, w1, y1]) b.dispose();
});

test('eventListMatmul outside a sequence is not split: a bad count names its row of the whole call', async () => {
  const lib = await threaded(2), rows = 8, k = 6, n = 300;
  const list = lib.ints('i32', rows * k), counts = lib.ints('i32', Array.from({ length: rows }, (_, r) => (r === 5 ? k + 1 : 1)));
  const wt = lib.tensor([k, n]), out = lib.tensor([rows, n]);
  assert.throws(() => lib.eventListMatmul(out, list, counts, wt), /counts\[5\] must be in \[0, 6\].*got 7/);
  for (const b of [list, counts, wt, out]) b.dispose();
});

/**
 * Two presentation windows of a small spiking network (3 hidden LIF layers, membrane readout) on `lib`;
 * with a low fixed eventDensity some steps of some layers go dense, which ends a sequence mid-window.
 */
function spikingWindow(lib: Backend, eventDensity: number) {
  const net = new SpikingNetwork(lib, { sizes: [30, 17, 13, 11, 4], activation: 'relu', init: 'xavier', batch: 9, seed: 3, spiking: { steps: 16, maxRate: 500, gain: 6, seed: 5, eventDensity } });
  net.input.data.set(seeded(9 * 30, 7, 0, 1));
  net.forward(9);
  net.forward(7); // a second window on fewer rows
  const s = net.sim, out = [...net.layers.flatMap((l) => [l.post.data.slice(), l.deriv.data.slice(), l.a.data.slice()])];
  const stats = [s.spikeCount, s.neuronSteps, s.eventSteps, s.denseSteps].map((a) => Array.from(a));
  net.dispose();
  return { out, stats };
}

test(`a spiking presentation window recorded as one sequence at ${THREADS.join(', ')} threads: the rates, surrogates, drives and statistics of one thread`, async () => {
  // Fixed densities: 'auto' measures its crossovers by timing, per backend, so two backends may choose
  // different paths (with the same sums) and book different event and dense steps.
  for (const density of [1, 0.12]) {
    const want = spikingWindow(await backend('release'), density);
    assert.ok(want.stats[0]!.slice(0, 3).every((c) => c > 0), `${density}: every hidden layer spikes`);
    assert.ok(want.stats[2]!.some((c) => c > 0), `${density}: some steps are event-driven (the path a sequence takes)`);
    if (density < 1) assert.ok(want.stats[3]!.some((c) => c > 0), `${density}: some steps are dense (a sequence ends mid-window)`);
    for (const t of THREADS) {
      const lib = await threaded(t), pool = poolOf(lib.kernels)!;
      pool.stats = new PoolStats();
      const got = spikingWindow(lib, density), sequences = pool.stats.split[SLOT_NAMES.indexOf('sequence')]!;
      pool.stats = null;
      got.out.forEach((x, i) => bitsEqual(x, want.out[i]!, `${density}, ${t} threads: buffer ${i}`));
      assert.equal(got.stats, want.stats, `${density}, ${t} threads: spike counts, neuron steps, event and dense steps`);
      assert.ok(sequences >= 2, `${density}, ${t} threads: the windows ran as sequences on the pool (${sequences})`);
    }
  }
});

test.run();
