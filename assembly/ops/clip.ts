/** y = min(max(x, k0), k1): clamp to [lo, hi] = [k0, k1] (lo <= hi). NaN passes through. */
@final export class Clip {
  // @ts-ignore: decorator
  @inline f4(x: v128, k0: v128, k1: v128): v128 { return f32x4.min(f32x4.max(x, k0), k1); }
  // @ts-ignore: decorator
  @inline f1(x: f32, k0: f32, k1: f32): f32 { return min<f32>(max<f32>(x, k0), k1); }
}
