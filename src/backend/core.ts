// What every kernel family of the Backend shares: the raw kernels (with load({ threads }), the object
// whose large kernels run on the pool), the heap that owns WASM memory, and whether the complete
// (debug) checks run.
import type { Kernels } from '../wasm/kernels.js';
import { Heap } from '../core/heap.js';
import { threadsOf } from '../wasm/threads.js';

export interface BackendOptions {
  /**
   * Complete checks: also memory overlaps seen through views (Tensor.head, row, matrix), where the
   * default checks compare tensors and addresses only. load({ build: 'debug' }) turns it on.
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

  /** Threads the large kernels run on (load's `threads`, 1 where memory cannot be shared). */
  get threads(): number {
    return threadsOf(this.kernels);
  }
}

/** A class whose instances are a BackendCore: what each kernel family's mixin extends. */
export type Ctor<T = BackendCore> = abstract new (...args: any[]) => T;
