// What every kernel family of the Backend shares: the raw kernels, the heap that owns WASM memory,
// and whether the complete (debug) checks run.
import type { Kernels } from '../wasm/kernels.js';
import { Heap } from '../core/heap.js';

export interface BackendOptions {
  /**
   * Complete checks: also memory overlaps seen through row views (Tensor.head, Tensor.row), where the
   * release checks compare tensors and addresses only. Default: on for the debug build.
   */
  debug?: boolean;
}

export class BackendCore {
  readonly heap: Heap;
  readonly debug: boolean;

  constructor(readonly kernels: Kernels, opts: BackendOptions = {}) {
    this.heap = new Heap(kernels);
    this.debug = opts.debug ?? false;
  }
}

/** A class whose instances are a BackendCore: what each kernel family's mixin extends. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Ctor<T = BackendCore> = abstract new (...args: any[]) => T;
