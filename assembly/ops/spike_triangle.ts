// Heaviside spike with the triangle (piecewise-linear) surrogate of Bellec et al. 2018/2020 (e-prop's
// pseudo-derivative ψ = γ_pd·max(0, 1 − |v − vTh|/vTh), here with the width 1/k as a free parameter):
//   s = H(u),   s' ~ max(0, 1 − k|u|),   u = a − vTh;   k0 = k, k1 = vTh (signature: spike_super.ts).
// Same operations in the SIMD and scalar forms (sub, abs, mul, sub, max), so both builds agree bit for bit.

@final export class SpikeTriangle {
  // @ts-ignore: decorator
  @inline f4(a: v128, k: v128, th: v128, k2: v128, k3: v128): v128 {
    return v128.and(f32x4.ge(f32x4.sub(a, th), f32x4.splat(0)), f32x4.splat(1));
  }
  // @ts-ignore: decorator
  @inline df4(a: v128, k: v128, th: v128, k2: v128, k3: v128): v128 {
    return f32x4.max(f32x4.sub(f32x4.splat(1), f32x4.mul(k, f32x4.abs(f32x4.sub(a, th)))), f32x4.splat(0));
  }
  // @ts-ignore: decorator
  @inline f1(a: f32, k: f32, th: f32, k2: f32, k3: f32): f32 {
    return a - th >= 0 ? 1 : 0;
  }
  // @ts-ignore: decorator
  @inline df1(a: f32, k: f32, th: f32, k2: f32, k3: f32): f32 {
    return max<f32>(<f32>1 - k * abs<f32>(a - th), 0);
  }
}
