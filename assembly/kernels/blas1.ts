// Level-1 vector kernels and the small matrix reductions/updates around them (column sums, row-broadcast
// add). Pointers are byte addresses of f32 arrays in linear memory; matrices are
// row-major [m × n]. Element-wise ones go through drivers/map and drivers/zip.
//
// Summation order of the reductions (f32_dot, f32_sumsq): the SIMD build keeps 4 lane-wise partial sums
// s_k = Σ over i ≡ k (mod 4), i < n − n%4, each accumulated in index order, combines them as
// (s0 + s1) + (s2 + s3), then adds the n%4 tail in order; the scalar build sums in index order. Either
// way |error| <= (n/4 + 3)·2^-24·Σ|x_i·y_i| (+ one rounding per product), within the (n + 1)·2^-24·Σ|x_i·y_i|
// that the tests allow.
import { map } from "../drivers/map";
import { zip } from "../drivers/zip";
import { Scale, ScaleAdd, Add } from "../ops/arith";

/** y[i] += alpha * x[i] for i < n. x and y may be the same buffer. */
export function f32_axpy(n: i32, alpha: f32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const valpha = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(valpha, v128.load(x + o))));
    }
  }
  for (; i < n; i++) { // the tail, and the whole loop in the scalar build
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** x[i] = alpha * x[i] for i < n (in place). */
export function f32_scal(n: i32, alpha: f32, x: usize): void {
  map<Scale>(n, alpha, 0, x, x);
}

/** y[i] = x[i] for i < n. Overlapping x and y are allowed (memmove semantics). */
export function f32_copy(n: i32, x: usize, y: usize): void {
  memory.copy(y, x, <usize>n << 2);
}

/** x[i] = value for i < n. */
export function f32_fill(n: i32, value: f32, x: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vv = f32x4.splat(value);
    for (; i + 4 <= n; i += 4) v128.store(x + (<usize>i << 2), vv);
  }
  for (; i < n; i++) store<f32>(x + (<usize>i << 2), value);
}

/** Σ_i x[i]·y[i] for i < n, in f32 (summation order: see the file header). 0 for n = 0. */
export function f32_dot(n: i32, x: usize, y: usize): f32 {
  let i = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let vacc = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      vacc = f32x4.add(vacc, f32x4.mul(v128.load(x + o), v128.load(y + o)));
    }
    s = (f32x4.extract_lane(vacc, 0) + f32x4.extract_lane(vacc, 1)) + (f32x4.extract_lane(vacc, 2) + f32x4.extract_lane(vacc, 3));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    s += load<f32>(x + o) * load<f32>(y + o);
  }
  return s;
}

/** Σ_i x[i]² for i < n, in f32 (summation order: see the file header). */
export function f32_sumsq(n: i32, x: usize): f32 {
  return f32_dot(n, x, x);
}

/** Number of elements of x[0..n) that are NaN or ±Inf (a divergence check). */
export function f32_nonfinite(n: i32, x: usize): i32 {
  let i = 0;
  let c = 0;
  if (ASC_FEATURE_SIMD) {
    let vc = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const vx = v128.load(x + (<usize>i << 2));
      const vd = f32x4.sub(vx, vx); // NaN exactly for NaN and ±Inf, else 0
      vc = i32x4.sub(vc, f32x4.ne(vd, vd)); // the mask is -1 per non-finite lane
    }
    c = i32x4.extract_lane(vc, 0) + i32x4.extract_lane(vc, 1) + i32x4.extract_lane(vc, 2) + i32x4.extract_lane(vc, 3);
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    const d = v - v;
    if (d != d) c++;
  }
  return c;
}

/** y[i] = alpha·x[i] + beta·y[i] for i < n, rounded as (alpha·x) + (beta·y). x and y may alias. */
export function f32_axpby(n: i32, alpha: f32, x: usize, beta: f32, y: usize): void {
  zip<ScaleAdd>(n, alpha, beta, x, y, y);
}

/**
 * out[j] = alpha·Σ_i x[i·n + j] + beta·out[j] for j < n, over the rows i < m of x [m × n] (column sums:
 * bias gradients). Each column is summed in row order in f32 (SIMD lanes hold 4 adjacent columns, so
 * both builds give the same bits), then rounded as (alpha·s) + (beta·out). beta = 0 does not read out
 * (NaN/garbage there is ignored). out must not overlap x. m = 0 gives out = beta·out.
 */
export function f32_sum_rows(m: i32, n: i32, alpha: f32, beta: f32, x: usize, out: usize): void {
  const rowBytes = <usize>n << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const valpha = f32x4.splat(alpha), vbeta = f32x4.splat(beta);
    for (; j + 16 <= n; j += 16) { // 16 columns: 4 accumulators, 64 contiguous bytes per row
      let vs0 = f32x4.splat(0), vs1 = f32x4.splat(0), vs2 = f32x4.splat(0), vs3 = f32x4.splat(0);
      let p = x + (<usize>j << 2);
      for (let i = 0; i < m; i++, p += rowBytes) {
        vs0 = f32x4.add(vs0, v128.load(p));
        vs1 = f32x4.add(vs1, v128.load(p, 16));
        vs2 = f32x4.add(vs2, v128.load(p, 32));
        vs3 = f32x4.add(vs3, v128.load(p, 48));
      }
      const q = out + (<usize>j << 2);
      if (beta == 0) {
        v128.store(q, f32x4.mul(valpha, vs0));
        v128.store(q, f32x4.mul(valpha, vs1), 16);
        v128.store(q, f32x4.mul(valpha, vs2), 32);
        v128.store(q, f32x4.mul(valpha, vs3), 48);
      } else {
        v128.store(q, f32x4.add(f32x4.mul(valpha, vs0), f32x4.mul(vbeta, v128.load(q))));
        v128.store(q, f32x4.add(f32x4.mul(valpha, vs1), f32x4.mul(vbeta, v128.load(q, 16))), 16);
        v128.store(q, f32x4.add(f32x4.mul(valpha, vs2), f32x4.mul(vbeta, v128.load(q, 32))), 32);
        v128.store(q, f32x4.add(f32x4.mul(valpha, vs3), f32x4.mul(vbeta, v128.load(q, 48))), 48);
      }
    }
    for (; j + 4 <= n; j += 4) {
      let vs = f32x4.splat(0);
      let p = x + (<usize>j << 2);
      for (let i = 0; i < m; i++, p += rowBytes) vs = f32x4.add(vs, v128.load(p));
      const q = out + (<usize>j << 2);
      v128.store(q, beta == 0 ? f32x4.mul(valpha, vs) : f32x4.add(f32x4.mul(valpha, vs), f32x4.mul(vbeta, v128.load(q))));
    }
  }
  for (; j < n; j++) {
    let s: f32 = 0;
    let p = x + (<usize>j << 2);
    for (let i = 0; i < m; i++, p += rowBytes) s += load<f32>(p);
    const q = out + (<usize>j << 2);
    store<f32>(q, beta == 0 ? alpha * s : alpha * s + beta * load<f32>(q));
  }
}

/** x[i·n + j] += bias[j] for i < m, j < n: row-broadcast bias add on x [m × n], in place. bias must not
 *  overlap x. */
export function f32_add_row(m: i32, n: i32, bias: usize, x: usize): void {
  const rowBytes = <usize>n << 2;
  let p = x;
  for (let i = 0; i < m; i++, p += rowBytes) zip<Add>(n, 0, 0, p, bias, p);
}
