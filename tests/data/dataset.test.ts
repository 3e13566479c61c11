// Dataset construction, the seeded validation split, and the Batcher (every example once per epoch,
// seeded orders, one-hot targets, the last partial batch, no allocation in steady state).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Dataset, Batcher, datasetsFromIdx, loadDataset, splitIndices, validationCount, encodeIdx, parseIdx, type Backend,
} from '../../src/index.js';
import { throwsClearly } from '../helpers/close.js';
import { backend } from '../helpers/setup.js';
import { rejectsClearly } from './helpers.js';

/** A dataset whose row r is [r, r + 0.25, r + 0.5, …] (so a row identifies its example), label r mod classes. */
function synthetic(lib: Backend, size: number, features = 5, classes = 3): Dataset {
  const x = new Float32Array(size * features);
  for (let r = 0; r < size; r++) for (let j = 0; j < features; j++) x[r * features + j] = r + 0.25 * j;
  const y = Uint8Array.from({ length: size }, (_, r) => (r * 7) % classes);
  return Dataset.fromArrays(lib, 'synthetic', x, y, features, classes);
}

/** Which example row r of x holds (checking the whole row). */
function rowId(x: Float32Array, r: number, features: number): number {
  const id = x[r * features]!;
  for (let j = 0; j < features; j++) assert.is(x[r * features + j], id + 0.25 * j, `row ${r} col ${j}`);
  return id;
}

test('Dataset.fromArrays copies images into WASM memory and labels into JS; dispose frees', async () => {
  const lib = await backend();
  const live = lib.heap.live;
  const x = Float32Array.from({ length: 6 }, (_, i) => i / 10);
  const y = Uint8Array.of(1, 0, 1);
  const d = Dataset.fromArrays(lib, 'tiny', x, y, 2, 2);
  assert.is(d.size, 3);
  assert.is(d.features, 2);
  assert.is(d.classes, 2);
  assert.equal(d.images.shape, [3, 2]);
  assert.equal(Array.from(d.images.data), Array.from(x));
  y[0] = 0;
  assert.is(d.labels[0], 1, 'labels were copied');
  assert.is(lib.heap.live, live + 1);
  d.dispose();
  assert.ok(d.disposed);
  assert.is(lib.heap.live, live);
  throwsClearly(() => d.dispose(), /Dataset tiny: dispose\(\) called twice/);
});

test('Dataset.fromArrays refuses bad input clearly', async () => {
  const lib = await backend();
  const live = lib.heap.live;
  throwsClearly(() => Dataset.fromArrays(lib, 'd', new Float32Array(5), new Uint8Array(3), 2, 2), /Dataset\.fromArrays: d: images has 5 values, expected 3 labels × 2 features = 6/);
  throwsClearly(() => Dataset.fromArrays(lib, 'd', new Float32Array(4), Uint8Array.of(0, 2), 2, 2), /d: label 1 is 2, expected < 2 classes/);
  throwsClearly(() => Dataset.fromArrays(lib, 'd', new Float32Array(0), new Uint8Array(0), 2, 2), /d: no examples/);
  throwsClearly(() => Dataset.fromArrays(lib, 'd', new Float32Array(2), new Uint8Array(1), 0, 2), /features must be a positive integer, got 0/);
  throwsClearly(() => Dataset.fromArrays(lib, 'd', [0, 0] as unknown as Float32Array, new Uint8Array(1), 2, 2), /images must be a Float32Array, got Array/);
  assert.is(lib.heap.live, live);
});

test('validationCount: counts, fractions and refusals', () => {
  assert.is(validationCount(undefined, 100), 0);
  assert.is(validationCount(0, 100), 0);
  assert.is(validationCount(10, 100), 10);
  assert.is(validationCount(0.1, 60000), 6000);
  assert.is(validationCount(1 / 12, 60000), 5000);
  throwsClearly(() => validationCount(100, 100), /validation 100 leaves no training examples \(the training set has 100\)/);
  throwsClearly(() => validationCount(-1, 100), /validation must be a count or a fraction/);
  throwsClearly(() => validationCount(2.5, 100), /integer count or a fraction in \(0, 1\), got 2.5/);
  throwsClearly(() => validationCount(0.001, 100), /fraction 0.001 of 100 training examples rounds to 0/);
});

test('splitIndices: disjoint, covering, sorted, deterministic per seed, seed-dependent', () => {
  const [tr, va] = splitIndices(1000, 150, 42);
  assert.is(tr.length, 850);
  assert.is(va.length, 150);
  const seen = new Uint8Array(1000);
  for (const i of [...tr, ...va]) seen[i]!++;
  assert.ok(seen.every((c) => c === 1), 'every index exactly once across train and validation');
  for (const a of [tr, va]) for (let i = 1; i < a.length; i++) assert.ok(a[i - 1]! < a[i]!, 'ascending');
  const [tr2, va2] = splitIndices(1000, 150, 42);
  assert.equal(Array.from(va2), Array.from(va));
  assert.equal(Array.from(tr2), Array.from(tr));
  const [, va3] = splitIndices(1000, 150, 43);
  assert.not.equal(Array.from(va3), Array.from(va));
  // The validation rows are spread over the file, not a block at one end.
  assert.ok(va[0]! < 100 && va[va.length - 1]! > 900, `validation spans the file (${va[0]}..${va[va.length - 1]})`);
});

/** Four decoded IDX files: train row r has pixels (r >> 8, r & 255, 0, …) so rows identify examples. */
function idxFiles(nTrain: number, nTest: number) {
  const px = (n: number) => {
    const b = new Uint8Array(n * 784);
    for (let r = 0; r < n; r++) {
      b[r * 784] = r >> 8;
      b[r * 784 + 1] = r & 255;
      b[r * 784 + 2] = 255;
    }
    return b;
  };
  const labels = (n: number) => Uint8Array.from({ length: n }, (_, r) => r % 10);
  return {
    trainImages: parseIdx(encodeIdx('u8', [nTrain, 28, 28], px(nTrain)), 'ti'),
    trainLabels: parseIdx(encodeIdx('u8', [nTrain], labels(nTrain)), 'tl'),
    testImages: parseIdx(encodeIdx('u8', [nTest, 28, 28], px(nTest)), 'si'),
    testLabels: parseIdx(encodeIdx('u8', [nTest], labels(nTest)), 'sl'),
  };
}
const NAMES = { trainImages: 'ti', trainLabels: 'tl', testImages: 'si', testLabels: 'sl' };
const idOf = (x: Float32Array, r: number) => Math.round(x[r * 784]! * 255) * 256 + Math.round(x[r * 784 + 1]! * 255);

test('datasetsFromIdx: validation carved from train (disjoint, deterministic, sizes), test untouched, limits', async () => {
  const lib = await backend();
  const live = lib.heap.live;
  const files = idxFiles(700, 30);
  const ids = (d: Dataset) => Array.from({ length: d.size }, (_, r) => idOf(d.images.data, r));
  const a = datasetsFromIdx(lib, 'syn', files, NAMES, { validation: 0.1, seed: 5 });
  assert.is(a.train.size, 630);
  assert.is(a.validation!.size, 70);
  assert.is(a.test.size, 30);
  assert.is(a.train.name, 'syn/train');
  assert.is(a.validation!.name, 'syn/validation');
  const trIds = ids(a.train), vaIds = ids(a.validation!);
  assert.equal([...trIds, ...vaIds].sort((p, q) => p - q), Array.from({ length: 700 }, (_, i) => i), 'disjoint and covering');
  trIds.forEach((id, r) => assert.is(a.train.labels[r], id % 10, 'labels follow their images'));
  vaIds.forEach((id, r) => assert.is(a.validation!.labels[r], id % 10));
  assert.equal(ids(a.test), Array.from({ length: 30 }, (_, i) => i), 'test set in file order');
  const [trRows, vaRows] = splitIndices(700, 70, 5);
  assert.equal(vaIds, Array.from(vaRows), 'validation is splitIndices(n, v, seed)');
  assert.equal(trIds, Array.from(trRows));

  const b = datasetsFromIdx(lib, 'syn', files, NAMES, { validation: 70, seed: 5 });
  assert.equal(ids(b.validation!), vaIds, 'same seed, same split (count or fraction alike)');
  const c = datasetsFromIdx(lib, 'syn', files, NAMES, { validation: 70, seed: 6 });
  assert.not.equal(ids(c.validation!), vaIds, 'another seed, another split');

  const d = datasetsFromIdx(lib, 'syn', files, NAMES, { limit: { train: 100, test: 7 }, validation: 10 });
  assert.is(d.train.size, 90);
  assert.is(d.validation!.size, 10);
  assert.is(d.test.size, 7);
  assert.ok([...ids(d.train), ...ids(d.validation!)].every((id) => id < 100), 'validation comes from the limited training set');
  assert.ok(a.train.images.data[2] === 1 && a.train.images.data[3] === 0, 'pixels scaled to [0, 1]');

  for (const s of [a, b, c, d]) [s.train, s.test, s.validation!].forEach((x) => x.dispose());
  assert.is(lib.heap.live, live);
  throwsClearly(() => datasetsFromIdx(lib, 'syn', files, NAMES, { limit: { train: 0 } }), /limit.train must be a positive integer, got 0/);
  throwsClearly(() => datasetsFromIdx(lib, 'syn', files, NAMES, { validation: 700 }), /leaves no training examples/);
  throwsClearly(() => datasetsFromIdx(lib, 'syn', files, NAMES, { validation: 7, seed: 0.5 }), /loadDataset: seed must be an integer, got 0.5/);
  await rejectsClearly(loadDataset(lib, 'cifar' as 'mnist'), /loadDataset: unknown dataset 'cifar', expected one of mnist, fashion-mnist/);
  assert.is(lib.heap.live, live, 'nothing leaked on failure');
});

test('Batcher: every example exactly once per epoch, x rows and one-hot y match the order', async () => {
  const lib = await backend();
  const ds = synthetic(lib, 23);
  const b = new Batcher(lib, ds, 5, { seed: 3 });
  assert.is(b.batches, 5);
  assert.equal(b.x.shape, [5, 5]);
  assert.equal(b.y.shape, [5, 3]);
  for (let e = 0; e < 3; e++) {
    assert.is(b.epoch(), e);
    const seen = new Array<number>(23).fill(0);
    for (let i = 0; i < b.batches; i++) {
      const n = b.load(i);
      assert.is(n, i < 4 ? 5 : 3);
      assert.is(b.count, n);
      const x = b.x.data, y = b.y.data;
      for (let r = 0; r < n; r++) {
        const id = rowId(x, r, 5);
        assert.is(id, b.order[i * 5 + r]);
        seen[id]!++;
        assert.equal(Array.from(y.subarray(r * 3, r * 3 + 3)), [0, 1, 2].map((c) => (c === ds.labels[id] ? 1 : 0)), `one-hot row ${r}`);
      }
    }
    assert.ok(seen.every((c) => c === 1), `epoch ${e}: every example once (${seen})`);
  }
  b.dispose();
  ds.dispose();
});

test('Batcher: the last partial batch zeroes the rows past its count', async () => {
  const lib = await backend();
  const ds = synthetic(lib, 7, 4, 2);
  const b = new Batcher(lib, ds, 3, { seed: 1 });
  assert.is(b.batches, 3);
  b.load(0); // fills every row, so stale data would show
  assert.is(b.load(2), 1);
  const x = b.x.data, y = b.y.data;
  assert.ok(x.subarray(4).every((v) => v === 0), 'x rows 1..2 are zero');
  assert.ok(y.subarray(2).every((v) => v === 0), 'y rows 1..2 are zero');
  assert.is(y[0]! + y[1]!, 1, 'row 0 is one-hot');
  b.dispose();
  const d = new Batcher(lib, ds, 3, { seed: 1, dropLast: true });
  assert.is(d.batches, 2);
  throwsClearly(() => d.load(2), /Batcher\.load: batch must be an integer in \[0, 1\], got 2/);
  d.dispose();
  const big = new Batcher(lib, ds, 10);
  assert.is(big.batches, 1);
  assert.is(big.load(0), 7);
  big.dispose();
  throwsClearly(() => new Batcher(lib, ds, 10, { dropLast: true }), /dropLast with batchSize 10 > dataset synthetic size 7 leaves no batches/);
  ds.dispose();
});

test('Batcher: orders are a function of (seed, epoch); epochs and seeds differ; shuffle false keeps order', async () => {
  const lib = await backend();
  const ds = synthetic(lib, 50);
  const orders = (seed: number, epochs: number) => {
    const b = new Batcher(lib, ds, 8, { seed });
    const out: number[][] = [];
    for (let e = 0; e < epochs; e++) {
      b.epoch();
      out.push(Array.from(b.order));
    }
    b.dispose();
    return out;
  };
  const a = orders(11, 4), a2 = orders(11, 4), c = orders(12, 4);
  assert.equal(a, a2, 'same seed, same orders');
  for (let e = 1; e < 4; e++) assert.not.equal(a[e], a[e - 1], `epoch ${e} differs from ${e - 1}`);
  assert.not.equal(c[0], a[0], 'another seed, another order');
  for (const o of a) assert.equal([...o].sort((p, q) => p - q), Array.from({ length: 50 }, (_, i) => i), 'a permutation');

  const b = new Batcher(lib, ds, 8, { seed: 11 });
  assert.equal(Array.from(b.order), a[0], 'before any epoch() call the order is epoch 0');
  b.epoch(3);
  assert.equal(Array.from(b.order), a[3], 'epoch(3) directly equals the 4th sequential epoch');
  assert.is(b.epochIndex, 3);
  assert.is(b.epoch(), 4);
  b.dispose();

  const s = new Batcher(lib, ds, 8, { shuffle: false });
  s.epoch();
  s.epoch();
  assert.equal(Array.from(s.order), Array.from({ length: 50 }, (_, i) => i));
  s.load(1);
  assert.is(rowId(s.x.data, 0, 5), 8);
  s.dispose();
  ds.dispose();
});

test('Batcher: steady state allocates nothing; memory growth between batches is harmless', async () => {
  const lib = await backend();
  const ds = synthetic(lib, 101, 7, 4);
  const b = new Batcher(lib, ds, 10, { seed: 2 });
  const live = lib.heap.live, bytes = lib.heap.bytes, buf = lib.heap.memory.buffer;
  for (let e = 0; e < 20; e++) {
    b.epoch();
    for (let i = 0; i < b.batches; i++) b.load(i);
  }
  assert.is(lib.heap.live, live);
  assert.is(lib.heap.bytes, bytes);
  assert.ok(lib.heap.memory.buffer === buf, 'memory did not grow');
  // Grow memory between loads: load() re-derives its view, so the copy still lands right.
  const filler = lib.tensor([(lib.heap.memory.buffer.byteLength * 2) / 4]);
  assert.ok(lib.heap.memory.buffer !== buf, 'memory grew');
  b.load(3);
  assert.is(rowId(b.x.data, 0, 7), b.order[30]);
  filler.dispose();
  b.dispose();
  ds.dispose();
});

test('Batcher: iterate() yields every batch of the next epoch; bad arguments throw clearly', async () => {
  const lib = await backend();
  const ds = synthetic(lib, 9);
  const b = new Batcher(lib, ds, 4, { seed: 9 });
  const got = [...b.iterate()].map(({ epoch, batch, count }) => [epoch, batch, count]);
  assert.equal(got, [[0, 0, 4], [0, 1, 4], [0, 2, 1]]);
  assert.is([...b.iterate()][0]!.epoch, 1);
  throwsClearly(() => b.load(-1), /Batcher\.load: batch must be an integer in \[0, 2\], got -1/);
  throwsClearly(() => b.load(0.5), /got 0\.5/);
  throwsClearly(() => b.epoch(-2), /Batcher\.epoch: epoch must be a non-negative integer, got -2/);
  throwsClearly(() => new Batcher(lib, ds, 0), /Batcher: batchSize must be a positive integer, got 0/);
  b.dispose();
  throwsClearly(() => b.load(0), /used after dispose/);
  ds.dispose();
  throwsClearly(() => new Batcher(lib, ds, 2), /Batcher: dataset synthetic was disposed/);
});

test.run();
