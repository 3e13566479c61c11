// A probe of this machine's WebAssembly SIMD arithmetic peak, the yardstick of the GEMM bench.
//
// Form: 12 accumulator chains, acc_i += x_i·m, where x_i is a v128 loaded from a 1 KiB static buffer
// (L1-resident), i.e. the mul is off the dependency chain exactly as in a GEMM micro-kernel, and each
// chain carries one add per step. On the Intel Xeon (Sapphire Rapids class) this was tuned on, the
// alternative form acc_i = acc_i·m + a (mul and add both on the chain) is latency-bound: it measured
// 33.4 GFLOP/s against 37.0 for this form, so it under-reports the peak (and let the GEMM exceed
// "100 % of peak"). Measured alternatives (same run): 6 mul + 6 add chains ×2: 33.3;
// acc_i += acc_{i+1}·m: 35.7. This form is the highest, so fractions of it are the conservative ones.

const SRC: usize = heap.alloc(1024);
let srcReady = false;

/**
 * Runs `iters` steps of 12 independent accumulators acc_i += x_i·m (one f32x4.mul and one f32x4.add
 * each): exactly 12·4·2 = 96 flops per step, as bench/benchmark.js counts. Returns the sum of the lanes
 * of all accumulators so nothing can be optimised away. Values stay small and normal (x_i ≤ 0.255,
 * m = 0.999: acc grows by < 0.26 per step). The scalar build does the same work on one lane per chain.
 */
export function bench_simd_peak(iters: i32): f32 {
  if (!srcReady) {
    for (let j = 0; j < 256; j++) store<f32>(SRC + (<usize>j << 2), <f32>j * 0.001);
    srcReady = true;
  }
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(0.999);
    let v0 = f32x4.splat(0), v1 = f32x4.splat(0), v2 = f32x4.splat(0), v3 = f32x4.splat(0);
    let v4 = f32x4.splat(0), v5 = f32x4.splat(0), v6 = f32x4.splat(0), v7 = f32x4.splat(0);
    let v8 = f32x4.splat(0), v9 = f32x4.splat(0), v10 = f32x4.splat(0), v11 = f32x4.splat(0);
    for (let i = 0; i < iters; i++) {
      const p = SRC + ((<usize>i & 3) << 4); // 4 rotating 16-byte offsets: the loads cannot be hoisted
      v0 = f32x4.add(v0, f32x4.mul(v128.load(p, 0), vm));
      v1 = f32x4.add(v1, f32x4.mul(v128.load(p, 64), vm));
      v2 = f32x4.add(v2, f32x4.mul(v128.load(p, 128), vm));
      v3 = f32x4.add(v3, f32x4.mul(v128.load(p, 192), vm));
      v4 = f32x4.add(v4, f32x4.mul(v128.load(p, 256), vm));
      v5 = f32x4.add(v5, f32x4.mul(v128.load(p, 320), vm));
      v6 = f32x4.add(v6, f32x4.mul(v128.load(p, 384), vm));
      v7 = f32x4.add(v7, f32x4.mul(v128.load(p, 448), vm));
      v8 = f32x4.add(v8, f32x4.mul(v128.load(p, 512), vm));
      v9 = f32x4.add(v9, f32x4.mul(v128.load(p, 576), vm));
      v10 = f32x4.add(v10, f32x4.mul(v128.load(p, 640), vm));
      v11 = f32x4.add(v11, f32x4.mul(v128.load(p, 704), vm));
    }
    const s = f32x4.add(
      f32x4.add(f32x4.add(f32x4.add(v0, v1), f32x4.add(v2, v3)), f32x4.add(f32x4.add(v4, v5), f32x4.add(v6, v7))),
      f32x4.add(f32x4.add(v8, v9), f32x4.add(v10, v11)),
    );
    return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  } else {
    const m: f32 = 0.999;
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0, s4: f32 = 0, s5: f32 = 0;
    let s6: f32 = 0, s7: f32 = 0, s8: f32 = 0, s9: f32 = 0, s10: f32 = 0, s11: f32 = 0;
    for (let i = 0; i < iters; i++) {
      const p = SRC + ((<usize>i & 3) << 4);
      s0 += load<f32>(p, 0) * m; s1 += load<f32>(p, 64) * m; s2 += load<f32>(p, 128) * m;
      s3 += load<f32>(p, 192) * m; s4 += load<f32>(p, 256) * m; s5 += load<f32>(p, 320) * m;
      s6 += load<f32>(p, 384) * m; s7 += load<f32>(p, 448) * m; s8 += load<f32>(p, 512) * m;
      s9 += load<f32>(p, 576) * m; s10 += load<f32>(p, 640) * m; s11 += load<f32>(p, 704) * m;
    }
    return 4 * (s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
  }
}
