// Inverse steps of the invertible activations (GAIT-prop's target step): given the pre-activation a,
// the activity h = f(a) and a small target change d, q = f⁻¹(h + d) − a, in forms that never subtract
// two nearly equal numbers. Op classes for drivers/zip3 with x = a, y = h, z = d, k0 = slope.
//
// tanh:  atanh(h + d) − atanh(h) = atanh(z),  z = d / (1 − h(h + d)) = d / ((1 − h)(1 + h) − h·d).
//        (1 − h)(1 + h) instead of 1 − h²: 1 ∓ h is exact for ±h in [½, 1] (Sterbenz), so the
//        denominator keeps its relative accuracy as h → ±1 where 1 − h² would cancel. Computed:
//        rel. error of z <= 2U + (3U·(1 − h²) + U·|h·d|)/|den| (U = 2^-24, first order; large only when
//        h + d itself approaches ±1, where the problem is as ill-conditioned in d).
//        d = ±0 gives q = d exactly (f⁻¹(h) − a = 0, also where h = ±1 and the formula is 0/0).
//        z is clamped to ±(1 − 2^-24) (NaN stays NaN, so bad input is seen downstream), then
//        atanh(z) = sign(z)·½·log1p(2|z|/(1 − |z|)) with log1p from ./math, and the result is clamped
//        to ±ATANH_MAX = atanh(1 − 1e-7): the same as clamping z at 1 − 1e-7 first (atanh is monotone),
//        which is the clamp of the original loop (1 − 1e-7 itself is not a float32).
//        Error of the atanh step on a given float32 z: ATANH_MAX_REL_ERR = LOG1P_MAX_REL_ERR + 3U
//        (1 − |z| exact for |z| >= ½ or rel. U, the division U, and log1p(x(1 + ε)) moves by at most ε
//        relative since x/((1 + x)·log1p(x)) <= 1; +U for second-order terms); ½· is exact (absolute
//        2^-150 for subnormal results). ±0 keeps its sign. Both builds: bit-identical (log1p4/log1p1).
//        h = ±1 exactly (tanh saturated in float32, |a| > ~9) with d ≠ 0: den = −h·d, z = ∓1 and
//        q = ∓ATANH_MAX (the clamp). (The TypeScript loop this replaced also turned d = 0 there and NaN
//        into +ATANH_MAX; GAIT-prop's d = γ·f′²·Δ is exactly 0 at a saturated unit, so that fed a bogus target.)
// leaky ReLU (slope s > 0): with u = h + d,
//        h > 0 and u > 0  → q = d,   h <= 0 and u <= 0 → q = d / s   (same side: exact up to one rounding),
//        otherwise        → q = (u > 0 ? u : u / s) − a  (the two terms have the same sign: no cancellation).
//        Every step is one correctly rounded f32 operation; NaN in h or d gives NaN.
import { log1p4, log1p1, LOG1P_MAX_REL_ERR } from "./math";

// @ts-ignore: decorator
@inline const ZMAX: f32 = 0.99999994039535522; // 1 − 2^-24, the largest float32 below 1
// @ts-ignore: decorator
@inline const ATANH_MAX: f32 = 8.4056215286254883; // atanh(1 − 1e-7) rounded to float32
// @ts-ignore: decorator
@inline const U: f32 = 5.9604644775390625e-8; // 2^-24
// @ts-ignore: decorator
@inline export const ATANH_MAX_REL_ERR: f32 = LOG1P_MAX_REL_ERR + 3 * U;

/** q = d (f = identity). */
@final export class InverseLinear {
  // @ts-ignore: decorator
  @inline f4(a: v128, h: v128, d: v128, k0: v128): v128 { return d; }
  // @ts-ignore: decorator
  @inline f1(a: f32, h: f32, d: f32, k0: f32): f32 { return d; }
}

/** q = atanh(h + d) − atanh(h) = atanh(d / ((1 − h)(1 + h) − h·d)), clamped (see the header). */
@final export class InverseTanh {
  // @ts-ignore: decorator
  @inline f4(a: v128, h: v128, d: v128, k0: v128): v128 {
    const vone = f32x4.splat(1.0);
    const vden = f32x4.sub(f32x4.mul(f32x4.sub(vone, h), f32x4.add(vone, h)), f32x4.mul(h, d));
    const vzmax = f32x4.splat(ZMAX);
    const vz = f32x4.max(f32x4.min(f32x4.div(d, vden), vzmax), f32x4.neg(vzmax)); // f32x4.min/max keep NaN
    const vw = f32x4.abs(vz);
    const vr = f32x4.mul(log1p4(f32x4.div(f32x4.add(vw, vw), f32x4.sub(vone, vw))), f32x4.splat(0.5));
    const vq = v128.or(f32x4.min(vr, f32x4.splat(ATANH_MAX)), v128.and(vz, f32x4.splat(-0.0)));
    const vq1 = v128.bitselect(vz, vq, f32x4.ne(vz, vz)); // NaN in → NaN out
    return v128.bitselect(d, vq1, f32x4.eq(d, f32x4.splat(0.0))); // d = ±0 → q = d
  }
  // @ts-ignore: decorator
  @inline f1(a: f32, h: f32, d: f32, k0: f32): f32 {
    if (d == 0) return d;
    const den: f32 = (<f32>1.0 - h) * (<f32>1.0 + h) - h * d;
    const z: f32 = max<f32>(min<f32>(d / den, ZMAX), -ZMAX); // f32.min/max keep NaN
    if (z != z) return z;
    const w = abs<f32>(z);
    const r = log1p1((w + w) / (1.0 - w)) * 0.5;
    return copysign<f32>(min<f32>(r, ATANH_MAX), z);
  }
}

/** k0 = slope s > 0: q = leaky⁻¹(h + d) − a by cases (see the header). */
@final export class InverseLeakyRelu {
  // @ts-ignore: decorator
  @inline f4(a: v128, h: v128, d: v128, k0: v128): v128 {
    const vzero = f32x4.splat(0.0);
    const vu = f32x4.add(h, d);
    const vupos = f32x4.gt(vu, vzero);
    const vcross = f32x4.sub(v128.bitselect(vu, f32x4.div(vu, k0), vupos), a);
    const vpos = v128.and(f32x4.gt(h, vzero), vupos);                // both above the kink
    const vneg = v128.and(f32x4.le(h, vzero), f32x4.le(vu, vzero));  // both at or below it
    return v128.bitselect(d, v128.bitselect(f32x4.div(d, k0), vcross, vneg), vpos);
  }
  // @ts-ignore: decorator
  @inline f1(a: f32, h: f32, d: f32, k0: f32): f32 {
    const u = h + d;
    if (h > 0 && u > 0) return d;
    if (h <= 0 && u <= 0) return d / k0;
    return (u > 0 ? u : u / k0) - a;
  }
}
