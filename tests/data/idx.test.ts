// IDX reader: round trips of every dtype through files the test writes (raw and gzip, Node and
// DecompressionStream paths), and every kind of corruption refused with a message naming the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  parseIdx, encodeIdx, decodeIdx, readIdxFile, checkPair, loadDataset, IDX_BASES, type IdxDtype,
} from '../../src/index.js';
import { throwsClearly } from '../helpers/close.js';
import { backend } from '../helpers/setup.js';
import { tempDir, rmTemp, writeIdx, writeBytes, rejectsClearly, literal } from './helpers.js';

const dir = tempDir('idx');

// Values at the edges of each type (f32 values are exactly representable in float32).
const CASES: [IdxDtype, number[], number[]][] = [
  ['u8', [2, 3], [0, 1, 127, 128, 254, 255]],
  ['i8', [6], [-128, -1, 0, 1, 100, 127]],
  ['i16', [3, 2], [-32768, -1, 0, 1, 258, 32767]],
  ['i32', [2, 1, 3], [-2147483648, -1, 0, 1, 16909060, 2147483647]],
  ['f32', [2, 2, 2], [0, -0, 1.5, -2.25, 3.4028234663852886e38, 1.401298464324817e-45, Infinity, Math.fround(0.1)]],
  ['f64', [4], [0.1, -1e300, 5e-324, Math.PI]],
];

for (const [dtype, dims, values] of CASES) {
  test(`round trip ${dtype} ${JSON.stringify(dims)}: raw and gzip files, parseIdx and decodeIdx`, async () => {
    const raw = writeIdx(dir, `rt-${dtype}`, dtype, dims, values);
    const gz = writeIdx(dir, `rt-${dtype}.gz`, dtype, dims, values, true);
    const fromBytes = parseIdx(encodeIdx(dtype, dims, values), 'bytes');
    const fromRaw = await readIdxFile(raw);
    const fromGz = await readIdxFile(gz);
    const fromStream = await decodeIdx(new Uint8Array(readFileSync(gz)).buffer, 'stream.gz');
    const fromStreamRaw = await decodeIdx(new Uint8Array(readFileSync(raw)), 'stream');
    for (const [what, idx] of Object.entries({ fromBytes, fromRaw, fromGz, fromStream, fromStreamRaw })) {
      assert.is(idx.dtype, dtype, what);
      assert.equal(idx.dims, dims, what);
      assert.equal(Array.from(idx.data), values, what);
      for (let i = 0; i < values.length; i++) assert.ok(Object.is(idx.data[i], values[i]), `${what}[${i}]: ${idx.data[i]} is not ${values[i]}`); // -0 too
    }
  });
}

test('the header is big-endian and the file length is exact', () => {
  const b = encodeIdx('i16', [1, 2], [0x0102, -2]);
  assert.equal(Array.from(b), [0, 0, 0x0b, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]);
});

function good(): Uint8Array {
  return encodeIdx('u8', [3, 2, 2], Array.from({ length: 12 }, (_, i) => i));
}

test('bad magic is refused, naming the file', async () => {
  const b = good();
  b[0] = 0x50;
  b[1] = 0x4b;
  throwsClearly(() => parseIdx(b, 'zip.idx'), /^zip\.idx: /, /bad magic/, /50 4b/, /expected 00 00/);
  const p = writeBytes(dir, 'bad-magic', b);
  await rejectsClearly(readIdxFile(p), literal(p), /bad magic/);
  throwsClearly(() => parseIdx(new Uint8Array([0, 0, 8]), 'tiny'), /tiny: too short for an IDX header \(3 bytes/);
});

test('unknown type code is refused', () => {
  const b = good();
  b[2] = 0x07;
  throwsClearly(() => parseIdx(b, 'f'), /f: unknown IDX type code 0x07/, /0x08 u8/);
});

test('zero, too many and absurd dimensions are refused', () => {
  throwsClearly(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'z'), /z: zero dimensions/);
  throwsClearly(() => parseIdx(encodeIdx('u8', [3, 0, 2], []), 'e'), /e: dimension 1 of \[3, 0, 2\] is 0/);
  const many = new Uint8Array(4 + 4 * 40);
  many[2] = 8;
  many[3] = 40;
  throwsClearly(() => parseIdx(many, 'm'), /m: absurd number of dimensions 40/);
  const huge = new Uint8Array(16);
  huge.set([0, 0, 8, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]); // [65536, 65536, 65536] u8 = 2^48 bytes
  throwsClearly(() => parseIdx(huge, 'h'), /h: absurd dimensions \[65536, 65536, 65536\] of u8/);
});

test('truncated files are refused with expected vs actual bytes', async () => {
  const b = good(); // 16 header + 12 data = 28 bytes
  throwsClearly(() => parseIdx(b.subarray(0, 25), 't'), /t: truncated/, /needs 28 bytes \(16 header \+ 12 data\)/, /has 25 \(3 missing\)/);
  throwsClearly(() => parseIdx(b.subarray(0, 10), 'th'), /th: truncated header: 3 dimensions need 16 header bytes, the file has 10/);
  const f32 = encodeIdx('f32', [5], [1, 2, 3, 4, 5]);
  const p = writeBytes(dir, 'trunc-f32', f32.subarray(0, f32.length - 1));
  await rejectsClearly(readIdxFile(p), literal(p), /truncated: \[5\] f32 needs 28 bytes/, /has 27/);
  // A gzip stream of a truncated file decodes fine; the IDX check still catches it.
  const gz = writeBytes(dir, 'trunc.gz', gzipSync(b.subarray(0, 20)));
  await rejectsClearly(readIdxFile(gz), literal(gz), /truncated/, /has 20 \(8 missing\)/);
});

test('oversized files (trailing garbage) are refused', () => {
  const b = new Uint8Array(32);
  b.set(good());
  throwsClearly(() => parseIdx(b, 'o'), /o: oversized/, /needs 28 bytes/, /has 32 \(4 bytes of trailing garbage\)/);
});

test('gzip bytes passed to parseIdx are refused with a hint', () => {
  throwsClearly(() => parseIdx(gzipSync(good()), 'g.gz'), /g\.gz: looks gzip-compressed \(starts with 1f 8b\); decompress it first/);
});

test('corrupt gzip streams are refused naming the file (node:zlib and DecompressionStream)', async () => {
  const gz = gzipSync(encodeIdx('u8', [100, 10], Array.from({ length: 1000 }, (_, i) => (i * 7) % 256)));
  const flipped = gz.slice();
  for (let i = 12; i < flipped.length - 8; i += 3) flipped[i]! ^= 0x5a; // damage the deflate data
  const cut = gz.subarray(0, gz.length >> 1); // stream ends early
  for (const [tag, bytes] of [['flipped', flipped], ['cut', cut]] as const) {
    const p = writeBytes(dir, `corrupt-${tag}.gz`, bytes);
    await rejectsClearly(readIdxFile(p), new RegExp(`^${literal(p).source}: corrupt gzip stream`));
    await rejectsClearly(decodeIdx(new Uint8Array(bytes).buffer, `web-${tag}.gz`), /^web-\w+\.gz: corrupt gzip stream/);
  }
});

test('gzip bombs: output past the size the IDX header declares is refused at once (node:zlib and DecompressionStream)', async () => {
  // A header declaring [10, 28, 28] u8 (7 856 bytes in all) followed by 32 MiB of zeros: a 32 KB .gz.
  const header = encodeIdx('u8', [10, 28, 28], new Uint8Array(7840));
  const body = new Uint8Array(header.length + 32 * 2 ** 20);
  body.set(header);
  const bomb = gzipSync(body, { level: 9 });
  assert.ok(bomb.length < body.length / 500, `a bomb: ${bomb.length} bytes expanding to ${body.length}`);
  const p = writeBytes(dir, 'bomb.gz', bomb);
  const refused = /the gzip stream expands to more than the 7856 bytes its IDX header declares; refused without decompressing the rest/;
  await rejectsClearly(readIdxFile(p), new RegExp(`^${literal(p).source}: `), refused);
  await rejectsClearly(decodeIdx(new Uint8Array(bomb).buffer, 'web-bomb.gz'), /^web-bomb\.gz: /, refused);
  // The bound is the declared size exactly: one byte more is refused the same way.
  const plusOne = gzipSync(new Uint8Array([...good(), 0]));
  await rejectsClearly(readIdxFile(writeBytes(dir, 'plus-one.gz', plusOne)), /expands to more than the 28 bytes its IDX header declares/);
  await rejectsClearly(decodeIdx(new Uint8Array(plusOne).buffer, 'web-plus-one.gz'), /expands to more than the 28 bytes its IDX header declares/);
  // A bad header inside a .gz is refused from its first bytes, before the rest is decompressed.
  const badMagic = body.slice(0, 4096);
  badMagic[0] = 7;
  await rejectsClearly(readIdxFile(writeBytes(dir, 'bad-magic.gz', gzipSync(badMagic))), /bad-magic\.gz: bad magic: first bytes are 07 00/);
});

test('missing file: the error names the path', async () => {
  const p = join(dir, 'nope');
  await rejectsClearly(readIdxFile(p), literal(p), /cannot read/);
});

test('checkPair: shapes, types, counts and label range, naming both files', () => {
  const img = (n: number) => parseIdx(encodeIdx('u8', [n, 28, 28], new Uint8Array(n * 784)), 'i');
  const lab = (v: number[]) => parseIdx(encodeIdx('u8', [v.length], v), 'l');
  assert.is(checkPair(img(3), lab([0, 9, 5]), 'imgs', 'labs'), 3);
  throwsClearly(() => checkPair(img(3), lab([0, 1]), 'imgs', 'labs'), /imgs \/ labs: 3 images in imgs but 2 labels in labs/);
  throwsClearly(() => checkPair(img(3), lab([0, 10, 1]), 'imgs', 'labs'), /imgs \/ labs: label 1 in labs is 10, expected < 10 classes/);
  const wrongType = parseIdx(encodeIdx('i16', [1, 28, 28], new Int16Array(784)), 'i');
  throwsClearly(() => checkPair(wrongType, lab([0]), 'imgs', 'labs'), /imgs \/ labs: images imgs are \[1, 28, 28\] i16, expected \[N, 28, 28\] u8/);
  const wrongShape = parseIdx(encodeIdx('u8', [1, 27, 29], new Uint8Array(27 * 29)), 'i');
  throwsClearly(() => checkPair(wrongShape, lab([0]), 'imgs', 'labs'), /images imgs are \[1, 27, 29\] u8/);
  throwsClearly(() => checkPair(img(1), parseIdx(encodeIdx('u8', [1, 1], [0]), 'l'), 'imgs', 'labs'), /labels labs are \[1, 1\] u8, expected \[N\] u8/);
});

/** A folder with the four files of a tiny MNIST-format dataset (4 train, 2 test examples). */
function tinySet(tag: string, opts: { trainLabels?: number[]; gz?: boolean } = {}): string {
  const d = join(dir, tag);
  mkdirSync(d, { recursive: true });
  const n = 4, gz = opts.gz ?? false;
  const sfx = gz ? '.gz' : '';
  writeIdx(d, IDX_BASES[0] + sfx, 'u8', [n, 28, 28], Array.from({ length: n * 784 }, (_, i) => i % 256), gz);
  writeIdx(d, IDX_BASES[1] + sfx, 'u8', [opts.trainLabels?.length ?? n], opts.trainLabels ?? [1, 2, 3, 4], gz);
  writeIdx(d, IDX_BASES[2] + sfx, 'u8', [2, 28, 28], new Uint8Array(2 * 784).fill(255), gz);
  writeIdx(d, IDX_BASES[3] + sfx, 'u8', [2], [7, 0], gz);
  return d;
}

test('loadDataset on a folder: mismatched image/label counts and labels >= classes name both files', async () => {
  const lib = await backend();
  const live = lib.heap.live;
  const a = tinySet('mismatch', { trainLabels: [1, 2, 3] });
  await rejectsClearly(
    loadDataset(lib, 'mnist', { dataDir: a }),
    literal(`${join(a, IDX_BASES[0])} / ${join(a, IDX_BASES[1])}: 4 images in ${join(a, IDX_BASES[0])} but 3 labels in ${join(a, IDX_BASES[1])}`),
  );
  const b = tinySet('label10', { trainLabels: [1, 2, 10, 4], gz: true });
  await rejectsClearly(
    loadDataset(lib, 'fashion-mnist', { dataDir: b }),
    literal(`${join(b, IDX_BASES[0])}.gz / ${join(b, IDX_BASES[1])}.gz: label 2 in ${join(b, IDX_BASES[1])}.gz is 10, expected < 10 classes`),
  );
  assert.is(lib.heap.live, live, 'nothing leaked on failure');
});

test('loadDataset on a folder of tiny files (raw and gzip): pixels scaled by 1/255 exactly once', async () => {
  const lib = await backend();
  const live = lib.heap.live;
  for (const gz of [false, true]) {
    const d = tinySet(`ok-${gz}`, { gz });
    const { train, test: tst, validation } = await loadDataset(lib, 'mnist', { dataDir: d });
    assert.is(validation, undefined);
    assert.is(train.size, 4);
    assert.is(tst.size, 2);
    assert.equal(Array.from(train.labels), [1, 2, 3, 4]);
    assert.equal(Array.from(tst.labels), [7, 0]);
    assert.equal(train.images.shape, [4, 784]);
    const x = train.images.data;
    for (let i = 0; i < x.length; i++) if (x[i] !== Math.fround((i % 256) / 255)) assert.unreachable(`train pixel ${i} is ${x[i]}`);
    assert.ok(tst.images.data.every((v) => v === 1));
    train.dispose();
    tst.dispose();
  }
  assert.is(lib.heap.live, live);
});

test.after(() => rmTemp(dir));
test.run();
