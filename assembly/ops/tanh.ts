// tanh without overflow or cancellation: with t = e^{-2|a|} in (0, 1],
//   tanh(a) = sign(a)·(1 − t)/(1 + t) for |a| >= 1/4,
//   tanh(a) = a − a³/3 + 2a⁵/15 − 17a⁷/315 + 62a⁹/2835 for |a| < 1/4 (Taylor; the next term is
//             < 9e-9 relative there), where 1 − t would lose bits to cancellation;
//   tanh'(a) = 4t/(1 + t)² (no 1 − tanh² cancellation in the tails).
// Relative error of tanh <= 2·EXP_MAX_REL_ERR + 3·2^-24 on the exp branch (the factor 2t/(1 − t²)
// <= 1.92 at |a| = 1/4 amplifies the exp error) and ~2·2^-24 on the Taylor branch; tanh' <=
// EXP_MAX_REL_ERR + 4·2^-24. ±0 keeps its sign; large |a| gives ±1 and 0; NaN gives NaN.
import { exp4, exp1 } from "./math";

// @ts-ignore: decorator
@inline const T3: f32 = -0.3333333333333333;
// @ts-ignore: decorator
@inline const T5: f32 = 0.13333333333333333;
// @ts-ignore: decorator
@inline const T7: f32 = -0.05396825396825397;
// @ts-ignore: decorator
@inline const T9: f32 = 0.021869488536155203;
// @ts-ignore: decorator
@inline const SMALL: f32 = 0.25;

// @ts-ignore: decorator
@inline function tanhFrom4(a: v128, vabs: v128, vt: v128): v128 {
  const vbig = f32x4.div(f32x4.sub(f32x4.splat(1.0), vt), f32x4.add(f32x4.splat(1.0), vt));
  const vsign = v128.and(a, f32x4.splat(-0.0));
  const vz = f32x4.mul(a, a);
  let vp = f32x4.add(f32x4.mul(f32x4.splat(T9), vz), f32x4.splat(T7));
  vp = f32x4.add(f32x4.mul(vp, vz), f32x4.splat(T5));
  vp = f32x4.add(f32x4.mul(vp, vz), f32x4.splat(T3));
  // a + (p·z)·a is +0 for a = -0, and vbig >= 0: OR a's sign bit into either
  const vsmall = f32x4.add(a, f32x4.mul(f32x4.mul(vp, vz), a));
  return v128.or(v128.bitselect(vsmall, vbig, f32x4.lt(vabs, f32x4.splat(SMALL))), vsign);
}
// @ts-ignore: decorator
@inline function tanhFrom1(a: f32, aa: f32, t: f32): f32 {
  if (aa < SMALL) {
    const z = a * a;
    let p: f32 = T9 * z + T7;
    p = p * z + T5;
    p = p * z + T3;
    return copysign<f32>(a + (p * z) * a, a);
  }
  return copysign<f32>((1.0 - t) / (1.0 + t), a);
}

/** f(a) = tanh(a), f'(a) = 1 − tanh²(a) = 4t/(1 + t)². */
@final export class Tanh {
  // @ts-ignore: decorator
  @inline f4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128): v128 {
    const vabs = f32x4.abs(a);
    return tanhFrom4(a, vabs, exp4(f32x4.mul(vabs, f32x4.splat(-2.0))));
  }
  // @ts-ignore: decorator
  @inline fd4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128, post: usize, deriv: usize): void {
    const vabs = f32x4.abs(a);
    const vt = exp4(f32x4.mul(vabs, f32x4.splat(-2.0)));
    const vu = f32x4.add(f32x4.splat(1.0), vt);
    v128.store(post, tanhFrom4(a, vabs, vt));
    v128.store(deriv, f32x4.div(f32x4.mul(vt, f32x4.splat(4.0)), f32x4.mul(vu, vu)));
  }
  // @ts-ignore: decorator
  @inline f1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32): f32 {
    const aa = abs<f32>(a);
    return tanhFrom1(a, aa, exp1(aa * -2.0));
  }
  // @ts-ignore: decorator
  @inline fd1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32, post: usize, deriv: usize): void {
    const aa = abs<f32>(a);
    const t = exp1(aa * -2.0);
    const u: f32 = 1.0 + t;
    store<f32>(post, tanhFrom1(a, aa, t));
    store<f32>(deriv, (t * 4.0) / (u * u));
  }
}
