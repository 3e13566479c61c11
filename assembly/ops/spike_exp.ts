// Heaviside spike with the exponential surrogate (Shrestha & Orchard 2018, SLAYER's spike escape
// kernel, in its unnormalised form):
//   s = H(u),   s' ~ exp(−k|u|),   u = a − vTh;   k0 = k, k1 = vTh (signature: spike_super.ts).
// exp via exp4/exp1 of ops/math.ts (relative error <= EXP_MAX_REL_ERR = 1e-7; identical bits in both
// forms), after the rounded product k·|u|.
import { exp4, exp1 } from "./math";

@final export class SpikeExp {
  // @ts-ignore: decorator
  @inline f4(a: v128, k: v128, th: v128, k2: v128, k3: v128): v128 {
    return v128.and(f32x4.ge(f32x4.sub(a, th), f32x4.splat(0)), f32x4.splat(1));
  }
  // @ts-ignore: decorator
  @inline df4(a: v128, k: v128, th: v128, k2: v128, k3: v128): v128 {
    return exp4(f32x4.neg(f32x4.mul(k, f32x4.abs(f32x4.sub(a, th)))));
  }
  // @ts-ignore: decorator
  @inline f1(a: f32, k: f32, th: f32, k2: f32, k3: f32): f32 {
    return a - th >= 0 ? 1 : 0;
  }
  // @ts-ignore: decorator
  @inline df1(a: f32, k: f32, th: f32, k2: f32, k3: f32): f32 {
    return exp1(-(k * abs<f32>(a - th)));
  }
}
