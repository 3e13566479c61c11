// A probe of this machine's WebAssembly SIMD arithmetic peak, the yardstick of the GEMM bench.

/**
 * Runs `iters` steps of 12 independent chains acc_i = acc_i·m + a (one f32x4.mul and one f32x4.add
 * each): exactly 12·4·2 = 96 flops per step, as bench/benchmark.js counts. Returns the sum of all lanes
 * of all accumulators so nothing can be optimised away. The chains converge to a/(1−m) = 1 (no
 * overflow, no denormals). The scalar build does the same arithmetic on one lane per chain.
 */
export function bench_simd_peak(iters: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(0.999), va = f32x4.splat(0.001);
    let v0 = f32x4.splat(0.01), v1 = f32x4.splat(0.02), v2 = f32x4.splat(0.03), v3 = f32x4.splat(0.04);
    let v4 = f32x4.splat(0.05), v5 = f32x4.splat(0.06), v6 = f32x4.splat(0.07), v7 = f32x4.splat(0.08);
    let v8 = f32x4.splat(0.09), v9 = f32x4.splat(0.10), v10 = f32x4.splat(0.11), v11 = f32x4.splat(0.12);
    for (let i = 0; i < iters; i++) {
      v0 = f32x4.add(f32x4.mul(v0, vm), va);
      v1 = f32x4.add(f32x4.mul(v1, vm), va);
      v2 = f32x4.add(f32x4.mul(v2, vm), va);
      v3 = f32x4.add(f32x4.mul(v3, vm), va);
      v4 = f32x4.add(f32x4.mul(v4, vm), va);
      v5 = f32x4.add(f32x4.mul(v5, vm), va);
      v6 = f32x4.add(f32x4.mul(v6, vm), va);
      v7 = f32x4.add(f32x4.mul(v7, vm), va);
      v8 = f32x4.add(f32x4.mul(v8, vm), va);
      v9 = f32x4.add(f32x4.mul(v9, vm), va);
      v10 = f32x4.add(f32x4.mul(v10, vm), va);
      v11 = f32x4.add(f32x4.mul(v11, vm), va);
    }
    const s = f32x4.add(
      f32x4.add(f32x4.add(f32x4.add(v0, v1), f32x4.add(v2, v3)), f32x4.add(f32x4.add(v4, v5), f32x4.add(v6, v7))),
      f32x4.add(f32x4.add(v8, v9), f32x4.add(v10, v11)),
    );
    return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  } else {
    const m: f32 = 0.999, a: f32 = 0.001;
    let s0: f32 = 0.01, s1: f32 = 0.02, s2: f32 = 0.03, s3: f32 = 0.04, s4: f32 = 0.05, s5: f32 = 0.06;
    let s6: f32 = 0.07, s7: f32 = 0.08, s8: f32 = 0.09, s9: f32 = 0.10, s10: f32 = 0.11, s11: f32 = 0.12;
    for (let i = 0; i < iters; i++) {
      s0 = s0 * m + a; s1 = s1 * m + a; s2 = s2 * m + a; s3 = s3 * m + a; s4 = s4 * m + a; s5 = s5 * m + a;
      s6 = s6 * m + a; s7 = s7 * m + a; s8 = s8 * m + a; s9 = s9 * m + a; s10 = s10 * m + a; s11 = s11 * m + a;
    }
    return 4 * (s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
  }
}
