/** Identity: f(a) = a, f'(a) = 1. */
@final export class Linear {
  // @ts-ignore: decorator
  @inline f4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128): v128 { return a; }
  // @ts-ignore: decorator
  @inline df4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128): v128 { return f32x4.splat(1.0); }
  // @ts-ignore: decorator
  @inline f1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32): f32 { return a; }
  // @ts-ignore: decorator
  @inline df1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32): f32 { return 1.0; }
}
