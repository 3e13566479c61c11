// Level-1 kernels vs tests/reference/blas1.ts on both builds. Element-wise updates: 0 ulps (the
// reference rounds like the kernel). dot/sumsq: |err| <= (n + 1)·2^-24·Σ|x·y| (the kernel sums in f32
// in 4 lanes or in order; each product adds one rounding). sum_rows sums each column in row order in
// both builds and the reference: 0 ulps.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { seeded, EDGE_SIZES } from '../helpers/fill.js';
import { close, throwsClearly } from '../helpers/close.js';
import * as ref from '../reference/blas1.js';

const U = 2 ** -24;
const SHAPES: [number, number][] = [[1, 1], [1, 17], [17, 1], [7, 13], [3, 4], [5, 16], [9, 33], [4, 65], [65, 4], [2, 100]];

for (const build of BUILDS) {
  test(`${build} scal, copy, fill, axpby: reference, every edge size`, async () => {
    const lib = await backend(build);
    for (const n of EDGE_SIZES) {
      const xv = seeded(n, n), yv = seeded(n, n + 7);
      const x = lib.tensor([n], xv), y = lib.tensor([n], yv);
      const e = Float32Array.from(xv);
      ref.scal(n, -0.3, e);
      lib.scal(x, -0.3);
      close(x.data, e, { ulps: 0 }, `scal n=${n}`);
      lib.copy(y, x);
      close(y.data, e, { ulps: 0 }, `copy n=${n}`);
      lib.copy(x, x);
      close(x.data, e, { ulps: 0 }, `copy n=${n} onto itself`);
      ref.fill(n, 2.5, e);
      lib.fill(x, 2.5);
      close(x.data, e, { ulps: 0 }, `fill n=${n}`);
      x.set(xv); y.set(yv);
      const ey = Float32Array.from(yv);
      ref.axpby(n, 0.7, xv, -1.3, ey);
      lib.axpby(y, 0.7, x, -1.3);
      close(y.data, ey, { ulps: 0 }, `axpby n=${n}`);
      const ex = Float32Array.from(xv);
      ref.axpby(n, 0.7, xv, -1.3, ex);
      lib.axpby(x, 0.7, x, -1.3);
      close(x.data, ex, { ulps: 0 }, `axpby n=${n} x = y`);
      x.dispose(); y.dispose();
    }
  });

  test(`${build} dot, sumsq: within (n+1)·2^-24·Σ|x·y| of the f64 sum`, async () => {
    const lib = await backend(build);
    for (const n of [0, ...EDGE_SIZES, 1000, 4099]) {
      const xv = seeded(n, n + 3), yv = seeded(n, n + 4, -10, 10);
      const x = lib.tensor([n], xv), y = lib.tensor([n], yv);
      const d = ref.dot(n, xv, yv), s = ref.dot(n, xv, xv);
      assert.ok(Math.abs(lib.dot(x, y) - d.value) <= (n + 1) * U * d.abs, `dot n=${n}: ${lib.dot(x, y)} vs ${d.value}`);
      assert.ok(Math.abs(lib.sumsq(x) - s.value) <= (n + 1) * U * s.abs, `sumsq n=${n}`);
      x.dispose(); y.dispose();
    }
  });

  test(`${build} nonFinite counts NaN and ±Inf, nothing else`, async () => {
    const lib = await backend(build);
    for (const n of EDGE_SIZES) {
      const xv = seeded(n, n, -3e38, 3e38);
      for (let i = 0; i < n; i += 3) xv[i] = [NaN, Infinity, -Infinity][i % 9 / 3]!;
      if (n > 1) xv[1] = 2 ** -149; // subnormal: finite
      const x = lib.tensor([n], xv);
      assert.is(lib.nonFinite(x), ref.nonFinite(n, xv), `nonFinite n=${n}`);
      x.dispose();
    }
  });

  test(`${build} sumRows, addRow: reference for 1×N, N×1, 7×13 and tile-straddling shapes`, async () => {
    const lib = await backend(build);
    for (const [m, n] of SHAPES) {
      const xv = seeded(m * n, m * 31 + n), ov = seeded(n, n + 5), bv = seeded(n, n + 9);
      const x = lib.tensor([m, n], xv), out = lib.tensor([n], ov), bias = lib.tensor([n], bv);
      const e = Float32Array.from(ov);
      ref.sumRows(m, n, 0.5, 0.25, xv, e);
      lib.sumRows(out, x, 0.5, 0.25);
      close(out.data, e, { ulps: 0 }, `sumRows ${m}x${n} beta=0.25`);
      out.data.fill(NaN); // beta = 0 must not read out
      ref.sumRows(m, n, 1, 0, xv, e);
      lib.sumRows(out, x);
      close(out.data, e, { ulps: 0 }, `sumRows ${m}x${n} beta=0 over NaN`);
      const ex = Float32Array.from(xv);
      ref.addRow(m, n, bv, ex);
      lib.addRow(x, bias);
      close(x.data, ex, { ulps: 0 }, `addRow ${m}x${n}`);
      [x, out, bias].forEach((t) => t.dispose());
    }
  });
}

test('level-1 wrapper errors are clear', async () => {
  const lib = await backend();
  const a = lib.tensor([3, 4]), v3 = lib.tensor([3]), v4 = lib.tensor([4]);
  throwsClearly(() => lib.sumRows(v3, a), /sumRows: out \[3\] has 3 elements, expected 4/);
  throwsClearly(() => lib.addRow(a, v3), /addRow: bias \[3\] has 3 elements, expected 4/);
  throwsClearly(() => lib.dot(v3, v4), /dot: y \[4\] has 4 elements, expected 3/);
  throwsClearly(() => lib.axpby(v3, 1, v3, NaN), /axpby: beta must be a finite number, got NaN/);
  throwsClearly(() => lib.sumRows(v4, a, Infinity), /sumRows: alpha must be a finite number/);
  v3.dispose();
  throwsClearly(() => lib.scal(v3, 2), /scal: x Tensor\[3\] was disposed/);
  a.dispose(); v4.dispose();
});

test.run();
