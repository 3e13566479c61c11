// The bench build: every kernel of the release build plus the SIMD peak probe, which only the
// benchmarks use (bench/benchmark.js reports GEMM as a fraction of it).
export * from "./index";
export { bench_simd_peak } from "./kernels/peak";
