// Heaviside spike with the SuperSpike surrogate derivative (Zenke & Ganguli 2018, Neural Computation
// 30(6):1514-1541, eq. 6 in its fast-sigmoid form):
//   s = H(u) = (u >= 0 ? 1 : 0),   s' ~ 1 / (1 + k|u|)^2,   u = v - vTh.
// A stateless op class: the methods never read `this`, so drivers call them on
// `changetype<SpikeSuper>(0)` (no object is allocated) and everything inlines.
// f4/df4 are the SIMD forms (inside `if (ASC_FEATURE_SIMD)` only); f1/df1 the scalar forms, with the
// same operation order, so both builds give the same bits.

@final export class SpikeSuper {
  /** 1 where u >= 0, else 0 (per lane). */
  @inline f4(u: v128, k: v128): v128 {
    return v128.and(f32x4.ge(u, f32x4.splat(0)), f32x4.splat(1));
  }
  /** 1 / (1 + k|u|)^2 (per lane; d = 1 + k|u|, then 1 / (d * d)). */
  @inline df4(u: v128, k: v128): v128 {
    const d = f32x4.add(f32x4.splat(1), f32x4.mul(k, f32x4.abs(u)));
    return f32x4.div(f32x4.splat(1), f32x4.mul(d, d));
  }
  @inline f1(u: f32, k: f32): f32 {
    return u >= 0 ? 1 : 0;
  }
  @inline df1(u: f32, k: f32): f32 {
    const d: f32 = 1 + k * abs<f32>(u);
    return 1 / (d * d);
  }
}
