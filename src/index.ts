// bioprop's public surface: re-exports only.
import { loadKernels, type LoadOptions } from './wasm/load.js';
import { Backend } from './ops.js';

export { Backend } from './ops.js';
export { Heap, type Shape } from './heap.js';
export { Tensor } from './tensor.js';
export { ACTIVATIONS, ACT_NAMES, type ActName, type ActParams, type ActivationSpec } from './activations.js';
export { loadKernels, hasSimd, type Build, type LoadOptions } from './wasm/load.js';
export type { Kernels } from './wasm/kernels.js';
export * from './data/index.js';

/** Instantiates the WASM core (once per build) and returns the shape-checked kernel API over it. */
export async function load(opts: LoadOptions = {}): Promise<Backend> {
  return new Backend(await loadKernels(opts));
}
export { WasmRng } from './wasm-rng.js';
export { IntBuffer, type IntKind, type IntArray } from './intbuf.js';
export type { LifParams, LifBuffers } from './ops.js';
