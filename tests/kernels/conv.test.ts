// Convolution and pooling (assembly/kernels/conv.ts through src/backend/conv.ts) against the twins of
// tests/reference/conv.ts, and against finite differences of the kernels' own forward passes, on
// awkward shapes: 1×1 kernels, kernels as large as the (padded) input, stride > 1, odd sizes, padding,
// batch 1, one channel, channel counts on and off the SIMD width.
//
// Tolerances. im2col, col2im and pooling move or add the same f32 values in the same order as their
// twins: bit-identical. The convolutions are sums of N f32 products: |got − want| ≤ (N + 2)·u·mag with
// u = 2⁻²⁴ and mag = Σ|terms| (recursive summation in any order, one rounding per product, one for the
// bias or the β term). A central difference (L(θ+h) − L(θ−h))/2h of the linear L = Σ r·out computed from
// the f32 outputs is off by at most Σ|r_i|·(N + 2)·u·mag_i / h.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { load, ConvGeometry, PoolGeometry, type Backend } from '../../src/index.js';
import { BUILDS, backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { seeded, mulberry32 } from '../helpers/fill.js';
import * as ref from '../reference/conv.js';
import type { Tensor } from '../../src/core/tensor.js';

const U = 2 ** -24;

/** [n, h, w, c, k, stride, pad, out channels]. */
const CONV_SHAPES: readonly (readonly number[])[] = [
  [2, 5, 7, 3, 1, 1, 0, 4], // 1×1 kernel
  [2, 5, 5, 2, 5, 1, 0, 3], // kernel as large as the input: one output pixel
  [1, 4, 4, 1, 6, 1, 1, 2], // kernel as large as the padded input, batch 1, one channel
  [3, 9, 8, 3, 3, 2, 1, 5], // stride 2 with padding
  [2, 7, 7, 1, 3, 3, 0, 2], // stride 3, windows that do not overlap
  [2, 13, 11, 5, 4, 3, 2, 7], // odd sizes, even kernel, stride 3, padding 2
  [1, 6, 6, 1, 3, 1, 1, 1], // batch 1, one channel in and out
  [2, 10, 10, 6, 3, 1, 2, 4], // padding larger than the kernel's half: border patches mostly zero
  [3, 28, 28, 1, 5, 1, 2, 6], // LeNet-5's first layer on MNIST
  [2, 14, 14, 6, 5, 1, 0, 16], // LeNet-5's second layer
];

/** [n, h, w, c, k, stride]. */
const POOL_SHAPES: readonly (readonly number[])[] = [
  [2, 4, 4, 1, 2, 2], [3, 5, 7, 6, 2, 2], [2, 28, 28, 6, 2, 2], [1, 5, 5, 3, 5, 5], [2, 7, 6, 5, 3, 2], [1, 3, 3, 9, 1, 1], [2, 6, 6, 4, 3, 1], [1, 10, 10, 16, 2, 2],
];

const geomOf = (s: readonly number[]): ref.Geom => ({ n: s[0]!, h: s[1]!, w: s[2]!, c: s[3]!, k: s[4]!, s: s[5]!, p: s[6]! });
const poolOf = (s: readonly number[]): ref.PoolGeom => ({ n: s[0]!, h: s[1]!, w: s[2]!, c: s[3]!, k: s[4]!, s: s[5]! });
const label = (s: readonly number[]) => `[${s.join(',')}]`;

/** Distinct values i/64 (a shuffled ramp): max pooling has no ties, and x ± 2⁻¹⁰ is exact in f32. */
function distinct(size: number, seed: number): Float32Array {
  const v = Float32Array.from({ length: size }, (_, i) => (i - size / 2) / 64);
  const rnd = mulberry32(seed);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return v;
}

interface ConvCase { lib: Backend; G: ConvGeometry; g: ref.Geom; O: number; ho: number; wo: number; x: Tensor; W: Tensor; b: Tensor; cols: Tensor; out: Tensor; dispose(): void }

function convCase(lib: Backend, s: readonly number[], seed: number): ConvCase {
  const g = geomOf(s), O = s[7]!;
  const G = new ConvGeometry(g.h, g.w, g.c, g.k, g.s, g.p);
  const x = lib.tensor([g.n, G.inSize], seeded(g.n * G.inSize, seed));
  const W = lib.tensor([O, G.patch], seeded(O * G.patch, seed + 1));
  const b = lib.tensor([O], seeded(O, seed + 2));
  const cols = lib.tensor([g.n * G.positions, G.patch]);
  const out = lib.tensor([g.n, G.positions * O]);
  return { lib, G, g, O, ho: G.ho, wo: G.wo, x, W, b, cols, out, dispose: () => [x, W, b, cols, out].forEach((t) => t.dispose()) };
}

for (const build of BUILDS) {
  test(`[${build}] im2col and col2im equal their twins bit for bit`, async () => {
    const lib = await backend(build);
    for (const s of CONV_SHAPES) {
      const c = convCase(lib, s, 11);
      c.cols.data.fill(NaN);
      lib.im2col(c.cols, c.x, c.G);
      close(c.cols.data, ref.im2col(c.x.data, c.g), { ulps: 0 }, `im2col ${label(s)}`);
      const dcols = lib.tensor([c.cols.rows, c.G.patch], seeded(c.cols.size, 5)), dx = lib.tensor([c.g.n, c.G.inSize]);
      dx.data.fill(NaN);
      lib.col2im(dx, dcols, c.G);
      close(dx.data, ref.col2im(dcols.data, c.g), { ulps: 0 }, `col2im ${label(s)}`);
      dcols.dispose(); dx.dispose(); c.dispose();
    }
  });

  test(`[${build}] conv2d, its input gradient and its weight gradient equal the float64 twins`, async () => {
    const lib = await backend(build);
    for (const s of CONV_SHAPES) {
      const c = convCase(lib, s, 21), { g, O, G } = c;
      c.out.data.fill(NaN);
      lib.conv2d(c.out, c.x, c.W, c.b, c.cols, G);
      const f = ref.conv2d(c.x.data, c.W.data, c.b.data, O, g);
      close(c.out.data, f.want, { abs: f.mag.map((m) => (G.patch + 2) * U * m) }, `conv2d ${label(s)}`);
      lib.conv2d(c.out, c.x, c.W, null, c.cols, G);
      const f0 = ref.conv2d(c.x.data, c.W.data, null, O, g);
      close(c.out.data, f0.want, { abs: f0.mag.map((m) => (G.patch + 2) * U * m) }, `conv2d without bias ${label(s)}`);

      const delta = lib.tensor([g.n, G.positions * O], seeded(g.n * G.positions * O, 31));
      const dx = lib.tensor([g.n, G.inSize]), dcols = lib.tensor([g.n * G.positions, G.patch]);
      dx.data.fill(NaN);
      lib.conv2dInputGrad(dx, delta, c.W, dcols, G);
      const gi = ref.conv2dInputGrad(delta.data, c.W.data, O, g);
      close(dx.data, gi.want, { abs: gi.mag.map((m) => (g.k * g.k * O + 2) * U * m) }, `conv2dInputGrad ${label(s)}`);

      const dW = lib.tensor([O, G.patch], seeded(O * G.patch, 41)), db = lib.tensor([O], seeded(O, 42));
      const dW0 = dW.data.slice(), db0 = db.data.slice();
      for (const [alpha, beta] of [[0.5, 0], [1 / 3, 0.75]] as const) {
        dW.set(dW0); db.set(db0);
        if (beta === 0) { dW.data.fill(NaN); db.data.fill(NaN); }
        lib.conv2dWeightGrad(dW, db, delta, c.cols, G, alpha, beta);
        const gw = ref.conv2dWeightGrad(delta.data, c.x.data, O, g, alpha, beta, dW0, db0);
        const N = g.n * G.positions;
        close(dW.data, gw.dW.want, { abs: gw.dW.mag.map((m) => (N + 3) * U * m) }, `conv2dWeightGrad dW α=${alpha} β=${beta} ${label(s)}`);
        close(db.data, gw.db.want, { abs: gw.db.mag.map((m) => (N + 3) * U * m) }, `conv2dWeightGrad db α=${alpha} β=${beta} ${label(s)}`);
      }
      delta.dispose(); dx.dispose(); dcols.dispose(); dW.dispose(); db.dispose(); c.dispose();
    }
  });

  test(`[${build}] eventConv2d (scatter of sparse inputs) equals conv2d bit for bit, and its twin, at every density`, async () => {
    const lib = await backend(build);
    // the conv shapes, and two whose patch k·k·c exceeds the GEMM's K block (256): one running sum there
    const shapes = [...CONV_SHAPES, [2, 9, 9, 12, 5, 1, 2, 5], [1, 7, 6, 11, 5, 2, 1, 3]];
    for (const s of shapes) {
      const c = convCase(lib, s, 61), { g, O, G } = c;
      const wt = lib.tensor([G.patch, O]), ev = lib.tensor([g.n, G.positions * O]);
      lib.transpose(wt, c.W);
      for (const density of [0, 0.03, 0.2, 1]) {
        for (const graded of [false, true]) { // 0/1 spikes, or average-pooled spikes (multiples of 1/4)
          const rnd = mulberry32(s.length * 97 + Math.round(density * 100) + (graded ? 1 : 0));
          const xs = c.x.data;
          for (let i = 0; i < xs.length; i++) xs[i] = rnd() < density ? (graded ? Math.ceil(rnd() * 4) / 4 : 1) : 0;
          const what = `${label(s)} density ${density}${graded ? ' graded' : ''}`;
          ev.data.fill(NaN); // write-only output
          const events = lib.eventConv2d(ev, c.x, wt, G);
          assert.is(events, xs.filter((v) => v !== 0).length, `${what}: events`);
          close(ev.data, ref.eventConv(xs, wt.data, O, g), { ulps: 0 }, `${what}: eventConv2d vs twin`);
          lib.conv2d(c.out, c.x, c.W, null, c.cols, G);
          if (G.patch <= 256) close(ev.data, c.out.data, { ulps: 0 }, `${what}: eventConv2d vs conv2d`);
          else { // two recursive sums of the same ≤ patch terms differ by at most 2·γ_patch·Σ|terms| (Higham 2002, §4.2)
            const f = ref.conv2d(xs, c.W.data, null, O, g), gam = (G.patch * U) / (1 - G.patch * U);
            close(ev.data, c.out.data, { abs: f.mag.map((m) => 2 * gam * m) }, `${what}: eventConv2d vs conv2d (K blocks)`);
          }
        }
      }
      wt.dispose(); ev.dispose(); c.dispose();
    }
  });

  test(`[${build}] max and average pooling, forward and backward, equal their twins bit for bit`, async () => {
    const lib = await backend(build);
    for (const s of POOL_SHAPES) {
      const g = poolOf(s), P = new PoolGeometry(g.h, g.w, g.c, g.k, g.s);
      // Repeated values (rounded to 1/4): ties must go to the first element of the window.
      const xs = seeded(g.n * P.inSize, 51).map((v) => Math.round(v * 4) / 4);
      const x = lib.tensor([g.n, P.inSize], xs), out = lib.tensor([g.n, P.outSize]), arg = lib.ints('i32', g.n * P.outSize);
      out.data.fill(NaN);
      lib.maxPool(out, arg, x, P);
      const m = ref.maxPool(xs, g);
      close(out.data, m.out, { ulps: 0 }, `maxPool ${label(s)}`);
      assert.equal(Array.from(arg.data), Array.from(m.arg), `maxPool arg ${label(s)}`);
      const grad = lib.tensor([g.n, P.outSize], seeded(g.n * P.outSize, 52)), dx = lib.tensor([g.n, P.inSize]);
      dx.data.fill(NaN);
      lib.maxPoolBackward(dx, grad, arg, P);
      close(dx.data, ref.maxPoolBackward(grad.data, m.arg, g), { ulps: 0 }, `maxPoolBackward ${label(s)}`);
      x.set(seeded(g.n * P.inSize, 53));
      lib.avgPool(out, x, P);
      close(out.data, ref.avgPool(x.data, g), { ulps: 0 }, `avgPool ${label(s)}`);
      dx.data.fill(NaN);
      lib.avgPoolBackward(dx, grad, P);
      close(dx.data, ref.avgPoolBackward(grad.data, g), { ulps: 0 }, `avgPoolBackward ${label(s)}`);
      x.dispose(); out.dispose(); arg.dispose(); grad.dispose(); dx.dispose();
    }
  });
}

test('repeatCols equals its twin (one and many repeats, batch 1, odd widths)', async () => {
  for (const build of BUILDS) {
    const lib = await backend(build);
    for (const [n, cols, times] of [[1, 1, 1], [3, 10, 7], [1, 5, 100], [4, 3, 1]] as const) {
      const x = lib.tensor([n, cols], seeded(n * cols, 91)), out = lib.tensor([n, times * cols]);
      out.data.fill(NaN);
      lib.repeatCols(out, x, times);
      close(out.data, ref.repeatCols(x.data, n, cols, times), { ulps: 0 }, `[${build}] repeatCols ${n}×${cols}×${times}`);
      x.dispose(); out.dispose();
    }
  }
});

/** Σ_i r_i·out_i in float64, and Σ_i |r_i|·bound_i. */
function dotR(out: ArrayLike<number>, r: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i]! * out[i]!;
  return s;
}

test('conv2d: the input and weight gradients are the finite differences of the forward pass', async () => {
  const lib = await backend();
  for (const s of CONV_SHAPES) {
    const c = convCase(lib, s, 61), { g, O, G } = c;
    const r = lib.tensor([g.n, G.positions * O], seeded(g.n * G.positions * O, 62));
    const dx = lib.tensor([g.n, G.inSize]), dcols = lib.tensor([g.n * G.positions, G.patch]), dW = lib.tensor([O, G.patch]), db = lib.tensor([O]);
    lib.conv2d(c.out, c.x, c.W, c.b, c.cols, G);
    lib.conv2dInputGrad(dx, r, c.W, dcols, G);
    lib.conv2dWeightGrad(dW, db, r, c.cols, G);
    const h = 0.25;
    const L = () => { lib.conv2d(c.out, c.x, c.W, c.b, c.cols, G); return dotR(c.out.data, r.data); };
    // The rounding bound of L: Σ|r_i|·(N + 2)·u·mag_i, mag from the float64 twin at the unperturbed point
    // (a perturbation by h changes it by at most h·Σ|W|, folded in by doubling).
    const f = ref.conv2d(c.x.data, c.W.data, c.b.data, O, g);
    let bound = 0;
    for (let i = 0; i < f.mag.length; i++) bound += Math.abs(r.data[i]!) * (G.patch + 2) * U * 2 * (f.mag[i]! + h * G.patch);
    const rnd = mulberry32(63);
    for (const [name, t, grad] of [['x', c.x, dx], ['W', c.W, dW], ['b', c.b, db]] as const) {
      const picks = new Set([0, t.size - 1, ...Array.from({ length: 12 }, () => Math.floor(rnd() * t.size))]);
      for (const j of picks) {
        const v = t.data[j]!;
        t.data[j] = v + h; const up = L();
        t.data[j] = v - h; const down = L();
        t.data[j] = v;
        const fd = (up - down) / (2 * h);
        // The analytic gradient's own rounding is far inside this bound (it is checked above against its twin).
        assert.ok(Math.abs(fd - grad.data[j]!) <= bound / h + 1e-6 * Math.abs(fd), `${label(s)} d/d${name}[${j}]: finite difference ${fd}, gradient ${grad.data[j]} (bound ${bound / h})`);
      }
    }
    r.dispose(); dx.dispose(); dcols.dispose(); dW.dispose(); db.dispose(); c.dispose();
  }
});

test('pooling: the backward passes are the finite differences of the forward passes', async () => {
  const lib = await backend();
  for (const s of POOL_SHAPES) {
    const g = poolOf(s), P = new PoolGeometry(g.h, g.w, g.c, g.k, g.s);
    const x = lib.tensor([g.n, P.inSize], distinct(g.n * P.inSize, 71)), out = lib.tensor([g.n, P.outSize]), arg = lib.ints('i32', g.n * P.outSize);
    const r = lib.tensor([g.n, P.outSize], seeded(g.n * P.outSize, 72)), dmax = lib.tensor([g.n, P.inSize]), davg = lib.tensor([g.n, P.inSize]);
    lib.maxPool(out, arg, x, P);
    lib.maxPoolBackward(dmax, r, arg, P);
    lib.avgPoolBackward(davg, r, P);
    const h = 2 ** -10; // below half the spacing of distinct(): no window changes its arg-max
    const Lmax = () => { lib.maxPool(out, arg, x, P); return dotR(out.data, r.data); };
    const Lavg = () => { lib.avgPool(out, x, P); return dotR(out.data, r.data); };
    // Max pooling copies values (exact); average pooling rounds the sum and the product by 1/k²: at most
    // (k² + 1)·u·Σ|window| per output, Σ over outputs of |r|·that for L.
    let sumR = 0;
    for (const v of r.data) sumR += Math.abs(v);
    const avgBound = sumR * (g.k * g.k + 1) * U * (g.n * P.inSize) / 64;
    // Where windows overlap, a pixel's gradient is an f32 sum of up to ⌈k/s⌉² values |r| <= 1.
    const cover = Math.ceil(g.k / g.s) ** 2, maxBound = cover * cover * U;
    for (let j = 0; j < x.size; j += Math.max(1, Math.floor(x.size / 40))) {
      const v = x.data[j]!;
      x.data[j] = v + h; const upM = Lmax(), upA = Lavg();
      x.data[j] = v - h; const downM = Lmax(), downA = Lavg();
      x.data[j] = v;
      const fdM = (upM - downM) / (2 * h), fdA = (upA - downA) / (2 * h);
      assert.ok(Math.abs(fdM - dmax.data[j]!) <= maxBound + 1e-12, `${label(s)} max pool d/dx[${j}]: finite difference ${fdM}, gradient ${dmax.data[j]}`);
      assert.ok(Math.abs(fdA - davg.data[j]!) <= avgBound / h, `${label(s)} average pool d/dx[${j}]: finite difference ${fdA}, gradient ${davg.data[j]}`);
    }
    x.dispose(); out.dispose(); arg.dispose(); r.dispose(); dmax.dispose(); davg.dispose();
  }
});

test('conv2d and its gradients on a thread pool give the bits of one thread', async () => {
  const one = await backend(), two = await load({ threads: 2 });
  for (const s of [CONV_SHAPES[8]!, CONV_SHAPES[9]!]) {
    const res = [one, two].map((lib) => {
      const c = convCase(lib, s, 81), { g, O, G } = c;
      const delta = lib.tensor([g.n, G.positions * O], seeded(g.n * G.positions * O, 82));
      const dx = lib.tensor([g.n, G.inSize]), dcols = lib.tensor([g.n * G.positions, G.patch]), dW = lib.tensor([O, G.patch]), db = lib.tensor([O]);
      lib.conv2d(c.out, c.x, c.W, c.b, c.cols, G);
      lib.conv2dInputGrad(dx, delta, c.W, dcols, G);
      lib.conv2dWeightGrad(dW, db, delta, c.cols, G, 0.01);
      const got = [c.out, dx, dW, db].map((t) => t.data.slice());
      c.dispose(); delta.dispose(); dx.dispose(); dcols.dispose(); dW.dispose(); db.dispose();
      return got;
    });
    for (let i = 0; i < 4; i++) close(res[1]![i]!, res[0]![i]!, { ulps: 0 }, `${label(s)} output ${i}`);
  }
});

test('conv and pooling: bad geometry and shapes are clear errors before any kernel runs', async () => {
  const lib = await backend();
  throwsClearly(() => new ConvGeometry(4, 4, 1, 7, 1, 1), /conv2d/, /kernel 7×7 does not fit the 4×4 input with padding 1/, /k <= 6/);
  throwsClearly(() => new ConvGeometry(4, 4, 0, 3), /conv2d: c must be an integer in \[1/, /got 0/);
  throwsClearly(() => new ConvGeometry(4, 4, 1, 3, 0), /stride must be an integer/);
  throwsClearly(() => new PoolGeometry(3, 5, 2, 4), /pool: window 4×4 does not fit the 3×5 input/);
  const G = new ConvGeometry(6, 6, 2, 3, 1, 1), x = lib.tensor([2, 72]), W = lib.tensor([4, 18]), cols = lib.tensor([72, 18]), out = lib.tensor([2, 144]);
  throwsClearly(() => lib.conv2d(out, x, lib.tensor([4, 9]), null, cols, G), /conv2d: W is \[4, 9\], expected \[out channels, 18\]/);
  throwsClearly(() => lib.conv2d(out, x, W, null, lib.tensor([71, 18]), G), /conv2d: cols is \[71, 18\], expected \[72, 18\]/);
  throwsClearly(() => lib.conv2d(lib.tensor([2, 143]), x, W, null, cols, G), /conv2d: out is \[2, 143\], expected \[2, 144\]/);
  throwsClearly(() => lib.conv2d(out, lib.tensor([2, 71]), W, null, cols, G), /conv2d: x is \[2, 71\], expected \[n, 72\]/);
  throwsClearly(() => lib.conv2d(out, x, W, lib.tensor([3]), cols, G), /conv2d: bias is \[3\], expected \[1, 4\]/);
  throwsClearly(() => lib.conv2d(out, x, W, null, cols, { h: 6 } as unknown as ConvGeometry), /conv2d: geometry must be a ConvGeometry/);
  throwsClearly(() => lib.eventConv2d(out, x, W, G), /eventConv2d: wt is \[4, 18\], expected \[18, out channels\]/);
  throwsClearly(() => lib.eventConv2d(lib.tensor([2, 143]), x, lib.tensor([18, 4]), G), /eventConv2d: out is \[2, 143\], expected \[2, 144\]/);
  throwsClearly(() => lib.eventConv2d(x, x, lib.tensor([18, 4]), G), /eventConv2d: out is \[2, 72\], expected \[2, 144\]/);
  const P = new PoolGeometry(6, 6, 2, 2);
  throwsClearly(() => lib.maxPool(lib.tensor([2, 18]), lib.ints('i32', 35), lib.tensor([2, 72]), P), /maxPool: arg .* is too short: needs 36 indices/);
  throwsClearly(() => lib.avgPool(lib.tensor([2, 17]), lib.tensor([2, 72]), P), /avgPool: out is \[2, 17\], expected \[2, 18\]/);
});

test.run();
