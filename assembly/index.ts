// THE kernel registry: allocation plus one `export … from` line per kernel file.
export { alloc, free } from "./memory";
export { rng_seed, rng_next_u32, f32_uniform, f32_normal, f32_bernoulli } from "./kernels/rng";
export { f32_poisson_rows } from "./kernels/encode";
export { f32_lif_step, f32_lif_step_triangle, f32_lif_step_exp, f32_alif_step } from "./kernels/lif";
export { f32_event_nn, f32_event_list_nn, f32_event_tn, f32_transpose } from "./kernels/event";
export { f32_lif_layer_step, f32_readout_step } from "./kernels/layer";
export { f32_trace_step } from "./kernels/trace";
export { f32_lif_adjoint_step } from "./kernels/bptt";
export { f32_gather_rows, f32_onehot } from "./kernels/gather";
export { f32_axpy, f32_scal, f32_copy, f32_fill, f32_dot, f32_axpby, f32_sum_rows, f32_add_row, f32_sumsq, f32_nonfinite } from "./kernels/blas1";
export { f32_add, f32_sub, f32_mul, f32_clip, f32_sign_scale, f32_scale_add } from "./kernels/elementwise";
export { f32_linear_fwd, f32_sigmoid_fwd, f32_tanh_fwd, f32_relu_fwd, f32_leaky_relu_fwd, f32_hard_sigmoid_fwd, f32_softplus_fwd, f32_softlif_fwd } from "./kernels/act";
export { f32_softmax_xent, f32_mse, f32_count_correct } from "./kernels/loss";
export { f32_sgd_step, f32_adam_step } from "./kernels/optim";
export { f32_gemm_nn, f32_gemm_nt, f32_gemm_tn, f32_gemm_tt, f32_gemm_part, gemm_scratch_bytes, gemm_set_scratch } from "./kernels/gemm";
export { f32_settle_step, f32_settle_diff_step } from "./kernels/settle";
export { f32_inverse_step_linear, f32_inverse_step_tanh, f32_inverse_step_leaky_relu } from "./kernels/inverse";
export { f32_im2col, f32_col2im, f32_maxpool, f32_maxpool_bwd, f32_avgpool, f32_avgpool_bwd, f32_repeat_cols } from "./kernels/conv";
