// Activation kernels vs their f64 twins (tests/reference/act.ts) on both builds: every registered
// activation, EDGE_SIZES, with and without deriv, post aliasing a, special values, and f' against a
// central finite difference of the reference f. Tolerances: the per-op budgets of tests/reference/act.ts
// (derived from the documented max errors of assembly/ops/math.ts), never widened per run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { seeded, EDGE_SIZES } from '../helpers/fill.js';
import { close, throwsClearly } from '../helpers/close.js';
import { ACTIVATIONS, ACT_NAMES } from '../../src/activations.js';
import { ACT_REF, U, condition, type ActRef } from '../reference/act.js';

function params(name: string): number[] {
  return Object.values((ACTIVATIONS as Record<string, { defaults: Record<string, number> }>)[name]!.defaults).map(Math.fround);
}

/** Per-element absolute tolerance: the op's relative budget (+ 2U·condition for input-rounding ops). */
function tolerances(r: ActRef, as: ArrayLike<number>, want: number[], p: number[], deriv: boolean): number[] {
  return want.map((w, i) => {
    const rel = (deriv ? r.relDf : r.relF) + (r.conditioned ? 2 * U * condition(r, as[i]!, p, deriv) : 0);
    return rel * Math.abs(w) + r.abs;
  });
}

function check(name: string, r: ActRef, a: Float32Array, post: ArrayLike<number>, deriv: ArrayLike<number> | null, p: number[], what: string): void {
  const wantF = Array.from(a, (x) => r.f(x, p));
  close(post, wantF, { abs: tolerances(r, a, wantF, p, false) }, `${what} post`);
  if (deriv) {
    const wantD = Array.from(a, (x) => r.df(x, p));
    close(deriv, wantD, { abs: tolerances(r, a, wantD, p, true) }, `${what} deriv`);
  }
}

test('every registered activation has a reference twin, and vice versa', () => {
  assert.equal([...ACT_NAMES].sort(), Object.keys(ACT_REF).sort());
});

for (const build of BUILDS) {
  for (const name of ACT_NAMES) {
    const r = ACT_REF[name]!;
    const p = params(name);
    test(`${build} ${name}: post and deriv match the reference for every edge size`, async () => {
      const lib = await backend(build);
      for (const n of [...EDGE_SIZES, 1000]) {
        const av = seeded(n, 100 + n, r.range[0], r.range[1]);
        const a = lib.tensor([n], av), post = lib.tensor([n]), deriv = lib.tensor([n]);
        lib.act(name, post, a, deriv);
        check(name, r, av, post.data, deriv.data, p, `${name} n=${n}`);
        const post2 = lib.tensor([n]);
        lib.act(name, post2, a); // no deriv: same post, bit for bit
        close(post2.data, post.data, { ulps: 0 }, `${name} n=${n} post without deriv`);
        lib.act(name, a, a); // post aliasing a
        close(a.data, post.data, { ulps: 0 }, `${name} n=${n} post = a in place`);
        [a, post, deriv, post2].forEach((t) => t.dispose());
      }
    });

    test(`${build} ${name}: special values (±0, huge |a|, ±Inf, NaN) stay finite and match`, async () => {
      const lib = await backend(build);
      const specials = [0, -0, 1e-30, -1e-30, 0.2499, 0.25, -0.25, 1, 1.0001, 0.999, 20, -20, 80, -80, 88.7, -88.7, -103, -104,
        200, -200, 1e4, -1e4, 1e30, -1e30, 3e38, -3e38, Infinity, -Infinity, NaN, 5, 6, 7];
      const av = Float32Array.from(specials);
      const a = lib.tensor([av.length], av), post = lib.tensor([av.length]), deriv = lib.tensor([av.length]);
      lib.act(name, post, a, deriv);
      check(name, r, av, post.data, deriv.data, p, `${name} specials`);
      av.forEach((x, i) => {
        if (Number.isNaN(x)) assert.ok(Number.isNaN(post.data[i]!), `${name}(NaN) passes NaN through`);
        else if (Number.isFinite(x)) assert.ok(Number.isFinite(post.data[i]!), `${name}(${x}) finite`);
        if (!Number.isNaN(x)) assert.ok(!Number.isNaN(deriv.data[i]!), `${name}'(${x}) is not NaN`);
      });
      if (name === 'tanh' || name === 'linear' || name === 'sigmoid') assert.ok(Object.is(post.data[1], name === 'sigmoid' ? 0.5 : -0), `${name}(-0)`);
      [a, post, deriv].forEach((t) => t.dispose());
    });

    test(`${build} ${name}: deriv matches a central finite difference of the reference f`, async () => {
      const lib = await backend(build);
      const n = 257;
      const raw = seeded(n, 7, r.range[0], r.range[1]);
      // keep away from kinks: a central difference across a kink measures the average slope
      const kinks = r.kinks?.(p) ?? [];
      const av = raw.map((x) => (kinks.some((k) => Math.abs(x - k) < 1e-3) ? x + 2e-3 : x));
      const a = lib.tensor([n], av), post = lib.tensor([n]), deriv = lib.tensor([n]);
      lib.act(name, post, a, deriv);
      const fd = Array.from(av, (x) => {
        const h = 1e-6 * Math.max(1, Math.abs(x));
        return (r.f(x + h, p) - r.f(x - h, p)) / (2 * h);
      });
      const scale = Math.max(...fd.map(Math.abs));
      // FD error <= h²|f'''|/6 + 2^-52·|f|/h: below 1e-6 of the derivative's scale on these ranges
      const tol = fd.map((d, i) => (r.relDf + (r.conditioned ? 2 * U * condition(r, av[i]!, p, true) : 0)) * Math.abs(d) + 1e-6 * scale);
      close(deriv.data, fd, { abs: tol }, `${name} deriv vs finite difference`);
      [a, post, deriv].forEach((t) => t.dispose());
    });
  }

  test(`${build} parameters reach the kernels (leakyRelu slope, hardSigmoid bounds, softlif taus)`, async () => {
    const lib = await backend(build);
    const av = Float32Array.from([-2, -0.5, 0.25, 0.75, 1.5, 3]);
    const a = lib.tensor([6], av), post = lib.tensor([6]), deriv = lib.tensor([6]);
    lib.act('leakyRelu', post, a, deriv, { slope: 0.25 });
    close(post.data, [-0.5, -0.125, 0.25, 0.75, 1.5, 3], { ulps: 0 });
    close(deriv.data, [0.25, 0.25, 1, 1, 1, 1], { ulps: 0 });
    lib.act('hardSigmoid', post, a, deriv, { lo: -1, hi: 1.5 });
    close(post.data, [-1, -0.5, 0.25, 0.75, 1.5, 1.5], { ulps: 0 });
    close(deriv.data, [0, 1, 1, 1, 1, 0], { ulps: 0 }); // inclusive at hi = 1.5
    const q = [0.001, 0.05, 0.1].map(Math.fround);
    lib.act('softlif', post, a, deriv, { tauRef: q[0], tauRC: q[1], gamma: q[2] });
    const r = ACT_REF.softlif!;
    check('softlif', r, av, post.data, deriv.data, q, 'softlif custom params');
    assert.ok(Math.abs(post.data[5]! - r.f(3, q)) < 1e-3 * r.f(3, q));
    [a, post, deriv].forEach((t) => t.dispose());
  });
}

test('act wrapper errors are clear', async () => {
  const lib = await backend();
  const a = lib.tensor([4]), post = lib.tensor([4]), small = lib.tensor([3]);
  throwsClearly(() => lib.act('relu', small, a), /act: a \[4\] has 4 elements, expected 3/);
  throwsClearly(() => lib.act('relu', post, a, small), /act: deriv \[3\] has 3 elements, expected 4/);
  throwsClearly(() => lib.act('relu', post, a, a), /act: deriv and a must not share memory/);
  throwsClearly(() => lib.act('nope' as 'relu', post, a), /act: unknown activation 'nope'/);
  throwsClearly(() => lib.act('leakyRelu', post, a, null, { slope: NaN }), /act: leakyRelu parameter slope must be a finite number, got NaN/);
  throwsClearly(() => lib.act('relu', post, a, null, { slope: 1 } as never), /act: 'relu' has no parameter 'slope'/);
  throwsClearly(() => lib.act('hardSigmoid', post, a, null, { lo: 2, hi: 1 }), /act: hardSigmoid: lo \(2\) must be <= hi \(1\)/);
  throwsClearly(() => lib.act('softlif', post, a, null, { gamma: 0 }), /act: softlif: .* must be > 0/);
  [a, post, small].forEach((t) => t.dispose());
});

test.run();
