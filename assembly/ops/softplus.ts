// softplus(a) = log(1 + e^a) = max(a, 0) + log1p(e^{-|a|}): no overflow for large a, no underflow to
// a wrong 0 for very negative a before e^a itself underflows. softplus'(a) = σ(a).
// Relative error <= EXP_MAX_REL_ERR + LOG1P_MAX_REL_ERR + 2·2^-24 (a sum of two non-negative terms
// adds no cancellation). NaN gives NaN.
import { exp4, exp1, log1p4, log1p1 } from "./math";

/** f(a) = log(1 + e^a), f'(a) = σ(a) = 1/(1 + e^{-a}) (the same overflow-free form as ops/sigmoid). */
@final export class Softplus {
  // @ts-ignore: decorator
  @inline f4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128): v128 {
    return f32x4.add(f32x4.max(a, f32x4.splat(0.0)), log1p4(exp4(f32x4.neg(f32x4.abs(a)))));
  }
  // @ts-ignore: decorator
  @inline fd4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128, post: usize, deriv: usize): void {
    const vt = exp4(f32x4.neg(f32x4.abs(a)));
    const vr = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), vt));
    v128.store(post, f32x4.add(f32x4.max(a, f32x4.splat(0.0)), log1p4(vt)));
    v128.store(deriv, v128.bitselect(vr, f32x4.mul(vt, vr), f32x4.ge(a, f32x4.splat(0.0))));
  }
  // @ts-ignore: decorator
  @inline f1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32): f32 {
    return max<f32>(a, 0.0) + log1p1(exp1(-abs<f32>(a)));
  }
  // @ts-ignore: decorator
  @inline fd1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32, post: usize, deriv: usize): void {
    const t = exp1(-abs<f32>(a));
    const r: f32 = 1.0 / (1.0 + t);
    store<f32>(post, max<f32>(a, 0.0) + log1p1(t));
    store<f32>(deriv, a >= 0 ? r : t * r);
  }
}
