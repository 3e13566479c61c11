// THE kernel registry: allocation plus one `export … from` line per kernel file.
export { alloc, free } from "./memory";
export { f32_axpy } from "./kernels/blas1";
export { f32_sgd_step, f32_adam_step } from "./kernels/optim";
