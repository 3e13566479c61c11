// The WASM generator (assembly/kernels/rng.ts via WasmRng) against the TypeScript one (src/core/rng.ts,
// itself checked against the C reference in tests/rng.test.ts), on both builds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { EDGE_SIZES, seeded } from '../helpers/fill.js';
import { Rng, seedState } from '../../src/core/rng.js';
import * as ref from '../reference/rng.js';

const SEEDS = [0, 1, -1, 7, 42, 123456789, 2 ** 31 - 1, -(2 ** 31), 0xdeadbeef];

/** Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| <= 1.5e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

for (const build of BUILDS) {
  test(`[${build}] seeding and the u32 stream equal src/core/rng.ts bit for bit`, async () => {
    const lib = await backend(build);
    for (const seed of SEEDS) {
      const w = lib.rng(seed), r = new Rng(seed);
      assert.equal(Array.from(w.state()), Array.from(seedState(seed)), `state for seed ${seed}`);
      for (let i = 0; i < 1000; i++) {
        const a = w.nextU32(), b = r.nextU32();
        if (a !== b) assert.unreachable(`seed ${seed}, draw ${i}: wasm ${a}, ts ${b}`);
      }
      w.dispose();
    }
  });

  test(`[${build}] uniform equals Rng.uniform()-based values (0 ulps) and advances the stream by n`, async () => {
    const lib = await backend(build);
    for (const [lo, hi] of [[0, 1], [-1, 1], [-0.05, 0.05], [3, -2]] as const) {
      for (const n of [...EDGE_SIZES, 1000]) {
        const seed = n * 31 + 5, w = lib.rng(seed), r = new Rng(seed), out = lib.tensor([n]);
        w.uniform(out, lo, hi);
        // ref.uniform rounds (hi - lo), the product and the sum to f32 like the kernel: same bits.
        close(out.data, ref.uniform(r, n, lo, hi), { ulps: 0 }, `uniform n=${n} [${lo}, ${hi})`);
        assert.is(w.nextU32(), r.nextU32(), 'the stream continues where the kernel left it');
        out.dispose(); w.dispose();
      }
    }
  });

  test(`[${build}] bernoulli equals the reference (0 ulps); out may be p`, async () => {
    const lib = await backend(build);
    for (const n of [...EDGE_SIZES, 777]) {
      const p = lib.tensor([n], seeded(n, n, 0, 1)), out = lib.tensor([n]);
      const w = lib.rng(n), r = new Rng(n);
      w.bernoulli(out, p, 0.7);
      close(out.data, ref.bernoulli(r, 0.7, p.data), { ulps: 0 }, `bernoulli n=${n}`);
      const want = ref.bernoulli(r, 0.25, p.data);
      w.bernoulli(p, p, 0.25); // in place
      close(p.data, want, { ulps: 0 }, `bernoulli in place n=${n}`);
      p.dispose(); out.dispose(); w.dispose();
    }
  });

  test(`[${build}] normal matches f64 Box–Muller on the same uniforms within 4e-7 relative`, async () => {
    const lib = await backend(build);
    // The kernel uses the same u1, u2 and the same f32 angle as the reference, so the only errors are
    // logf (<= 1 ulp), sqrtf (0.5 ulp, halving the log's relative error), cosf/sinf (<= 1 ulp) and the
    // f32 product r*c (0.5 ulp): |z - z_ref| <= (2^-24 + 2^-24 + 2^-23 + 2^-24 + 2^-24)|z| = 3·2^-23|z|
    // = 3.6e-7|z|; 4e-7 relative (mean 0, std 1 adds nothing: 0 + 1*z is exact).
    for (const n of [...EDGE_SIZES, 4001]) {
      const w = lib.rng(1000 + n), r = new Rng(1000 + n), out = lib.tensor([n]);
      w.normal(out, 0, 1);
      close(out.data, ref.normal(r, n).z, { rel: 4e-7 }, `normal n=${n}`);
      assert.is(w.nextU32(), r.nextU32(), `n=${n} consumes 2*ceil(n/2) draws`);
      out.dispose(); w.dispose();
    }
  });

  test(`[${build}] normal(mean, std) is mean + std*z of the standard stream, bit for bit`, async () => {
    const lib = await backend(build);
    const n = 101, a = lib.tensor([n]), b = lib.tensor([n]);
    const w0 = lib.rng(9);
    w0.normal(a, 0, 1);
    w0.dispose();
    const w = lib.rng(9);
    w.normal(b, 3, 0.5);
    const za = a.data, want = za.map((z) => Math.fround(3 + Math.fround(0.5 * z)));
    close(b.data, want, { ulps: 0 });
    a.dispose(); b.dispose(); w.dispose();
  });

  test(`[${build}] normal: sample mean, variance and KS distance within their sampling bounds`, async () => {
    const lib = await backend(build);
    const n = 200_000, out = lib.tensor([n]), w = lib.rng(2024);
    w.normal(out, 0, 1);
    const z = Float64Array.from(out.data);
    let s = 0, s2 = 0;
    for (const x of z) s += x;
    const mean = s / n;
    for (const x of z) s2 += (x - mean) ** 2;
    const variance = s2 / (n - 1);
    // sd(mean) = 1/sqrt(n) = 0.00224; sd(sample variance) = sqrt(2/(n-1)) = 0.00316 for N(0,1). 5 sd each.
    assert.ok(Math.abs(mean) < 5 / Math.sqrt(n), `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 5 * Math.sqrt(2 / (n - 1)), `variance ${variance}`);
    // Kolmogorov–Smirnov: P(sqrt(n)·D > 1.95) ~ 0.001 for a true N(0,1) sample; the 24-bit uniforms
    // and Phi's 1.5e-7 error move D by far less than the 0.0044 bound.
    z.sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const F = phi(z[i]!);
      d = Math.max(d, Math.abs(F - i / n), Math.abs((i + 1) / n - F));
    }
    assert.ok(d < 1.95 / Math.sqrt(n), `KS D = ${d}, bound ${1.95 / Math.sqrt(n)}`);
    // Tails: Box–Muller with u1 >= 2^-24 bounds |z| by sqrt(48 ln 2) = 5.77.
    assert.ok(Math.max(-z[0]!, z[n - 1]!) <= Math.sqrt(48 * Math.LN2) + 1e-5);
    out.dispose(); w.dispose();
  });

  test(`[${build}] bernoulli frequency within binomial bounds; p = 0 and scale·p = 1 are exact`, async () => {
    const lib = await backend(build);
    const n = 100_000, p = lib.tensor([n]), out = lib.tensor([n]), w = lib.rng(77);
    p.data.fill(0.3);
    w.bernoulli(out, p, 0.5); // q = fround(0.15)
    let c = 0;
    for (const x of out.data) c += x;
    // Binomial(1e5, 0.15): mean 15000, sd = sqrt(1e5*0.15*0.85) = 112.9; 5 sd = 565.
    assert.ok(Math.abs(c - 15000) < 565, `count ${c}`);
    p.data.fill(0);
    w.bernoulli(out, p, 1);
    assert.ok(out.data.every((x) => x === 0), 'p = 0 never fires (u >= 0)');
    p.data.fill(1);
    w.bernoulli(out, p, 1);
    assert.ok(out.data.every((x) => x === 1), 'p = 1 always fires (u < 1)');
    p.dispose(); out.dispose(); w.dispose();
  });

  test(`[${build}] same seed, identical arrays across two runs; reseeding replays; setState continues a TS stream`, async () => {
    const lib = await backend(build);
    const run = () => {
      const w = lib.rng(31337), t = lib.tensor([257]);
      w.normal(t);
      const a = t.toArray();
      w.uniform(t, -2, 2);
      const b = t.toArray();
      w.seed(31337).normal(t);
      const c = t.toArray();
      t.dispose(); w.dispose();
      return [a, b, c] as const;
    };
    const [a1, b1, c1] = run(), [a2, b2] = run();
    close(a2, a1, { ulps: 0 });
    close(b2, b1, { ulps: 0 });
    close(c1, a1, { ulps: 0 }, 'reseeded');
    const r = new Rng(5);
    for (let i = 0; i < 17; i++) r.nextU32();
    const w = lib.rng(0).setState(r.state());
    for (let i = 0; i < 50; i++) assert.is(w.nextU32(), r.nextU32());
    w.dispose();
  });
}

test('release and scalar builds give identical normal and uniform streams', async () => {
  const out: Float32Array[] = [];
  for (const build of BUILDS) {
    const lib = await backend(build);
    const w = lib.rng(4242), t = lib.tensor([1001]);
    w.normal(t, 0.5, 2);
    out.push(t.toArray());
    w.uniform(t, -1, 1);
    out.push(t.toArray());
    t.dispose(); w.dispose();
  }
  close(out[2]!, out[0]!, { ulps: 0 });
  close(out[3]!, out[1]!, { ulps: 0 });
});

test('WasmRng errors are clear; state is freed', async () => {
  const lib = await backend();
  const live = lib.heap.live;
  throwsClearly(() => lib.rng(1.5), /rng: seed must be an integer/);
  const w = lib.rng(1), t = lib.tensor([4]), p = lib.tensor([3]);
  throwsClearly(() => w.bernoulli(t, p), /rng.bernoulli: p \[3\] has 3 elements, expected 4/);
  throwsClearly(() => w.normal(t, 0, -1), /rng.normal: std must be >= 0/);
  throwsClearly(() => w.uniform(t, 0, Infinity), /rng.uniform: hi must be a finite number/);
  throwsClearly(() => w.setState([0, 0, 0, 0]), /not be all zero/);
  w.dispose();
  throwsClearly(() => w.nextU32(), /WasmRng used after dispose/);
  t.dispose(); p.dispose();
  assert.is(lib.heap.live, live);
});

test.run();
