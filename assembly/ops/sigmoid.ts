// Logistic sigmoid in the overflow-free form: with t = e^{-|a|} in (0, 1],
//   σ(a) = 1/(1 + t) for a >= 0, t/(1 + t) for a < 0;   σ'(a) = t/(1 + t)²  (symmetric, no 1 − σ
// cancellation, so σ' keeps its relative accuracy in both tails). Relative error <= EXP_MAX_REL_ERR +
// 3·2^-24 for σ, EXP_MAX_REL_ERR + 4·2^-24 for σ' (one exp, then 2–3 correctly rounded ops).
// Large |a|: σ → 0 or 1 and σ' → 0 without NaN. NaN gives NaN for both.
import { exp4, exp1 } from "./math";

// @ts-ignore: decorator
@inline export function sigmoid4(a: v128): v128 {
  const vt = exp4(f32x4.neg(f32x4.abs(a)));
  const vr = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), vt));
  return v128.bitselect(vr, f32x4.mul(vt, vr), f32x4.ge(a, f32x4.splat(0.0)));
}
// @ts-ignore: decorator
@inline export function sigmoid1(a: f32): f32 {
  const t = exp1(-abs<f32>(a));
  const r: f32 = 1.0 / (1.0 + t);
  return a >= 0 ? r : t * r;
}

/** f(a) = 1/(1 + e^{-a}), f'(a) = f(a)(1 − f(a)). */
@final export class Sigmoid {
  // @ts-ignore: decorator
  @inline f4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128): v128 { return sigmoid4(a); }
  // @ts-ignore: decorator
  @inline fd4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128, post: usize, deriv: usize): void {
    const vt = exp4(f32x4.neg(f32x4.abs(a)));
    const vu = f32x4.add(f32x4.splat(1.0), vt);
    const vr = f32x4.div(f32x4.splat(1.0), vu);
    v128.store(post, v128.bitselect(vr, f32x4.mul(vt, vr), f32x4.ge(a, f32x4.splat(0.0))));
    v128.store(deriv, f32x4.div(vt, f32x4.mul(vu, vu)));
  }
  // @ts-ignore: decorator
  @inline f1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32): f32 { return sigmoid1(a); }
  // @ts-ignore: decorator
  @inline fd1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32, post: usize, deriv: usize): void {
    const t = exp1(-abs<f32>(a));
    const u: f32 = 1.0 + t;
    const r: f32 = 1.0 / u;
    store<f32>(post, a >= 0 ? r : t * r);
    store<f32>(deriv, t / (u * u));
  }
}
