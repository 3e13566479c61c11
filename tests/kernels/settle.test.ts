// f32_settle_step vs tests/reference/settle.ts on both builds: EDGE_SIZES, ε = 1 (exact copy) and
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

test('settleStep wrapper errors are clear', async () => {
  const lib = await backend();
  const a = lib.tensor([2, 3]), b = lib.tensor([5]);
  throwsClearly(() => lib.settleStep(a, b, 1), /settleStep: x \[5\] has 5 elements, expected 6/);
  throwsClearly(() => lib.settleStep(a, a, 0), /settleStep: eps must be in \(0, 1\], got 0/);
  throwsClearly(() => lib.settleStep(a, a, NaN), /settleStep: eps must be a finite number, got NaN/);
  throwsClearly(() => lib.settleStep(a, a, 1, 1, 0), /settleStep: lo \(1\) must be <= hi \(0\)/);
  a.dispose(); b.dispose();
});

test.run();
