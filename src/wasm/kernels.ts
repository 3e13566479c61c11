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
}

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
  /** Peak probe (assembly/kernels/peak.ts): iters × 12 f32x4 mul+add chains = 96 flops per iteration. */
  bench_simd_peak(iters: number): number;
}

export type Kernels = CoreKernels & Blas1Kernels & GemmKernels;

/** Names of every exported kernel function (not memory), kept in step with the interfaces above. */
export const KERNEL_NAMES = [
  'alloc', 'free',
  'f32_axpy',
  'f32_gemm_nn', 'f32_gemm_nt', 'f32_gemm_tn', 'f32_gemm_tt', 'bench_simd_peak',
] as const satisfies readonly (keyof Kernels)[];
