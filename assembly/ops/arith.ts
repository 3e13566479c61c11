// Lane-wise arithmetic for the zip (z = g(x, y)) and map (y = f(x)) drivers. Each result is one or
// three correctly rounded f32 operations, in the order written, in both the SIMD and scalar forms.

/** z = x + y */
@final export class Add {
  // @ts-ignore: decorator
  @inline f4(x: v128, y: v128, k0: v128, k1: v128): v128 { return f32x4.add(x, y); }
  // @ts-ignore: decorator
  @inline f1(x: f32, y: f32, k0: f32, k1: f32): f32 { return x + y; }
}

/** z = x − y */
@final export class Sub {
  // @ts-ignore: decorator
  @inline f4(x: v128, y: v128, k0: v128, k1: v128): v128 { return f32x4.sub(x, y); }
  // @ts-ignore: decorator
  @inline f1(x: f32, y: f32, k0: f32, k1: f32): f32 { return x - y; }
}

/** z = x ⊙ y (Hadamard) */
@final export class Mul {
  // @ts-ignore: decorator
  @inline f4(x: v128, y: v128, k0: v128, k1: v128): v128 { return f32x4.mul(x, y); }
  // @ts-ignore: decorator
  @inline f1(x: f32, y: f32, k0: f32, k1: f32): f32 { return x * y; }
}

/** z = k0·x + k1·y, rounded as (k0·x) + (k1·y). */
@final export class ScaleAdd {
  // @ts-ignore: decorator
  @inline f4(x: v128, y: v128, k0: v128, k1: v128): v128 { return f32x4.add(f32x4.mul(k0, x), f32x4.mul(k1, y)); }
  // @ts-ignore: decorator
  @inline f1(x: f32, y: f32, k0: f32, k1: f32): f32 { return k0 * x + k1 * y; }
}

/** y = k0·x */
@final export class Scale {
  // @ts-ignore: decorator
  @inline f4(x: v128, k0: v128, k1: v128): v128 { return f32x4.mul(k0, x); }
  // @ts-ignore: decorator
  @inline f1(x: f32, k0: f32, k1: f32): f32 { return k0 * x; }
}
