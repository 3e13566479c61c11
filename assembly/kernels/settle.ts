// Settling kernels for the phase-based rules (CHL, equilibrium propagation, GeneRec): one fused pass
// of the relaxation s ← clamp((1−ε)·s + ε·x, lo, hi) that also returns the largest change, so the
// stopping test of a fixed-point iteration costs nothing extra. See src/net/settle.ts.

/** The largest of the four lanes (NaN if any is NaN). */
// @ts-ignore: decorator
@inline function maxLane(v: v128): f32 {
  return max<f32>(max<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

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
    m = maxLane(vm);
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

/**
 * The same relaxation in difference coordinates (the clamped phase of CHL relative to the free state):
 * with a = the free state's drive and d = the change of the drive, the target of the state difference is
 *   t = clamp(a + d, lo, hi) − clamp(a, lo, hi),
 * computed as clamp(d + e, lo − c, hi − c) with c = clamp(a, lo, hi), e = a − c (0 unless a is outside
 * [lo, hi]), so a d far below a's rounding unit is kept to float32's relative precision instead of being
 * lost in a + d. s[i] ← (1−ε)·s[i] + ε·t; returns max_i |s_new[i] − s_old[i]| (NaN propagates).
 */
export function f32_settle_diff_step(n: i32, eps: f32, oneMinusEps: f32, lo: f32, hi: f32, a: usize, d: usize, s: usize): f32 {
  let m: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const veps = f32x4.splat(eps), vk = f32x4.splat(oneMinusEps), vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
    let vm = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const va = v128.load(a + o), vc = f32x4.min(f32x4.max(va, vlo), vhi);
      const vt = f32x4.min(f32x4.max(f32x4.add(v128.load(d + o), f32x4.sub(va, vc)), f32x4.sub(vlo, vc)), f32x4.sub(vhi, vc));
      const vs = v128.load(s + o);
      const vn = f32x4.add(f32x4.mul(vk, vs), f32x4.mul(veps, vt));
      v128.store(s + o, vn);
      vm = f32x4.max(vm, f32x4.abs(f32x4.sub(vn, vs)));
    }
    m = maxLane(vm);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const av = load<f32>(a + o), c = min<f32>(max<f32>(av, lo), hi);
    const t = min<f32>(max<f32>(load<f32>(d + o) + (av - c), lo - c), hi - c);
    const sv = load<f32>(s + o);
    const nv = oneMinusEps * sv + eps * t;
    store<f32>(s + o, nv);
    m = max<f32>(m, abs<f32>(nv - sv));
  }
  return m;
}
