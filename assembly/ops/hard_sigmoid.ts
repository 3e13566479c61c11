/** Hard sigmoid (EqProp's ρ): k0 = lo, k1 = hi: f(a) = min(max(a, lo), hi), f'(a) = 1 if lo <= a <= hi
 *  else 0 (inclusive, so a state clamped to a bound still passes its input term). NaN: f = NaN, f' = 0.
 *  Scellier & Bengio 2017 use lo = 0, hi = 1. */
@final export class HardSigmoid {
  // @ts-ignore: decorator
  @inline f4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128): v128 { return f32x4.min(f32x4.max(a, k0), k1); }
  // @ts-ignore: decorator
  @inline df4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128): v128 {
    return v128.and(v128.and(f32x4.ge(a, k0), f32x4.le(a, k1)), f32x4.splat(1.0));
  }
  // @ts-ignore: decorator
  @inline f1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32): f32 { return min<f32>(max<f32>(a, k0), k1); }
  // @ts-ignore: decorator
  @inline df1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32): f32 { return a >= k0 && a <= k1 ? 1.0 : 0.0; }
}
