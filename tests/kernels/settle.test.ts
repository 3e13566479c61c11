// f32_settle_step and f32_settle_diff_step vs tests/reference/settle.ts on both builds: EDGE_SIZES, ε = 1 (exact copy) and
// ε < 1, finite and infinite bounds, x aliasing s, NaN propagation. 0 ulps: the reference rounds with
// Math.fround after each operation in the kernel's order ((1−ε)·s + ε·x, clamp, |t − s|), and max is exact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { seeded, EDGE_SIZES } from '../helpers/fill.js';
import { close, throwsClearly } from '../helpers/close.js';
import * as ref from '../reference/settle.js';

const CASES: [number, number, number][] = [[1, 0, 1], [0.5, 0, 1], [0.3, -Infinity, Infinity], [1, -Infinity, Infinity], [0.9, -0.25, 0.5]];

for (const build of BUILDS) {
  test(`${build} settleStep: matches the reference (state and max change), x = s aliasing`, async () => {
    const lib = await backend(build);
    for (const n of EDGE_SIZES) {
      for (const [eps, lo, hi] of CASES) {
        const sv = seeded(n, 7 * n, -0.5, 1.5), xv = seeded(n, 7 * n + 1, -2, 2);
        const s = lib.tensor([n], sv), x = lib.tensor([n], xv);
        const want = Float32Array.from(sv);
        const m = ref.settleStep(n, eps, lo, hi, xv, want);
        const got = lib.settleStep(s, x, eps, lo, hi);
        close(s.data, want, { ulps: 0 }, `n=${n} eps=${eps} [${lo}, ${hi}]`);
        assert.is(got, m, `max change n=${n} eps=${eps}`);
        if (eps === 1 && lo === -Infinity) close(s.data, xv, { ulps: 0 }, 'eps = 1 copies x exactly');
        s.set(sv);
        const want2 = Float32Array.from(sv);
        const m2 = ref.settleStep(n, eps, lo, hi, sv, want2);
        assert.is(lib.settleStep(s, s, eps, lo, hi), m2, `aliased max change n=${n}`);
        close(s.data, want2, { ulps: 0 }, `aliased n=${n}`);
        s.dispose(); x.dispose();
      }
    }
  });

  test(`${build} settleStep: a NaN anywhere is reported (the stopping test cannot pass on NaN)`, async () => {
    const lib = await backend(build);
    for (const n of [1, 5, 8, 17]) {
      for (const at of [0, n - 1]) {
        const xv = seeded(n, n, 0, 1); xv[at] = NaN;
        const s = lib.tensor([n], seeded(n, n + 3, 0, 1)), x = lib.tensor([n], xv);
        assert.ok(Number.isNaN(lib.settleStep(s, x, 1, -Infinity, Infinity)), `n=${n} NaN at ${at}`);
        s.dispose(); x.dispose();
      }
    }
    const e = lib.tensor([0]);
    assert.is(lib.settleStep(e, e, 1), 0, 'n = 0 gives 0');
    e.dispose();
  });
}

for (const build of BUILDS) {
  test(`${build} settleDiffStep: matches the reference, drives inside and outside [lo, hi], tiny and crossing changes`, async () => {
    const lib = await backend(build);
    for (const n of EDGE_SIZES) {
      for (const [eps, lo, hi] of CASES) {
        // a spans both sides of [lo, hi]; d mixes O(1) changes (crossing a bound) with changes far below a's ulp
        const av = seeded(n, 5 * n, -0.8, 1.8), dv = seeded(n, 5 * n + 1, -1, 1).map((v, i) => (i % 3 === 0 ? v : v * 1e-9));
        const sv = seeded(n, 5 * n + 2, -0.01, 0.01);
        const s = lib.tensor([n], sv), a = lib.tensor([n], av), d = lib.tensor([n], dv);
        const want = Float32Array.from(sv);
        const m = ref.settleDiffStep(n, eps, lo, hi, av, dv, want);
        assert.is(lib.settleDiffStep(s, a, d, eps, lo, hi), m, `max change n=${n} eps=${eps} [${lo}, ${hi}]`);
        close(s.data, want, { ulps: 0 }, `n=${n} eps=${eps} [${lo}, ${hi}]`);
        s.dispose(); a.dispose(); d.dispose();
      }
    }
  });

  test(`${build} settleDiffStep: equals clamp(a + d) − clamp(a) in float64, to float32's relative precision even when d is below a's ulp`, async () => {
    // The point of the kernel: the float32 difference clamp(a + d) − clamp(a) of a d smaller than half
    // a's ulp is 0; the kernel's is d. Inside [lo, hi] the result is d exactly (ε = 1); across a bound the
    // float64 clamp difference is met within the rounding of d + (a − c) and of lo − c, hi − c: 2 ulps of |t|.
    const lib = await backend(build);
    const n = 37, lo = 0, hi = 1;
    const av = seeded(n, 3, -0.5, 1.5), dv = seeded(n, 4, -1, 1).map((v, i) => (i % 2 ? v * 1e-10 : v));
    const s = lib.tensor([n], new Float32Array(n)), a = lib.tensor([n], av), d = lib.tensor([n], dv);
    lib.settleDiffStep(s, a, d, 1, lo, hi);
    const clamp = (x: number) => Math.min(Math.max(x, lo), hi);
    for (let i = 0; i < n; i++) {
      const x = av[i]!, y = dv[i]!, inside = (v: number) => v >= lo && v <= hi;
      // (float64's own a + d would round a 1e-10 change to 5 digits; inside [lo, hi] the difference is d)
      const want = inside(x) && inside(x + y) ? y : clamp(x + y) - clamp(x), got = s.data[i]!;
      assert.ok(Math.abs(got - want) <= 2 * 2 ** -23 * Math.abs(want), `i=${i}: a ${av[i]} d ${dv[i]}: ${got} vs ${want}`);
      if (i % 2 && av[i]! > lo && av[i]! < hi) assert.ok(Math.fround(Math.fround(av[i]! + dv[i]!) - av[i]!) === 0 && got !== 0, `i=${i}: the naive float32 difference loses it, the kernel keeps it`);
    }
    const nan = Float32Array.from(dv); nan[n - 1] = NaN;
    d.set(nan);
    assert.ok(Number.isNaN(lib.settleDiffStep(s, a, d, 1, lo, hi)), 'a NaN change is reported');
    s.dispose(); a.dispose(); d.dispose();
  });
}

test('settleStep wrapper errors are clear', async () => {
  const lib = await backend();
  const a = lib.tensor([2, 3]), b = lib.tensor([5]);
  throwsClearly(() => lib.settleStep(a, b, 1), /settleStep: x \[5\] has 5 elements, expected 6/);
  throwsClearly(() => lib.settleStep(a, a, 0), /settleStep: eps must be in \(0, 1\], got 0/);
  throwsClearly(() => lib.settleStep(a, a, NaN), /settleStep: eps must be a finite number, got NaN/);
  throwsClearly(() => lib.settleStep(a, a, 1, 1, 0), /settleStep: lo \(1\) must be <= hi \(0\)/);
  throwsClearly(() => lib.settleDiffStep(a, a, b, 1), /settleDiffStep: d \[5\] has 5 elements, expected 6/);
  throwsClearly(() => lib.settleDiffStep(a, a, a, 1.5), /settleDiffStep: eps must be in \(0, 1\], got 1.5/);
  throwsClearly(() => lib.settleDiffStep(a, a, a, 1, 1, 0), /settleDiffStep: lo \(1\) must be <= hi \(0\)/);
  a.dispose(); b.dispose();
});

test.run();
