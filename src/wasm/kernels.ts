// The exported functions of the WASM core as TypeScript sees them. The signatures are not written by
// hand: scripts/kernel-types.js derives them from asc's declarations of the registry, assembly/index.ts
// (kernels.gen.ts, written by `npm run asbuild`). tests/kernels/exports.test.ts compares every name and
// argument count with the compiled modules. Only numbers cross the boundary (BLAS argument order:
// sizes, scalars, inputs, outputs).
import { KERNEL_ARITY, type Kernels } from './kernels.gen.js';

export { KERNEL_ARITY, type Kernels };

/**
 * The threads build's start function, exported under this name (asc --exportStart) so that only the
 * calling thread's instance runs it: a worker running it would re-initialise the shared heap.
 */
export const THREADS_START = '_initialize';

/** Names of every exported kernel function (not memory). */
export const KERNEL_NAMES = Object.keys(KERNEL_ARITY) as readonly (keyof typeof KERNEL_ARITY)[];

/** The activation kernels (assembly/kernels/act.ts): f32_<op>_fwd(n, p0, p1, p2, a, post, deriv). */
export type ActKernelName = Extract<keyof Kernels, `f32_${string}_fwd`>;
export type ActKernels = Pick<Kernels, ActKernelName>;

/** The inverse-step kernels (assembly/kernels/inverse.ts): f32_inverse_step_<op>(n, slope, a, h, d, q). */
export type InverseKernels = Pick<Kernels, Extract<keyof Kernels, `f32_inverse_step_${string}`>>;
