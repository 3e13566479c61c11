import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from './helpers/setup.js';
import { throwsClearly } from './helpers/close.js';

test('tensor views survive memory growth (old views detach, data re-derives)', async () => {
  const b = await backend();
  const t = b.tensor([5], [1, 2, 3, 4, 5]);
  const before = t.data;
  const pagesBefore = b.heap.memory.buffer.byteLength;
  const big = b.tensor([Math.ceil((pagesBefore * 2) / 4)]); // forces memory.grow
  assert.ok(b.heap.memory.buffer.byteLength > pagesBefore, 'memory grew');
  assert.is(before.length, 0, 'the old view is detached by growth');
  assert.equal(Array.from(t.data), [1, 2, 3, 4, 5], 'data re-derived over the grown memory');
  big.dispose();
  t.dispose();
});

test('alloc/free reuse: many cycles return to the baseline without leaking', async () => {
  const b = await backend();
  const live0 = b.heap.live, bytes0 = b.heap.bytes;
  const warm = b.tensor([1000, 100]);
  warm.dispose();
  const memBytes = b.heap.memory.buffer.byteLength;
  for (let i = 0; i < 5000; i++) {
    const a = b.tensor([1 + (i % 97), 100]);
    const c = b.tensor([13]);
    a.dispose();
    c.dispose();
  }
  assert.is(b.heap.live, live0);
  assert.is(b.heap.bytes, bytes0);
  assert.is(b.heap.memory.buffer.byteLength, memBytes, 'freed blocks were reused: memory did not grow');
});

test('pointers are 16-byte aligned', async () => {
  const b = await backend();
  const ts = [1, 3, 5, 17, 100].map((n) => b.tensor([n]));
  for (const t of ts) assert.is(t.ptr % 16, 0, `ptr ${t.ptr}`);
  ts.forEach((t) => t.dispose());
});

test('use after dispose and double dispose are clear errors', async () => {
  const b = await backend();
  const t = b.tensor([2, 3]);
  t.dispose();
  throwsClearly(() => t.data, /Tensor\[2, 3\] used after dispose/);
  throwsClearly(() => t.dispose(), /used after dispose/);
  const y = b.tensor([6]);
  throwsClearly(() => b.axpy(y, 1, t), /axpy: x Tensor\[2, 3\] was disposed/);
  y.dispose();
});

test('set() with the wrong length is refused', async () => {
  const b = await backend();
  const t = b.tensor([2, 2]);
  throwsClearly(() => t.set([1, 2, 3]), /Tensor.set: got 3 values, expected 4/);
  t.dispose();
});

test.run();
