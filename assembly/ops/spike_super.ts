// Heaviside spike with the SuperSpike surrogate derivative (Zenke & Ganguli 2018, Neural Computation
// 30(6):1514-1541, eq. 6 in its fast-sigmoid form):
//   s = H(u) = (u >= 0 ? 1 : 0),   s' ~ 1 / (1 + k|u|)^2,   u = a - vTh.
// Spike op classes share one signature with the rate ops (assembly/drivers/act.ts): k0 = k (steepness),
// k1 = vTh (threshold); k2, k3 unused. The LIF kernels (assembly/drivers/lif.ts) pass the membrane as `a`.
// A stateless op class: the methods never read `this`, so drivers call them on
// `changetype<SpikeSuper>(0)` (no object is allocated) and everything inlines.
// f4/df4 are the SIMD forms (inside `if (ASC_FEATURE_SIMD)` only); f1/df1 the scalar forms, with the
// same operation order, so both builds give the same bits.

@final export class SpikeSuper {
  /** 1 where a - vTh >= 0, else 0 (per lane). */
  // @ts-ignore: decorator
  @inline f4(a: v128, k: v128, th: v128, k2: v128, k3: v128): v128 {
    return v128.and(f32x4.ge(f32x4.sub(a, th), f32x4.splat(0)), f32x4.splat(1));
  }
  /** 1 / (1 + k|u|)^2, u = a - vTh (per lane; d = 1 + k|u|, then 1 / (d * d)). */
  // @ts-ignore: decorator
  @inline df4(a: v128, k: v128, th: v128, k2: v128, k3: v128): v128 {
    const d = f32x4.add(f32x4.splat(1), f32x4.mul(k, f32x4.abs(f32x4.sub(a, th))));
    return f32x4.div(f32x4.splat(1), f32x4.mul(d, d));
  }
  // @ts-ignore: decorator
  @inline f1(a: f32, k: f32, th: f32, k2: f32, k3: f32): f32 {
    return a - th >= 0 ? 1 : 0;
  }
  // @ts-ignore: decorator
  @inline df1(a: f32, k: f32, th: f32, k2: f32, k3: f32): f32 {
    const d: f32 = 1 + k * abs<f32>(a - th);
    return 1 / (d * d);
  }
}
