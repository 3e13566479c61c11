// f32_gather_rows and f32_onehot against the reference twin (exact copies), IntBuffer, and the
// wrapper's index checks (a bad index is a clear error naming it, never a wild read).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { EDGE_SIZES, seeded, mulberry32 } from '../helpers/fill.js';
import * as ref from '../reference/gather.js';

for (const build of BUILDS) {
  test(`[${build}] gatherRows equals the reference (EDGE_SIZES cols and counts, repeats, offsets)`, async () => {
    const lib = await backend(build);
    for (const cols of [...EDGE_SIZES, 784]) {
      const rows = 23, src = lib.tensor([rows, cols], seeded(rows * cols, cols));
      for (const count of [1, 3, 4, 5, 17, 40]) {
        const rnd = mulberry32(cols * 100 + count), offset = count % 3;
        const all = Array.from({ length: count + offset }, () => Math.floor(rnd() * rows));
        all[offset] = rows - 1; // the last row too
        const idx = lib.ints('i32', all), out = lib.tensor([count, cols]);
        out.data.fill(NaN);
        lib.gatherRows(out, src, idx, offset);
        close(out.data, ref.gatherRows(cols, src.data, all.slice(offset)), { ulps: 0 }, `cols=${cols} count=${count}`);
        idx.dispose(); out.dispose();
      }
      src.dispose();
    }
  });

  test(`[${build}] gatherRows over [rows, 28, 28] images`, async () => {
    const lib = await backend(build);
    const src = lib.tensor([10, 28, 28], seeded(7840, 5)), out = lib.tensor([4, 28, 28]), idx = lib.ints('i32', [9, 0, 9, 3]);
    lib.gatherRows(out, src, idx);
    close(out.data, ref.gatherRows(784, src.data, [9, 0, 9, 3]), { ulps: 0 });
    src.dispose(); out.dispose(); idx.dispose();
  });

  test(`[${build}] onehot equals the reference (EDGE_SIZES classes, offsets, stale output overwritten)`, async () => {
    const lib = await backend(build);
    for (const classes of [...EDGE_SIZES, 10]) {
      const rnd = mulberry32(classes);
      const labs = Array.from({ length: 50 }, () => Math.floor(rnd() * classes));
      const labels = lib.ints('u8', labs);
      for (const count of [1, 4, 7, 32]) {
        const offset = count % 5;
        const all = Array.from({ length: count + offset }, () => Math.floor(rnd() * 50));
        const idx = lib.ints('i32', all), out = lib.tensor([count, classes]);
        out.data.fill(7);
        lib.onehot(out, labels, idx, offset);
        close(out.data, ref.onehot(classes, labs, all.slice(offset)), { ulps: 0 }, `classes=${classes} count=${count}`);
        idx.dispose(); out.dispose();
      }
      labels.dispose();
    }
  });
}

test('IntBuffer: kinds, ranges, views after growth, dispose', async () => {
  const lib = await backend();
  const live = lib.heap.live;
  const a = lib.ints('i32', [-(2 ** 31), 0, 2 ** 31 - 1]), u = lib.ints('u8', 5);
  assert.equal(Array.from(a.data), [-(2 ** 31), 0, 2 ** 31 - 1]);
  assert.equal(Array.from(u.data), [0, 0, 0, 0, 0]);
  assert.ok(a.data instanceof Int32Array && u.data instanceof Uint8Array);
  u.set(Uint8Array.of(1, 2, 3, 4, 255));
  const big = lib.tensor([lib.heap.memory.buffer.byteLength / 2]); // forces memory.grow
  assert.equal(Array.from(u.data), [1, 2, 3, 4, 255], 'view re-derived after growth');
  big.dispose();
  throwsClearly(() => u.set([1, 2, 3, 4, 256]), /IntBuffer.set: values\[4\] = 256 is not an integer in \[0, 255\] \(u8\)/);
  throwsClearly(() => a.set([0, 1.5, 2]), /values\[1\] = 1.5 is not an integer/);
  throwsClearly(() => a.set([1]), /IntBuffer.set: got 1 values, expected 3/);
  throwsClearly(() => lib.ints('i16' as never, 3), /kind must be 'i32' or 'u8'/);
  throwsClearly(() => lib.ints('u8', [300]), /values\[0\] = 300/);
  assert.is(lib.heap.live, live + 2, 'the refused ints() freed what it allocated');
  a.dispose(); u.dispose();
  throwsClearly(() => a.data, /IntBuffer<i32>\[3\] used after dispose/);
  assert.is(lib.heap.live, live);
});

test('gatherRows / onehot check every index before the kernel runs', async () => {
  const lib = await backend();
  const live = lib.heap.live;
  const src = lib.tensor([5, 3]), out = lib.tensor([2, 3]), oh = lib.tensor([2, 4]);
  const idx = lib.ints('i32', [0, 5, 1]), labels = lib.ints('u8', [0, 1, 2, 9, 3]);
  throwsClearly(() => lib.gatherRows(out, src, idx), /gatherRows: idx\[1\] = 5 is out of range for src \[5, 3\] \(expected 0 <= index < 5\)/);
  idx.data[1] = -1;
  throwsClearly(() => lib.gatherRows(out, src, idx), /idx\[1\] = -1 is out of range/);
  throwsClearly(() => lib.gatherRows(out, src, idx, 2), /gatherRows: idx IntBuffer<i32>\[3\] is too short: needs 2 indices from offset 2/);
  const wide = lib.tensor([2, 4]), flat = lib.tensor([6]);
  throwsClearly(() => lib.gatherRows(wide, src, idx), /gatherRows: src \[5, 3\] has rows of 3, out \[2, 4\] has rows of 4/);
  throwsClearly(() => lib.gatherRows(flat, src, idx), /gatherRows: out must have at least 2 dimensions/);
  wide.dispose(); flat.dispose();
  throwsClearly(() => lib.gatherRows(out, src, labels as never), /gatherRows: idx must be an IntBuffer<'i32'>/);
  throwsClearly(() => lib.gatherRows(out, src, [0, 1] as never), /gatherRows: idx must be an IntBuffer<'i32'>, got object/);
  idx.set([3, 9, 0]);
  throwsClearly(() => lib.onehot(oh, labels, idx), /onehot: labels\[3\] = 9 \(via idx\[0\]\) is not a class of out \[2, 4\] \(expected < 4\)/);
  throwsClearly(() => lib.onehot(oh, labels, idx, 1), /onehot: idx\[1\] = 9 is out of range for labels of length 5/);
  throwsClearly(() => lib.onehot(oh, idx as never, idx), /onehot: labels must be an IntBuffer<'u8'>/);
  idx.set([4, 2, 1]);
  lib.onehot(oh, labels, idx);
  assert.equal(Array.from(oh.data), [0, 0, 0, 1, 0, 0, 1, 0]);
  src.dispose(); out.dispose(); oh.dispose(); idx.dispose(); labels.dispose();
  assert.is(lib.heap.live, live);
});

test.run();
