// Rectifiers. NaN: f(NaN) = NaN (passes through), f'(NaN) = the a <= 0 branch (0 / slope), because
// the derivative comes from a comparison. relu(-0) = +0.

/** f(a) = max(a, 0), f'(a) = 1 if a > 0 else 0 (0 at a = 0). */
@final export class Relu {
  // @ts-ignore: decorator
  @inline f4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128): v128 { return f32x4.max(a, f32x4.splat(0.0)); }
  // @ts-ignore: decorator
  @inline df4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128): v128 {
    return v128.and(f32x4.gt(a, f32x4.splat(0.0)), f32x4.splat(1.0));
  }
  // @ts-ignore: decorator
  @inline f1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32): f32 { return max<f32>(a, 0.0); }
  // @ts-ignore: decorator
  @inline df1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32): f32 { return a > 0 ? 1.0 : 0.0; }
}

/** k0 = slope: f(a) = a if a > 0 else slope·a, f'(a) = 1 if a > 0 else slope. */
@final export class LeakyRelu {
  // @ts-ignore: decorator
  @inline f4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128): v128 {
    return v128.bitselect(a, f32x4.mul(k0, a), f32x4.gt(a, f32x4.splat(0.0)));
  }
  // @ts-ignore: decorator
  @inline df4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128): v128 {
    return v128.bitselect(f32x4.splat(1.0), k0, f32x4.gt(a, f32x4.splat(0.0)));
  }
  // @ts-ignore: decorator
  @inline f1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32): f32 { return a > 0 ? a : k0 * a; }
  // @ts-ignore: decorator
  @inline df1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32): f32 { return a > 0 ? 1.0 : k0; }
}
