// THE kernel registry: allocation plus one `export … from` line per kernel file.
export { alloc, free } from "./memory";
export { f32_axpy } from "./kernels/blas1";
export { rng_seed, rng_next_u32, f32_uniform, f32_normal, f32_bernoulli } from "./kernels/rng";
export { f32_lif_step } from "./kernels/lif";
export { f32_trace_step } from "./kernels/trace";
export { f32_gather_rows, f32_onehot } from "./kernels/gather";
