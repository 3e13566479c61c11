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

export type Kernels = CoreKernels & Blas1Kernels;

/** Names of every exported kernel function (not memory), kept in step with the interfaces above. */
export const KERNEL_NAMES = [
  'alloc', 'free',
  'f32_axpy',
] as const satisfies readonly (keyof Kernels)[];
