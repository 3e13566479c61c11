// Settling kernels for the phase-based rules (CHL, equilibrium propagation, GeneRec): one fused pass
// of the relaxation s ← clamp((1−ε)·s + ε·x, lo, hi) that also returns the largest change, so the
// stopping test of a fixed-point iteration costs nothing extra. See src/net/settle.ts.

/**
 * s[i] ← min(max((1−ε)·s[i] + ε·x[i], lo), hi) for i < n; returns max_i |s_new[i] − s_old[i]|
 * (0 for n = 0; NaN if any new or old value is NaN). `oneMinusEps` is 1 − ε, computed once by the
 * caller, so ε = 1 copies x exactly (0·s + 1·x). Rounded as ((1−ε)·s) + (ε·x), then clamped, then the
 * change |t − s| — identical in both builds. Requires lo <= hi (±Infinity allowed: no clamp).
 * x may alias s (then s ← clamp(s) up to the blend's rounding).
 */
export function f32_settle_step(n: i32, eps: f32, oneMinusEps: f32, lo: f32, hi: f32, x: usize, s: usize): f32 {
  let m: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const veps = f32x4.splat(eps), vk = f32x4.splat(oneMinusEps), vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
    let vm = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const vs = v128.load(s + o);
      const vt = f32x4.min(f32x4.max(f32x4.add(f32x4.mul(vk, vs), f32x4.mul(veps, v128.load(x + o))), vlo), vhi);
      v128.store(s + o, vt);
      vm = f32x4.max(vm, f32x4.abs(f32x4.sub(vt, vs))); // wasm max propagates NaN
    }
    m = max<f32>(max<f32>(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max<f32>(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
  }
  for (; i < n; i++) { // the tail, and the whole loop in the scalar build
    const o = <usize>i << 2;
    const sv = load<f32>(s + o);
    const t = min<f32>(max<f32>(oneMinusEps * sv + eps * load<f32>(x + o), lo), hi);
    store<f32>(s + o, t);
    m = max<f32>(m, abs<f32>(t - sv));
  }
  return m;
}
