// Slow twins of assembly/kernels/inverse.ts (q = f⁻¹(h + d) − a), two of them:
//  - `inverseTwin`: the kernel's float32 steps in the kernel's order, Math.fround after each operation,
//    with Math.atanh (f64) in place of the kernel's log1p-based atanh. linear and leakyRelu are then
//    exact (0 ulps); tanh differs only by the atanh step, bounded by ATANH_REL (below).
//  - `inverseF64`: the TypeScript loop that src/rules/gaitprop.ts ran before the kernel, in float64
//    without the final rounding: the behaviour the kernel keeps, within the bounds of `tanhBound`.
import { U, LOG1P } from './act.js';

export type InverseName = 'linear' | 'tanh' | 'leakyRelu';

const fr = Math.fround;
/** 1 − 2^-24: the kernel clamps z to ±ZMAX before its atanh (keeps log1p's argument finite). */
export const ZMAX = fr(1 - 2 ** -24);
/** atanh(1 − 1e-7) in float32: the clamp of the old loop (on z at 1 − 1e-7), applied to q instead. */
export const ATANH_MAX = fr(Math.atanh(1 - 1e-7));
/** Relative error of the kernel's atanh of a float32 z (assembly/ops/inverse.ts ATANH_MAX_REL_ERR):
 *  log1p's documented bound, U each for 1 − |z| and the division (log1p's argument condition is <= 1),
 *  and U for second-order terms. */
export const ATANH_REL = LOG1P + 3 * U;
/** Absolute slack where ½·log1p(…) is subnormal. */
export const TINY = 2 ** -149;

/** The kernel's z = d / ((1 − h)(1 + h) − h·d), float32 step by step, before the clamp. */
export function zF32(h: number, d: number): number {
  const den = fr(fr(fr(1 - h) * fr(1 + h)) - fr(h * d));
  return fr(d / den);
}

/** One element of the float32 twin (tanh: f64 atanh of the kernel's float32 z). */
export function inverseTwin1(name: InverseName, slope: number, a: number, h: number, d: number): number {
  if (name === 'linear') return d;
  if (name === 'tanh') {
    if (d === 0) return d; // q = f⁻¹(h) − a = 0, with d's sign (also at h = ±1, where z would be 0/0)
    let z = zF32(h, d);
    if (Number.isNaN(z)) return NaN; // bad input stays visible
    if (z > ZMAX) z = ZMAX;
    else if (z < -ZMAX) z = -ZMAX;
    const r = Math.min(Math.atanh(Math.abs(z)), ATANH_MAX);
    return Object.is(z, -0) || z < 0 ? -r : r;
  }
  const s = fr(slope), u = fr(h + d);
  if (h > 0 && u > 0) return d;
  if (h <= 0 && u <= 0) return fr(d / s);
  return fr((u > 0 ? u : fr(u / s)) - a);
}

export function inverseTwin(name: InverseName, slope: number, a: ArrayLike<number>, h: ArrayLike<number>, d: ArrayLike<number>): number[] {
  return Array.from(d, (_, i) => inverseTwin1(name, slope, a[i]!, h[i]!, d[i]!));
}

/** The pre-kernel loop of gaitprop.ts, verbatim in float64 (its results were rounded to float32 only
 *  when stored). */
export function inverseF64(name: InverseName, slope: number, a: ArrayLike<number>, h: ArrayLike<number>, d: ArrayLike<number>): number[] {
  const n = d.length, q = new Array<number>(n);
  if (name === 'linear') {
    for (let i = 0; i < n; i++) q[i] = d[i]!;
  } else if (name === 'tanh') {
    const lim = 1 - 1e-7;
    for (let i = 0; i < n; i++) {
      const hi = h[i]!, di = d[i]!;
      let z = di / (1 - hi * (hi + di));
      if (!(z < lim)) z = lim; else if (!(z > -lim)) z = -lim;
      q[i] = Math.atanh(z);
    }
  } else {
    const inv = 1 / slope;
    for (let i = 0; i < n; i++) {
      const hi = h[i]!, di = d[i]!, u = hi + di;
      if (hi > 0 && u > 0) q[i] = di;
      else if (hi <= 0 && u <= 0) q[i] = di * inv;
      else q[i] = (u > 0 ? u : u * inv) - a[i]!;
    }
  }
  return q;
}

/**
 * Absolute error bound of the tanh kernel against the exact q = atanh(z), z = d/(1 − h(h + d)) from
 * float32 h, d (inverseF64 before its rounding), first order in U:
 *   den = (1 − h)(1 + h) − h·d in float32: |δden| <= 3U(1 − h²) + U|h·d| + U|den|;
 *   z = d/den: rel(z) <= U + |δden|/|den|  (+U slack for second-order terms);
 *   atanh: the relative error of z times its condition |z| / ((1 − z²)|atanh z|) (1 at z → 0, large as
 *   |z| → 1: the clamp at 1 − 1e-7 bounds it near 6e5), plus ATANH_REL of the kernel's atanh.
 */
export function tanhBound(h: number, d: number, want: number): number {
  const A = (1 - h) * (1 + h), B = Math.abs(h * d), den = Math.abs(A - h * d);
  const z = Math.min(Math.abs(d / (A - h * d)), 1 - 1e-7); // beyond the clamp: its condition (min is 1-Lipschitz)
  const relZ = 3 * U + (3 * U * A + U * B) / den;
  const cond = z === 0 ? 1 : z / ((1 - z * z) * Math.atanh(z));
  // den = 0 exactly (h = ±1, z = ±1 or 0/0): both clamp, to the same constant up to its f32 rounding
  if (den === 0) return ATANH_REL * Math.abs(want) + TINY;
  return (ATANH_REL + cond * relZ) * Math.abs(want) + TINY;
}
