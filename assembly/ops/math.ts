// Shared transcendental helpers for the op classes: exp, log, log1p in f32x4 (exp4, log4, log1p4)
// and their scalar twins (exp1, log1, log1p1). Each scalar twin runs the SAME sequence of f32
// operations as its SIMD form (no fused multiply-add exists in either), so the release and the scalar
// builds, and the SIMD body and its scalar tail, give bit-identical results.
//
// Max relative errors against f64 Math.exp / Math.log / Math.log1p, measured over ~2^24 float32 inputs
// per range (evenly spaced bit patterns over the whole domain, plus dense sweeps of [-2, 2], [0.5, 2],
// [0, 1], [1e-10, 1e-3]; measured maxima 9.8e-8, 1.76e-7, 2.61e-7, rounded up to the constants below):
//   exp:   EXP_MAX_REL_ERR   = 1.0e-7 (< 2 ulp) for results >= 2^-126 (x >= -87.33);
//          below that the result is subnormal (absolute error <= 2^-149) and 0 for x <= -103.97;
//          +Inf for x > 88.7228. NaN gives NaN.
//   log:   LOG_MAX_REL_ERR   = 1.8e-7 for normal positive x; log(+Inf) = +Inf, log(NaN) = NaN;
//          x <= 0 and subnormal x are outside the domain (the callers never pass them).
//   log1p: LOG1P_MAX_REL_ERR = 2.7e-7 for x >= 0 (including +Inf).
// tests/kernels/act.test.ts re-derives its tolerances from these constants (tests/reference/act.ts).
//
// see: exp uses Cody & Waite's (1980) additive range reduction x = n·ln2 + r with ln2 split in a
// short-mantissa high part (n·LN2_HI is exact) and a low part, then the degree-7 Taylor polynomial of
// e^r on |r| <= ln2/2 (truncation error r^8/8! < 6e-9), then 2^n built in the exponent field in two
// halves so n = 128 (x near the overflow limit) and n = -150 (subnormal results) need no special case.
// log uses x = m·2^e with m in [√½, √2), log m = 2·atanh(s), s = (m − 1)/(m + 1), |s| <= 0.1716, the
// odd series to s^9 (truncation < 3e-10). log1p(x) = log(u)·x/(u − 1) with u = 1 + x rounded, which
// cancels the rounding of u (Goldberg 1991, "What every computer scientist should know about
// floating-point arithmetic", Theorem 4).

// @ts-ignore: decorator
@inline export const EXP_MAX_REL_ERR: f32 = 1.0e-7;
// @ts-ignore: decorator
@inline export const LOG_MAX_REL_ERR: f32 = 1.8e-7;
// @ts-ignore: decorator
@inline export const LOG1P_MAX_REL_ERR: f32 = 2.7e-7;

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.4426950408889634;
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375; // 355/512: 9 significant bits, so n·LN2_HI is exact for |n| <= 2^15
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440054690583e-4; // ln2 − LN2_HI
// @ts-ignore: decorator
@inline const EXP_LO: f32 = -104.0; // e^-104 < 2^-150: rounds to 0
// @ts-ignore: decorator
@inline const EXP_HI: f32 = 89.0; // e^89 > f32 max: overflows to +Inf
// 1/k! for the Taylor polynomial of e^r.
// @ts-ignore: decorator
@inline const E2: f32 = 0.5;
// @ts-ignore: decorator
@inline const E3: f32 = 0.16666666666666666;
// @ts-ignore: decorator
@inline const E4: f32 = 0.041666666666666664;
// @ts-ignore: decorator
@inline const E5: f32 = 0.008333333333333333;
// @ts-ignore: decorator
@inline const E6: f32 = 0.001388888888888889;
// @ts-ignore: decorator
@inline const E7: f32 = 0.0001984126984126984;
// 2/(2k+1) for log m = 2s + (2/3)s^3 + (2/5)s^5 + (2/7)s^7 + (2/9)s^9.
// @ts-ignore: decorator
@inline const L3: f32 = 0.6666666666666666;
// @ts-ignore: decorator
@inline const L5: f32 = 0.4;
// @ts-ignore: decorator
@inline const L7: f32 = 0.2857142857142857;
// @ts-ignore: decorator
@inline const L9: f32 = 0.2222222222222222;
// @ts-ignore: decorator
@inline const SQRT2: f32 = 1.4142135623730951;
// @ts-ignore: decorator
@inline const TWO24: f32 = 16777216.0;

/** e^x per lane (see the file header for accuracy and special values). */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  // pmin/pmax (one instruction each on x86, where min/max need several for NaN and signed zeros) give
  // min/max's results here: the bounds are nonzero, and a NaN x is passed through (b < a is false).
  const vx = f32x4.pmax(f32x4.pmin(x, f32x4.splat(EXP_HI)), f32x4.splat(EXP_LO));
  const vn = f32x4.nearest(f32x4.mul(vx, f32x4.splat(LOG2E)));
  const vr = f32x4.sub(f32x4.sub(vx, f32x4.mul(vn, f32x4.splat(LN2_HI))), f32x4.mul(vn, f32x4.splat(LN2_LO)));
  let vp = f32x4.add(f32x4.mul(f32x4.splat(E7), vr), f32x4.splat(E6));
  vp = f32x4.add(f32x4.mul(vp, vr), f32x4.splat(E5));
  vp = f32x4.add(f32x4.mul(vp, vr), f32x4.splat(E4));
  vp = f32x4.add(f32x4.mul(vp, vr), f32x4.splat(E3));
  vp = f32x4.add(f32x4.mul(vp, vr), f32x4.splat(E2));
  vp = f32x4.add(f32x4.mul(vp, vr), f32x4.splat(1.0));
  vp = f32x4.add(f32x4.mul(vp, vr), f32x4.splat(1.0));
  const vi = i32x4.trunc_sat_f32x4_s(vn); // in [-150, 128]; NaN -> 0 (vp is NaN then anyway)
  const vi1 = i32x4.shr_s(vi, 1);
  const vi2 = i32x4.sub(vi, vi1);
  const vs1 = i32x4.shl(i32x4.add(vi1, i32x4.splat(127)), 23);
  const vs2 = i32x4.shl(i32x4.add(vi2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(vp, vs1), vs2);
}

/** e^x, the scalar twin of exp4 (same operations, same bits). */
// @ts-ignore: decorator
@inline export function exp1(x: f32): f32 {
  const cx = max<f32>(min<f32>(x, EXP_HI), EXP_LO);
  const n = nearest<f32>(cx * LOG2E);
  const r = (cx - n * LN2_HI) - n * LN2_LO;
  let p: f32 = E7 * r + E6;
  p = p * r + E5;
  p = p * r + E4;
  p = p * r + E3;
  p = p * r + E2;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const i = <i32>n; // saturating (nontrapping-f2i); NaN -> 0
  const i1 = i >> 1;
  const i2 = i - i1;
  return (p * reinterpret<f32>((i1 + 127) << 23)) * reinterpret<f32>((i2 + 127) << 23);
}

/** Natural log per lane for normal positive x (and +Inf, NaN: passed through). */
// @ts-ignore: decorator
@inline export function log4(x: v128): v128 {
  const vbits = i32x4.sub(x, i32x4.splat(0x3f3504f3)); // x / √½ : splits at m = √2 after the shift
  const ve = i32x4.shr_s(vbits, 23);                  // exponent of x / √½ (so m lands in [√½, √2))
  const vm = i32x4.sub(x, i32x4.shl(ve, 23));          // m = x · 2^-e
  const vf = f32x4.sub(vm, f32x4.splat(1.0));          // exact (Sterbenz)
  const vs = f32x4.div(vf, f32x4.add(vf, f32x4.splat(2.0)));
  const vz = f32x4.mul(vs, vs);
  let vq = f32x4.add(f32x4.mul(f32x4.splat(L9), vz), f32x4.splat(L7));
  vq = f32x4.add(f32x4.mul(vq, vz), f32x4.splat(L5));
  vq = f32x4.add(f32x4.mul(vq, vz), f32x4.splat(L3));
  const vlogm = f32x4.add(f32x4.add(vs, vs), f32x4.mul(f32x4.mul(vq, vz), vs));
  const vef = f32x4.convert_i32x4_s(ve);
  const vr = f32x4.add(f32x4.mul(vef, f32x4.splat(LN2_HI)), f32x4.add(f32x4.mul(vef, f32x4.splat(LN2_LO)), vlogm));
  // +Inf and NaN: x itself (x < +Inf is false exactly for those)
  return v128.bitselect(vr, x, f32x4.lt(x, f32x4.splat(Infinity)));
}

/** Natural log, the scalar twin of log4. */
// @ts-ignore: decorator
@inline export function log1(x: f32): f32 {
  const bits = reinterpret<i32>(x) - 0x3f3504f3;
  const e = bits >> 23;
  const m = reinterpret<f32>(reinterpret<i32>(x) - (e << 23));
  const f = m - 1.0;
  const s = f / (f + 2.0);
  const z = s * s;
  let q: f32 = L9 * z + L7;
  q = q * z + L5;
  q = q * z + L3;
  const logm = (s + s) + (q * z) * s;
  const ef = <f32>e;
  const r = ef * LN2_HI + (ef * LN2_LO + logm);
  return x < Infinity ? r : x;
}

/** log(1 + x) per lane for x >= 0 (x = +Inf gives +Inf, NaN gives NaN). */
// @ts-ignore: decorator
@inline export function log1p4(x: v128): v128 {
  const vu = f32x4.add(x, f32x4.splat(1.0));
  const vl = log4(vu);
  const vc = f32x4.mul(vl, f32x4.div(x, f32x4.sub(vu, f32x4.splat(1.0))));
  // u == 1: log1p(x) = x to within x²/2; x >= 2^24: u − 1 may differ from x, and log(u) is already
  // within half an ulp of log(1 + x); this also covers +Inf (Inf/Inf would be NaN).
  const vsmall = f32x4.eq(vu, f32x4.splat(1.0));
  const vbig = f32x4.ge(x, f32x4.splat(TWO24));
  return v128.bitselect(x, v128.bitselect(vl, vc, vbig), vsmall);
}

/** log(1 + x), the scalar twin of log1p4. */
// @ts-ignore: decorator
@inline export function log1p1(x: f32): f32 {
  const u = x + 1.0;
  const l = log1(u);
  const c = l * (x / (u - 1.0));
  return u == 1.0 ? x : x >= TWO24 ? l : c;
}
