// THE kernel registry: allocation plus one `export … from` line per kernel file.
export { alloc, free } from "./memory";
export { f32_axpy } from "./kernels/blas1";
export { f32_gemm_nn, f32_gemm_nt, f32_gemm_tn, f32_gemm_tt } from "./kernels/gemm";
export { bench_simd_peak } from "./kernels/peak";
