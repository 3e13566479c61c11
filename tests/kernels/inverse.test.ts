// Inverse-step kernels (assembly/kernels/inverse.ts, q = f⁻¹(h + d) − a) against their twins
// (tests/reference/inverse.ts) on both builds: EDGE_SIZES, q aliasing d (GAIT-prop's in-place call), a
// and h, awkward values (tanh: h near and at ±1, d = 0, z beyond the clamp, NaN; leaky ReLU: sign
// changes across 0, u = 0 exactly, h = ±0), and the pre-kernel float64 loop of gaitprop.ts.
// Tolerances: linear and leaky ReLU are correctly rounded f32 steps in the twin's order: 0 ulps. tanh
// vs the float32 twin: ATANH_REL (the documented log1p bound + 3U) relative; vs the float64 loop:
// tanhBound (the float32 rounding of z times the conditioning of atanh, see the reference).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { seeded, EDGE_SIZES } from '../helpers/fill.js';
import { close, throwsClearly } from '../helpers/close.js';
import type { Backend } from '../../src/index.js';
import { INVERSE_KERNELS } from '../../src/backend.js';
import { inverseTwin, inverseF64, tanhBound, ATANH_REL, ATANH_MAX, ZMAX, TINY, type InverseName } from '../reference/inverse.js';

const NAMES = Object.keys(INVERSE_KERNELS) as InverseName[];
const SLOPE = 0.01; // leakyRelu's default slope (the kernel gets Math.fround(0.01))
const fr = Math.fround;

/** Consistent (a, h = f(a), d) of n elements; d on three scales (within reach of ±1 for tanh, small, 0). */
function data(name: InverseName, n: number, seed: number, slope = SLOPE): { a: Float32Array; h: Float32Array; d: Float32Array } {
  const a = seeded(n, seed, -4, 4), r = seeded(n, seed + 1, -1, 1), h = new Float32Array(n), d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    h[i] = name === 'tanh' ? fr(Math.tanh(x)) : name === 'linear' ? x : x > 0 ? x : fr(fr(slope) * x);
    const scale = i % 3 === 0 ? 0 : i % 3 === 1 ? 1e-3 : 1;
    // tanh: |d| < 0.95(1 − |h|) keeps h + d inside (−1, 1); leaky: up to 2|h| + 0.05 crosses the kink
    const reach = name === 'tanh' ? 0.95 * (1 - Math.abs(h[i]!)) : 2 * Math.abs(h[i]!) + 0.05;
    d[i] = fr(scale * reach * r[i]!);
  }
  return { a, h, d };
}

function kernelTol(name: InverseName, want: number[]) {
  return name === 'tanh' ? { abs: want.map((w) => ATANH_REL * Math.abs(w) + TINY) } : { ulps: 0 };
}

function run(lib: Backend, name: InverseName, a: ArrayLike<number>, h: ArrayLike<number>, d: ArrayLike<number>, slope = SLOPE): Float32Array {
  const n = d.length;
  const ta = lib.tensor([n], a), th = lib.tensor([n], h), td = lib.tensor([n], d), tq = lib.tensor([n]);
  lib.inverseStep(name, tq, ta, th, td, name === 'leakyRelu' ? { slope } : undefined);
  const q = tq.toArray();
  [ta, th, td, tq].forEach((t) => t.dispose());
  return q;
}

for (const build of BUILDS) {
  for (const name of NAMES) {
    test(`${build} inverse ${name}: matches the twin on every edge size, in place over d, a and h`, async () => {
      const lib = await backend(build);
      const p = name === 'leakyRelu' ? { slope: SLOPE } : undefined;
      for (const n of [...EDGE_SIZES, 1000]) {
        const { a, h, d } = data(name, n, 300 + n);
        const want = inverseTwin(name, SLOPE, a, h, d);
        const ta = lib.tensor([n], a), th = lib.tensor([n], h), td = lib.tensor([n], d), tq = lib.tensor([n]);
        lib.inverseStep(name, tq, ta, th, td, p);
        close(tq.data, want, kernelTol(name, want), `${name} n=${n}`);
        const out = tq.toArray();
        // q = d (GAIT-prop's call), q = a, q = h: the same bits as out of place
        lib.inverseStep(name, td, ta, th, td, p);
        close(td.data, out, { ulps: 0 }, `${name} n=${n} q = d`);
        td.set(d);
        lib.inverseStep(name, ta, ta, th, td, p);
        close(ta.data, out, { ulps: 0 }, `${name} n=${n} q = a`);
        ta.set(a);
        lib.inverseStep(name, th, ta, th, td, p);
        close(th.data, out, { ulps: 0 }, `${name} n=${n} q = h`);
        [ta, th, td, tq].forEach((t) => t.dispose());
      }
    });

    test(`${build} inverse ${name}: keeps the float64 loop it replaced (within float32 rounding)`, async () => {
      const lib = await backend(build);
      const n = 4096;
      const { a, h, d } = data(name, n, 77);
      const got = run(lib, name, a, h, d);
      const want = inverseF64(name, SLOPE, a, h, d);
      if (name === 'tanh') close(got, want, { abs: want.map((w, i) => tanhBound(h[i]!, d[i]!, w)) }, 'tanh vs f64 loop');
      // leaky: same side d or d/s (one rounding each way, and 1/0.01 vs f32 0.01); across the kink
      // (u or u/s) − a with both terms of one sign: u, u/s, the difference: 3U, plus the slope's 2^-24
      else close(got, want, { rel: 5 * 2 ** -24 }, `${name} vs f64 loop`);
    });
  }

  test(`${build} inverse tanh: h near and at ±1, d = 0, z beyond the clamp, NaN`, async () => {
    const lib = await backend(build);
    const one = fr(1 - 2 ** -24), near = fr(1 - 2 ** -20);
    const cases: [number, number][] = [
      [0, 0], [0.5, 0], [-0.5, -0], [one, 0], [-one, 0],             // d = 0 → q = ±0
      [one, -1e-9], [-one, 1e-9], [near, -1e-7], [-near, 1e-7],       // just inside ±1, moving inward
      [near, 5e-8], [-near, -5e-8], [one, 2e-8], [-one, -2e-8],       // moving outward, still < 1
      [0.999, 2e-3], [-0.999, -2e-3], [0, 1.5], [0, -1.5], [0.5, 0.6], [0.9, 0.2], // |z| > 1: clamp
      [0.2, 1e-30], [-0.2, -1e-38], [0, 1e-44],                       // tiny and subnormal d
      [0.999, 1e-3], [-0.9, -0.1], [0.5, 0.4999], [0.5, -1.49],       // h + d at or near ±1: z near ±1
      [1, 1e-8], [-1, -1e-8], [1, 0], [-1, -0],                       // h = ±1 exactly: the clamp for d ≠ 0, q = d for d = 0
      [0.3, NaN], [NaN, 0.1], [0.3, Infinity], [0.3, -Infinity],
    ];
    const h = Float32Array.from(cases, (c) => c[0]), d = Float32Array.from(cases, (c) => c[1]);
    const a = new Float32Array(cases.length);
    const got = run(lib, 'tanh', a, h, d);
    const want = inverseTwin('tanh', 0, a, h, d);
    close(got, want, { abs: want.map((w) => ATANH_REL * Math.abs(w) + TINY) }, 'tanh specials vs twin');
    // d = 0: q = 0 with d's sign, wherever h is inside (−1, 1)
    for (let i = 0; i < 5; i++) assert.ok(Object.is(got[i], Object.is(d[i], -0) ? -0 : 0), `d = 0 at h = ${h[i]}: q = ${got[i]}`);
    // beyond the clamp: exactly ±atanh(1 − 1e-7) in float32, as the old loop stored it
    for (let i = 13; i < 19; i++) assert.is(Math.abs(got[i]!), ATANH_MAX, `clamp at h = ${h[i]}, d = ${d[i]}`);
    for (const i of [26, 27]) assert.is(Math.abs(got[i]!), ATANH_MAX, `h = ${h[i]}, d = ${d[i]}: the clamp`);
    // a saturated unit (h = ±1 exactly) that is not asked to move stays: q = d = ±0, not the clamp
    assert.ok(Object.is(got[28], 0) && Object.is(got[29], -0), `h = ±1, d = ±0: q = ${got[28]}, ${got[29]}`);
    // NaN in h or d, and ∞/∞ from an infinite d, give NaN: bad input stays visible downstream
    for (let i = 30; i < 34; i++) assert.ok(Number.isNaN(got[i]!), `h = ${h[i]}, d = ${d[i]}: q = ${got[i]} is NaN`);
    assert.ok(got.slice(0, 30).every((v) => Number.isFinite(v) && Math.abs(v) <= ATANH_MAX), 'every other q finite and within the clamp');
    // inward from near ±1: opposite sign to h, as in f64
    const f64 = inverseF64('tanh', 0, a, h, d);
    for (let i = 5; i < 13; i++) close([got[i]!], [f64[i]!], { abs: tanhBound(h[i]!, d[i]!, f64[i]!) }, `h = ${h[i]}, d = ${d[i]} vs f64`);
    assert.ok(ZMAX < 1);
  });

  test(`${build} inverse leakyRelu: sign changes across 0, u = 0 exactly, h = ±0, d = 0, NaN`, async () => {
    const lib = await backend(build);
    const s = 0.25; // exact in binary: the cases below are exact
    const pairs: [number, number][] = [ // [a, d]
      [2, 0.5], [2, -1], [2, -2], [2, -3],           // h > 0: same side, u = 1; u = 0 (→ cross, u/s − a = −2); u < 0
      [-4, 0.5], [-4, 1], [-4, 1.5], [-4, 3],        // h = −1: same side; u = 0 (same side, d/s); u > 0 (cross)
      [0, 0.5], [0, -0.5], [-0, 0.5], [0, 0],        // h = 0 counts as the lower side
      [1e-3, -1e-3], [-1e-3, 1e-3], [3, 0], [-3, 0], [-3, -0],
      [1, NaN], [NaN, 1], [-1, NaN],
    ];
    const a = Float32Array.from(pairs, (p) => p[0]);
    const h = Float32Array.from(a, (x) => (x > 0 ? x : fr(s * x)));
    const d = Float32Array.from(pairs, (p) => p[1]);
    const got = run(lib, 'leakyRelu', a, h, d, s);
    close(got, inverseTwin('leakyRelu', s, a, h, d), { ulps: 0 }, 'leaky specials vs twin');
    // by hand: f⁻¹(h + d) − a with f⁻¹(u) = u (u > 0), u/s (u <= 0)
    const x = fr(1e-3);
    const hand = [0.5, -1, -2, -6, 2, 4, 4.5, 6, 0.5, -2, 0.5, 0, -x, fr(fr(0.75 * x) + x), 0, 0, -0, NaN, NaN, NaN];
    close(got, hand, { ulps: 0 }, 'leaky specials by hand');
    assert.ok(got[13]! > 0 && got[12]! < 0, 'crossing the kink keeps the direction of d');
  });

  test(`${build} inverse linear: q = d bit for bit, q = d in place moves nothing`, async () => {
    const lib = await backend(build);
    const d = Float32Array.from([0, -0, 1e-45, -3.5, Infinity, NaN, 7]);
    const z = new Float32Array(d.length);
    const got = run(lib, 'linear', z, z, d);
    assert.equal(Array.from(got, (v) => Object.is(v, -0) ? '-0' : String(v)), Array.from(d, (v) => Object.is(v, -0) ? '-0' : String(v)));
  });
}

test('inverse kernels: release (SIMD) and scalar builds give identical bits', async () => {
  const [rel, sca] = await Promise.all([backend('release'), backend('scalar')]);
  for (const name of NAMES) {
    const { a, h, d } = data(name, 1003, 9);
    close(run(rel, name, a, h, d), run(sca, name, a, h, d), { ulps: 0 }, `${name} release vs scalar`);
  }
});

test('inverseStep wrapper errors are clear', async () => {
  const lib = await backend();
  const q = lib.tensor([4]), a = lib.tensor([4]), h = lib.tensor([4]), small = lib.tensor([3]);
  throwsClearly(() => lib.inverseStep('relu' as 'tanh', q, a, h, q), /inverseStep: 'relu' has no inverse step \(expected one of linear, tanh, leakyRelu\)/);
  throwsClearly(() => lib.inverseStep('tanh', q, a, small, q), /inverseStep: h \[3\] has 3 elements, expected 4/);
  throwsClearly(() => lib.inverseStep('tanh', small, a, h, q), /inverseStep: a \[4\] has 4 elements, expected 3/);
  throwsClearly(() => lib.inverseStep('linear', q, a, h, small), /inverseStep: d \[3\] has 3 elements, expected 4/);
  throwsClearly(() => lib.inverseStep('leakyRelu', q, a, h, q, { slope: 0 }), /inverseStep: leakyRelu slope must be > 0 to be invertible, got 0/);
  throwsClearly(() => lib.inverseStep('leakyRelu', q, a, h, q, { slope: NaN }), /inverseStep: leakyRelu parameter slope must be a finite number, got NaN/);
  throwsClearly(() => lib.inverseStep('tanh', q, a, h, [1, 2, 3, 4] as never), /inverseStep: d must be a Tensor, got an Array/);
  small.dispose();
  throwsClearly(() => lib.inverseStep('tanh', q, a, h, small), /inverseStep: d .* was disposed/);
  [q, a, h].forEach((t) => t.dispose());
});

test.run();
