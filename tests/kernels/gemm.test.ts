// f32_gemm_{nn,nt,tn,tt} against the float64 reference (tests/reference/gemm.ts), both builds, and the
// Backend.gemm wrapper's checks.
//
// Tolerance, per element: |got − want| ≤ (k + 4)·u·mag, u = 2⁻²⁴, mag = |α|·Σ_p|A(i,p)B(p,j)| + |β·C0(i,j)|
// (from the reference). Why: the kernel forms C(i,j) by rounding each product once, summing the products
// of a K block sequentially (≤ kc − 1 roundings), scaling the block sum by α (1), adding β·C0 (1 for the
// product) and then adding the blocks into C one after the other (≤ ⌈k/KC⌉ roundings). So every term
// carries at most kc₁ + 1 + ⌈k/KC⌉ ≤ k + 3 factors (1 + δ), |δ| ≤ u, and the standard bound gives
// |err| ≤ γ_{k+3}·mag with γ_n = n·u/(1 − n·u) ≤ (k + 3.01)·u here (k ≤ 2000). The float64 reference
// adds ≈ k·2⁻⁵³·mag, covered by the remaining slack. The scalar build has the same rounding structure.
// A lost, doubled or misplaced term is off by about mag/k, far above (k + 4)·u·mag for every k tested.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend, BUILDS } from '../helpers/setup.js';
import { seeded } from '../helpers/fill.js';
import { throwsClearly } from '../helpers/close.js';
import * as ref from '../reference/gemm.js';
import type { Backend } from '../../src/index.js';

type Variant = 'nn' | 'nt' | 'tn' | 'tt';
const VARIANTS: readonly Variant[] = ['nn', 'nt', 'tn', 'tt'];
const U = 2 ** -24;
const GUARD = 8; // floats of canary before and after C: nothing may be written outside C
const CANARY = 12345.5;

let seed = 1;

/** Runs one kernel call on fresh random data and checks it; returns a failure message or ''. */
function check(lib: Backend, v: Variant, m: number, n: number, k: number, alpha: number, beta: number): string {
  const transA = v[0] === 't', transB = v[1] === 't';
  const av = seeded(m * k, seed++), bv = seeded(k * n, seed++);
  const c0 = beta === 0 ? new Float32Array(m * n).fill(NaN) : seeded(m * n, seed++);
  const A = lib.tensor([Math.max(m * k, 1)]), B = lib.tensor([Math.max(k * n, 1)]), C = lib.tensor([m * n + 2 * GUARD]);
  try {
    if (m * k) A.set(av);
    if (k * n) B.set(bv);
    const cd = C.data;
    cd.fill(CANARY);
    cd.set(c0, GUARD);
    const fa = Math.fround(alpha), fb = Math.fround(beta); // the kernel receives f32 scalars
    const { want, mag } = ref.gemm(m, n, k, fa, fb, av, bv, c0, transA, transB);
    lib.kernels[`f32_gemm_${v}`](m, n, k, alpha, beta, A.ptr, B.ptr, C.ptr + GUARD * 4);
    const got = C.data;
    const what = `f32_gemm_${v} m=${m} n=${n} k=${k} alpha=${alpha} beta=${beta}`;
    for (let i = 0; i < GUARD; i++) {
      if (got[i] !== CANARY || got[GUARD + m * n + i] !== CANARY) return `${what}: wrote outside C`;
    }
    for (let i = 0; i < m * n; i++) {
      const g = got[GUARD + i]!, w = want[i]!, tol = (k + 4) * U * mag[i]!;
      if (!(Math.abs(g - w) <= tol)) {
        return `${what}: C[${Math.floor(i / n)}][${i % n}] = ${g}, expected ${w} (|diff| ${Math.abs(g - w)} > tolerance ${tol})`;
      }
    }
    return '';
  } finally {
    A.dispose();
    B.dispose();
    C.dispose();
  }
}

const GRID = [1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 63, 65];
const ALPHAS = [1, -0.75, 0.3];
const BETAS = [0, 1, 0.5];

for (const build of BUILDS) {
  for (const v of VARIANTS) {
    test(`${build} f32_gemm_${v}: every (m, n, k) in ${GRID.join(',')}³, alpha/beta cycling`, async () => {
      const lib = await backend(build);
      let idx = 0;
      for (const m of GRID) for (const n of GRID) for (const k of GRID) {
        const msg = check(lib, v, m, n, k, ALPHAS[Math.floor(idx / 3) % 3]!, BETAS[idx % 3]!);
        idx++;
        if (msg) assert.unreachable(msg);
      }
    });

    test(`${build} f32_gemm_${v}: 1×N, N×1, K = 1, k = 0 and empty`, async () => {
      const lib = await backend(build);
      const shapes: [number, number, number][] = [
        [1, 1000, 37], [1000, 1, 37], [1, 1, 1000], [64, 96, 1], [5, 1030, 1], [1, 1, 1],
        [3, 5, 0], [0, 5, 3], [5, 0, 3], [0, 0, 0],
      ];
      for (const [m, n, k] of shapes) {
        for (const beta of BETAS) {
          const msg = check(lib, v, m, n, k, 1.25, beta);
          if (msg) assert.unreachable(msg);
        }
      }
    });

    test(`${build} f32_gemm_${v}: shapes beyond one KC / MC / NC block`, async () => {
      const lib = await backend(build);
      // KC = 256, MC = 128, NC = 512: cross each, with ragged edges (m % 4, n % 8, k % 4 ≠ 0)
      const shapes: [number, number, number, number, number][] = [
        [300, 270, 600, 1, 0], [133, 21, 513, -0.5, 1], [9, 1031, 257, 0.3, 0.5], [130, 1027, 259, 1, 1],
      ];
      for (const [m, n, k, alpha, beta] of shapes) {
        const msg = check(lib, v, m, n, k, alpha, beta);
        if (msg) assert.unreachable(msg);
      }
    });
  }

  test(`${build} k = 0 gives C = beta·C, and zeros (not NaN) when beta = 0`, async () => {
    const lib = await backend(build);
    const A = lib.tensor([1]), B = lib.tensor([1]), C = lib.tensor([2, 3], [1, 2, 3, 4, 5, 6]);
    lib.kernels.f32_gemm_nn(2, 3, 0, 1, 0.5, A.ptr, B.ptr, C.ptr);
    assert.equal(Array.from(C.data), [0.5, 1, 1.5, 2, 2.5, 3]);
    C.data.fill(NaN);
    lib.kernels.f32_gemm_tn(2, 3, 0, 1, 0, A.ptr, B.ptr, C.ptr);
    assert.equal(Array.from(C.data), [0, 0, 0, 0, 0, 0]);
    A.dispose(); B.dispose(); C.dispose();
  });

  test(`${build} a small product by hand`, async () => {
    const lib = await backend(build);
    // [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50]
    const a = lib.tensor([2, 2], [1, 2, 3, 4]), b = lib.tensor([2, 2], [5, 6, 7, 8]), c = lib.tensor([2, 2]);
    lib.gemm(c, a, b);
    assert.equal(Array.from(c.data), [19, 22, 43, 50]);
    lib.gemm(c, a, b, { transA: true, alpha: 2, beta: 1 }); // + 2·[26 30; 38 44]
    assert.equal(Array.from(c.data), [71, 82, 119, 138]);
    lib.gemm(c, a, b, { transB: true }); // [17 23; 39 53]
    assert.equal(Array.from(c.data), [17, 23, 39, 53]);
    lib.gemm(c, a, b, { transA: true, transB: true }); // [23 31; 34 46]
    assert.equal(Array.from(c.data), [23, 31, 34, 46]);
    a.dispose(); b.dispose(); c.dispose();
  });
}

test('Backend.gemm: shapes and transposes come from the tensors', async () => {
  const lib = await backend('release');
  const m = 7, n = 11, k = 13;
  const av = seeded(m * k, 91), bv = seeded(k * n, 92);
  const { want, mag } = ref.gemm(m, n, k, 1, 0, av, bv, [], true, true);
  const a = lib.tensor([k, m], av), b = lib.tensor([n, k], bv), c = lib.tensor([m, n]);
  assert.is(lib.gemm(c, a, b, { transA: true, transB: true }), c);
  c.data.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) <= (k + 4) * U * mag[i]!, `C[${i}] = ${g}, expected ${want[i]}`));
  a.dispose(); b.dispose(); c.dispose();
});

test('Backend.gemm: clear errors for bad shapes, scalars, types and aliasing', async () => {
  const lib = await backend('release');
  const x = lib.tensor([100, 784]), w = lib.tensor([10, 256]), c = lib.tensor([100, 10]), sq = lib.tensor([4, 4]);
  throwsClearly(() => lib.gemm(c, x, w, { transB: true }), /gemm: b is \[10, 256\], expected \[\*, 784\] \(k = 784/);
  throwsClearly(() => lib.gemm(c, x, w), /gemm: b is \[10, 256\], expected \[784, \*\] \(k = 784\)/);
  const w2 = lib.tensor([10, 784]);
  throwsClearly(() => lib.gemm(sq, x, w2, { transB: true }), /gemm: out is \[4, 4\], expected \[100, 10\]/);
  throwsClearly(() => lib.gemm(c, x, w2, { transB: true, alpha: NaN }), /gemm: alpha must be a finite number, got NaN/);
  throwsClearly(() => lib.gemm(c, x, w2, { transB: true, beta: Infinity }), /gemm: beta must be a finite number, got Infinity/);
  throwsClearly(() => lib.gemm(c, x, w2, { transB: 1 as unknown as boolean }), /gemm: transB must be a boolean/);
  throwsClearly(() => lib.gemm(c, new Float32Array(4) as unknown as never, w2), /gemm: a must be a Tensor, got Float32Array/);
  throwsClearly(() => lib.gemm(c, x, [1, 2] as unknown as never), /gemm: b must be a Tensor, got an Array/);
  const vec = lib.tensor([3]);
  throwsClearly(() => lib.gemm(vec, x, w2, { transB: true }), /gemm: out must be a 2-D tensor, got shape \[3\]/);
  throwsClearly(() => lib.gemm(sq, sq, sq), /gemm: out and a must not share memory/);
  const other = lib.tensor([4, 4]);
  throwsClearly(() => lib.gemm(sq, other, sq), /gemm: out and b must not share memory/);
  const gone = lib.tensor([4, 4]);
  gone.dispose();
  throwsClearly(() => lib.gemm(sq, gone, other), /gemm: a Tensor\[4, 4\] was disposed/);
  [x, w, c, sq, w2, other, vec].forEach((t) => t.dispose());
});

test.run();
