// The exported functions of the WASM core (assembly/index.ts), as TypeScript sees them.
// Only numbers cross the boundary: i32 sizes, f32 scalars, usize pointers (BLAS argument order:
// sizes, scalars, inputs, outputs). tests/kernels/exports.test.ts checks this list against the
// module's real exports, so a kernel cannot be registered on one side only.

/** Allocation: the only functions of the module that allocate. */
export interface CoreKernels {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
}

/** Level-1 kernels (assembly/kernels/blas1.ts). */
export interface Blas1Kernels {
  f32_axpy(n: number, alpha: number, x: number, y: number): void;
  f32_scal(n: number, alpha: number, x: number): void;
  f32_copy(n: number, x: number, y: number): void;
  f32_fill(n: number, value: number, x: number): void;
  f32_dot(n: number, x: number, y: number): number;
  f32_axpby(n: number, alpha: number, x: number, beta: number, y: number): void;
  f32_sum_rows(m: number, n: number, alpha: number, beta: number, x: number, out: number): void;
  f32_add_row(m: number, n: number, bias: number, x: number): void;
  f32_ger(m: number, n: number, alpha: number, x: number, y: number, a: number): void;
  f32_sumsq(n: number, x: number): number;
  f32_nonfinite(n: number, x: number): number;
}

/**
 * Random numbers (assembly/kernels/rng.ts): xoshiro128** with its 4 x u32 state at `state` (16 bytes),
 * the same stream as src/rng.ts. rng_next_u32 returns the u32 as JavaScript sees a wasm i32 (signed):
 * use `>>> 0`.
 */
export interface RngKernels {
  rng_seed(seed: number, state: number): void;
  rng_next_u32(state: number): number;
  f32_uniform(n: number, lo: number, hi: number, state: number, out: number): void;
  f32_normal(n: number, mean: number, std: number, state: number, out: number): void;
  f32_bernoulli(n: number, scale: number, p: number, state: number, out: number): void;
}

/** Spiking neurons and traces (assembly/kernels/lif.ts, trace.ts). f32_lif_step returns the spike count. */
export interface SpikeKernels {
  f32_lif_step(
    n: number, decay: number, vTh: number, vReset: number, resetMode: number, refSteps: number, surrogateK: number,
    input: number, v: number, refrac: number, spikes: number, deriv: number,
  ): number;
  f32_trace_step(n: number, lambda: number, s: number, x: number): void;
  /** f32_lif_step with the triangle surrogate max(0, 1 - k|v - vTh|). */
  f32_lif_step_triangle(
    n: number, decay: number, vTh: number, vReset: number, resetMode: number, refSteps: number, surrogateK: number,
    input: number, v: number, refrac: number, spikes: number, deriv: number,
  ): number;
  /** f32_lif_step with the exponential surrogate exp(-k|v - vTh|). */
  f32_lif_step_exp(
    n: number, decay: number, vTh: number, vReset: number, resetMode: number, refSteps: number, surrogateK: number,
    input: number, v: number, refrac: number, spikes: number, deriv: number,
  ): number;
  /** Adaptive LIF: threshold vTh + beta·adapt, adapt = rho·adapt + spike; surrogate 0 super, 1 triangle, 2 exp. */
  f32_alif_step(
    n: number, decay: number, vTh: number, vReset: number, resetMode: number, refSteps: number, surrogateK: number,
    rho: number, beta: number, surrogate: number,
    input: number, v: number, refrac: number, adapt: number, spikes: number, deriv: number,
  ): number;
}

/** Event-driven propagation (assembly/kernels/event.ts): C = S·B skipping zero S entries, bit-identical to f32_gemm_nn. */
export interface EventKernels {
  f32_event_nn(m: number, n: number, k: number, s: number, b: number, tmp: number, c: number): number;
  f32_transpose(m: number, n: number, a: number, out: number): void;
}

/** Batch assembly (assembly/kernels/gather.ts): idx is i32[count], labels u8[*]. */
export interface GatherKernels {
  f32_gather_rows(count: number, cols: number, src: number, idx: number, out: number): void;
  f32_onehot(count: number, classes: number, labels: number, idx: number, out: number): void;
}

/** Element-wise kernels (assembly/kernels/elementwise.ts). */
export interface ElementwiseKernels {
  f32_add(n: number, x: number, y: number, z: number): void;
  f32_sub(n: number, x: number, y: number, z: number): void;
  f32_mul(n: number, x: number, y: number, z: number): void;
  f32_clip(n: number, lo: number, hi: number, x: number, y: number): void;
  f32_sign_scale(n: number, s: number, x: number, y: number): void;
  f32_scale_add(n: number, alpha: number, x: number, beta: number, y: number, z: number): void;
}

/** The one signature every activation kernel has: post = f(a), deriv = f'(a) unless deriv == 0. */
export type ActKernel = (n: number, p0: number, p1: number, p2: number, a: number, post: number, deriv: number) => void;

/** Activation kernels (assembly/kernels/act.ts); registry with defaults in src/activations.ts. */
export interface ActKernels {
  f32_linear_fwd: ActKernel;
  f32_sigmoid_fwd: ActKernel;
  f32_tanh_fwd: ActKernel;
  f32_relu_fwd: ActKernel;
  f32_leaky_relu_fwd: ActKernel;
  f32_hard_sigmoid_fwd: ActKernel;
  f32_softplus_fwd: ActKernel;
  f32_softlif_fwd: ActKernel;
}

/** Spike nonlinearities with surrogate derivatives (p0 = k, p1 = vTh), not in the rate registry. */
export interface SpikeActKernels {
  f32_spike_super_fwd: ActKernel;
  f32_spike_triangle_fwd: ActKernel;
  f32_spike_exp_fwd: ActKernel;
}

/** The one signature every inverse-step kernel has: q = f⁻¹(h + d) − a (slope: leaky ReLU only). */
export type InverseKernel = (n: number, slope: number, a: number, h: number, d: number, q: number) => void;

/** Inverse steps of the invertible activations (assembly/kernels/inverse.ts); q may alias a, h, d. */
export interface InverseKernels {
  f32_inverse_step_linear: InverseKernel;
  f32_inverse_step_tanh: InverseKernel;
  f32_inverse_step_leaky_relu: InverseKernel;
}

/** Losses and row-wise classification helpers (assembly/kernels/loss.ts). */
export interface LossKernels {
  f32_softmax_xent(m: number, n: number, logits: number, target: number, probs: number, grad: number): number;
  f32_mse(m: number, n: number, y: number, target: number, grad: number): number;
  f32_argmax_rows(m: number, n: number, x: number, out: number): void;
  f32_count_correct(m: number, n: number, x: number, target: number): number;
}

/** Optimiser steps (assembly/kernels/optim.ts). */
export interface OptimKernels {
  f32_sgd_step(n: number, lr: number, momentum: number, wd: number, grad: number, vel: number, w: number): void;
  f32_adam_step(
    n: number, lr: number, b1: number, b2: number, eps: number, wd: number, bc1: number, bc2: number,
    grad: number, m: number, v: number, w: number,
  ): void;
}

/** Settling (assembly/kernels/settle.ts): s ← clamp((1−ε)s + εx, lo, hi), returns max |Δs|. */
export interface SettleKernels {
  f32_settle_step(n: number, eps: number, oneMinusEps: number, lo: number, hi: number, x: number, s: number): number;
}

export type Kernels = SettleKernels & GemmKernels & OptimKernels & CoreKernels & Blas1Kernels & ElementwiseKernels & ActKernels & LossKernels & RngKernels & SpikeKernels & GatherKernels & EventKernels & SpikeActKernels & InverseKernels;

/**
 * GEMM (assembly/kernels/gemm.ts): C[m×n] = alpha·op(A)·op(B) + beta·C, row-major, contiguous.
 * _nn: A [m×k], B [k×n]; _nt: B stored [n×k]; _tn: A stored [k×m]; _tt: both. C must not alias A or B;
 * beta = 0 never reads C.
 */
export interface GemmKernels {
  f32_gemm_nn(m: number, n: number, k: number, alpha: number, beta: number, a: number, b: number, c: number): void;
  f32_gemm_nt(m: number, n: number, k: number, alpha: number, beta: number, a: number, b: number, c: number): void;
  f32_gemm_tn(m: number, n: number, k: number, alpha: number, beta: number, a: number, b: number, c: number): void;
  f32_gemm_tt(m: number, n: number, k: number, alpha: number, beta: number, a: number, b: number, c: number): void;
  /** The block C[i0:i1, j0:j1] of one GEMM (trans bit 0: A transposed, bit 1: B transposed), bit-identical to the whole call's. */
  f32_gemm_part(trans: number, m: number, n: number, k: number, alpha: number, beta: number, a: number, b: number, c: number, i0: number, i1: number, j0: number, j1: number): void;
  /** Bytes of one thread's packing scratch; gemm_set_scratch points this instance's scratch at such a block. */
  gemm_scratch_bytes(): number;
  gemm_set_scratch(ptr: number): void;
  /** Peak probe (assembly/kernels/peak.ts): iters × 12 f32x4 mul+add chains = 96 flops per iteration. */
  bench_simd_peak(iters: number): number;
}


/** Names of every exported kernel function (not memory), kept in step with the interfaces above. */
export const KERNEL_NAMES = [
  'alloc', 'free',
  'rng_seed', 'rng_next_u32', 'f32_uniform', 'f32_normal', 'f32_bernoulli',
  'f32_lif_step', 'f32_trace_step', 'f32_lif_step_triangle', 'f32_lif_step_exp', 'f32_alif_step',
  'f32_event_nn', 'f32_transpose', 'f32_spike_super_fwd', 'f32_spike_triangle_fwd', 'f32_spike_exp_fwd',
  'f32_gather_rows', 'f32_onehot',
  'f32_axpy', 'f32_scal', 'f32_copy', 'f32_fill', 'f32_dot', 'f32_axpby', 'f32_sum_rows', 'f32_add_row', 'f32_ger',
  'f32_sumsq', 'f32_nonfinite',
  'f32_add', 'f32_sub', 'f32_mul', 'f32_clip', 'f32_sign_scale', 'f32_scale_add',
  'f32_linear_fwd', 'f32_sigmoid_fwd', 'f32_tanh_fwd', 'f32_relu_fwd', 'f32_leaky_relu_fwd', 'f32_hard_sigmoid_fwd',
  'f32_softplus_fwd', 'f32_softlif_fwd',
  'f32_sgd_step', 'f32_adam_step',
  'f32_softmax_xent', 'f32_mse', 'f32_argmax_rows', 'f32_count_correct',
  'f32_gemm_nn', 'f32_gemm_nt', 'f32_gemm_tn', 'f32_gemm_tt', 'bench_simd_peak',
  'f32_gemm_part', 'gemm_scratch_bytes', 'gemm_set_scratch',
  'f32_settle_step',
  'f32_inverse_step_linear', 'f32_inverse_step_tanh', 'f32_inverse_step_leaky_relu',
] as const satisfies readonly (keyof Kernels)[];
