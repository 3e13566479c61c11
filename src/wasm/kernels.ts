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
}

/** Batch assembly (assembly/kernels/gather.ts): idx is i32[count], labels u8[*]. */
export interface GatherKernels {
  f32_gather_rows(count: number, cols: number, src: number, idx: number, out: number): void;
  f32_onehot(count: number, classes: number, labels: number, idx: number, out: number): void;
}

export type Kernels = CoreKernels & Blas1Kernels & RngKernels & SpikeKernels & GatherKernels;

/** Names of every exported kernel function (not memory), kept in step with the interfaces above. */
export const KERNEL_NAMES = [
  'alloc', 'free',
  'f32_axpy',
  'rng_seed', 'rng_next_u32', 'f32_uniform', 'f32_normal', 'f32_bernoulli',
  'f32_lif_step', 'f32_trace_step',
  'f32_gather_rows', 'f32_onehot',
] as const satisfies readonly (keyof Kernels)[];
