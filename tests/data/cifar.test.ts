// CIFAR-10 from a user's folder (src/data/cifar.ts), on small files this test writes in the binary
// version's format: 3073-byte records (label, then the R, G, B 32×32 planes row by row).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { backend } from '../helpers/setup.js';
import { loadDataset, CIFAR10_TRAIN_FILES } from '../../src/data/index.js';

/** A record whose pixel (y, x) of channel c is (label·7 + c·50 + y·3 + x) mod 256. */
const value = (label: number, c: number, y: number, x: number) => (label * 7 + c * 50 + y * 3 + x) % 256;
function records(labels: number[]): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((lab, r) => {
    out[r * 3073] = lab;
    for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out[r * 3073 + 1 + c * 1024 + y * 32 + x] = value(lab, c, y, x);
  });
  return out;
}
const TRAIN = [[3, 1, 4], [1, 5], [9], [2, 6], [5, 3]], TEST = [8, 9, 7, 0];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-cifar-'));
  CIFAR10_TRAIN_FILES.forEach((f, i) => writeFileSync(join(dir, f), records(TRAIN[i]!)));
  writeFileSync(join(dir, 'test_batch.bin'), records(TEST));
  return dir;
}

test('cifar10: every record of the six files, labels in order, pixels channels last scaled by 1/255', async () => {
  const lib = await backend();
  const dir = folder();
  const { train, test: ts } = await loadDataset(lib, 'cifar10', { dataDir: dir });
  assert.is(train.size, 10);
  assert.is(ts.size, 4);
  assert.is(train.features, 3072);
  assert.equal(Array.from(train.labels), TRAIN.flat());
  assert.equal(Array.from(ts.labels), TEST);
  const img = train.images.data;
  for (const [r, lab] of TRAIN.flat().entries()) {
    for (const [y, x, c] of [[0, 0, 0], [0, 0, 2], [31, 31, 1], [5, 17, 2], [17, 5, 0]] as const) {
      assert.is(img[r * 3072 + (y * 32 + x) * 3 + c], Math.fround(value(lab, c, y, x) / 255), `record ${r} (y ${y}, x ${x}, c ${c})`);
    }
  }
  train.dispose(); ts.dispose();
  // limits and a validation split come from the same options as MNIST's
  const s = await loadDataset(lib, 'cifar10', { dataDir: dir, limit: { train: 7, test: 2 }, validation: 2, seed: 3 });
  assert.equal([s.train.size, s.validation!.size, s.test.size], [5, 2, 2]);
  [s.train, s.validation!, s.test].forEach((d) => d.dispose());
  // the folder the archive unpacks to, inside the given one
  const outer = mkdtempSync(join(tmpdir(), 'bioprop-cifar-outer-'));
  mkdirSync(join(outer, 'cifar-10-batches-bin'));
  for (const f of [...CIFAR10_TRAIN_FILES, 'test_batch.bin']) writeFileSync(join(outer, 'cifar-10-batches-bin', f), records([1]));
  const o = await loadDataset(lib, 'cifar10', { dataDir: outer });
  assert.is(o.train.size, 5);
  o.train.dispose(); o.test.dispose();
});

test('cifar10: missing files, truncated files and bad labels are clear errors naming the files', async () => {
  const lib = await backend();
  const dir = folder();
  rmSync(join(dir, 'data_batch_3.bin'));
  rmSync(join(dir, 'test_batch.bin'));
  const err = async (o: object, ...res: RegExp[]) => {
    let e: unknown;
    try { await loadDataset(lib, 'cifar10', o); } catch (x) { e = x; }
    assert.ok(e instanceof Error, 'throws');
    for (const re of res) assert.match((e as Error).message, re);
  };
  await err({ dataDir: dir }, /CIFAR-10 not found: .* lacks data_batch_3\.bin, test_batch\.bin; expected data_batch_1\.bin, .*data_batch_5\.bin and test_batch\.bin \(the binary version/);
  await err({}, /CIFAR-10: pass --data-dir DIR/);
  const d2 = folder();
  writeFileSync(join(d2, 'data_batch_2.bin'), records([1, 2]).subarray(0, 3073 + 100));
  await err({ dataDir: d2 }, /data_batch_2\.bin has 3173 bytes, expected a whole number of 3073-byte records/);
  const d3 = folder(), bad = records([1, 2]);
  bad[3073] = 12;
  writeFileSync(join(d3, 'test_batch.bin'), bad);
  await err({ dataDir: d3 }, /test_batch\.bin record 1 has label 12, expected 0\.\.9/);
});

test('bioprop train --dataset cifar10: trains a conv net on the folder; a missing folder is one clear line', () => {
  const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
  const run = (...a: string[]) => spawnSync(process.execPath, [BIN, 'train', ...a], { encoding: 'utf8', env: { ...process.env, BIOPROP_THREADS: '1' } });
  const ok = run('--dataset', 'cifar10', '--data-dir', folder(), '--arch', 'c4k5s3-p2-f8', '--epochs', '1', '--batch', '4', '--quiet');
  assert.is(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /done: 1 epoch/);
  const missing = run('--dataset', 'cifar10', '--data-dir', join(tmpdir(), 'no-such-cifar-folder'), '--arch', 'lenet5');
  assert.is(missing.status, 1, missing.stderr);
  assert.match(missing.stderr, /CIFAR-10 not found: .*no-such-cifar-folder lacks data_batch_1\.bin/);
  assert.not.match(missing.stderr, /\n\s+at /, 'no stack trace');
});

test.run();
