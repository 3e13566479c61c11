// Row views (Tensor.head, row, matrix): they share the viewed tensor's memory and lifetime, are made
// once per shape (so a loop that asks for them allocates nothing), and the kernel API checks their
// shapes; the debug build's checks also see overlaps through views, which release checks by address.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { throwsClearly } from '../helpers/close.js';
import { load } from '../../src/index.js';

test('head, row and matrix share memory, are cached, and follow the owner', async () => {
  const lib = await backend();
  const t = lib.tensor([4, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const h = t.head(2);
  assert.equal(h.shape, [2, 3]);
  assert.equal(Array.from(h.data), [0, 1, 2, 3, 4, 5]);
  assert.is(t.head(2), h, 'made once');
  assert.is(t.head(4), t, 'the whole first dimension is the tensor itself');
  assert.equal(Array.from(t.row(2).data), [6, 7, 8]);
  assert.is(t.row(2).ptr, t.ptr + 4 * 6);
  const m = t.matrix(2, 5);
  assert.equal(m.shape, [2, 5]);
  assert.is(t.matrix(2, 5), m);
  assert.is(t.matrix(4, 3), t);
  lib.fill(t.row(1), -1);
  assert.equal(Array.from(t.data.subarray(0, 7)), [0, 1, 2, -1, -1, -1, 6]);
  const live = lib.heap.live;
  for (let i = 0; i < 100; i++) lib.scal(t.head(3), 1);
  assert.is(lib.heap.live, live, 'views take no memory of their own');
  throwsClearly(() => t.head(5), /Tensor\.head: rows must be an integer in \[0, 4\] for Tensor\[4, 3\], got 5/);
  throwsClearly(() => t.row(4), /Tensor\.row: r must be an integer in \[0, 3\]/);
  throwsClearly(() => t.matrix(3, 5), /Tensor\.matrix: \[3, 5\] does not fit in Tensor\[4, 3\] \(12 elements\)/);
  throwsClearly(() => h.head(1), /Tensor\.head: Tensor\[2, 3\] is already a view/);
  throwsClearly(() => h.dispose(), /Tensor\[2, 3\] is a view of Tensor\[4, 3\]: dispose the buffer it views/);
  t.dispose();
  assert.ok(h.disposed, 'a view dies with its owner');
  throwsClearly(() => lib.fill(h, 0), /fill: x Tensor\[2, 3\] was disposed/);
});

test('the kernel API checks view shapes: a partial batch is a head, not a size by hand', async () => {
  const lib = await backend();
  const x = lib.tensor([8, 5]), w = lib.tensor([3, 5]), out = lib.tensor([8, 3]);
  lib.gemm(out.head(6), x.head(6), w, 'nt');
  throwsClearly(() => lib.gemm(out.head(6), x.head(5), w, 'nt'), /gemm: out is \[6, 3\], expected \[5, 3\]/);
  throwsClearly(() => lib.add(out.head(2), out.head(2), out.head(3)), /add: y \[3, 3\] has 9 elements, expected 6/);
  [x, w, out].forEach((t) => t.dispose());
});

test('overlap through views: release checks compare addresses, debug checks compare byte ranges', async () => {
  const release = await backend();
  const debug = await load({ build: 'debug' });
  assert.not.ok(release.debug);
  assert.ok(debug.debug);
  for (const lib of [release, debug]) {
    const a = lib.tensor([4, 4]), b = lib.tensor([4, 4]);
    // out and a start at the same address (two views of one tensor): both builds catch it.
    throwsClearly(() => lib.gemm(a.head(2), a.matrix(2, 4), b), /gemm: out and a must not share memory/);
    // out is a row inside x: only the byte ranges see it.
    const outRow = b.row(1), src = b.head(3);
    const sum = () => lib.sumRows(outRow, src);
    if (lib.debug) throwsClearly(sum, /sumRows: out and x must not share memory/);
    else sum();
    [a, b].forEach((t) => t.dispose());
  }
});

test.run();
