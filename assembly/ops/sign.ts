/** y = k0·sign(x): k0 for x > 0, −k0 for x < 0, +0 for x = ±0; NaN passes through (so a diverged
 *  weight stays visible to a NaN check). The sign-symmetry feedback B = s·sign(W). */
@final export class SignScale {
  // @ts-ignore: decorator
  @inline f4(x: v128, k0: v128, k1: v128): v128 {
    const vzero = f32x4.splat(0.0);
    const vs = v128.or(v128.and(f32x4.gt(x, vzero), k0), v128.and(f32x4.lt(x, vzero), f32x4.neg(k0)));
    return v128.bitselect(x, vs, f32x4.ne(x, x));
  }
  // @ts-ignore: decorator
  @inline f1(x: f32, k0: f32, k1: f32): f32 { return x > 0 ? k0 : x < 0 ? -k0 : x != x ? x : 0.0; }
}
