// What every kernel family of the Backend shares: the raw kernels (with load({ threads }), the object
// whose large kernels run on the pool), the heap that owns WASM memory, and whether the complete
// (debug) checks run.
import type { Kernels } from '../wasm/kernels.js';
import { Heap } from '../core/heap.js';
import { poolOf, threadsOf } from '../wasm/threads.js';
import { SEQ_STAGES } from '../wasm/pool-jobs.js';

/** Row kernels one sequence holds at most (beginSequence). */
export const SEQUENCE_STAGES = SEQ_STAGES;

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

  /**
   * Starts a sequence of row kernels over `rows` rows on the pool (Pool.beginSequence): the row-split
   * calls until endSequence() are kept as the stages of one job, each thread running all of them on its
   * own rows (streamed: the workers start on each stage as it is kept), and return 0 in place of their
   * counts. `work` (about rows × the elements the stages update) decides, as for one call, whether
   * splitting pays. False (nothing is recorded: the calls run as they come) on one thread, and with the
   * debug build, whose checks read the data the kept calls have not yet written.
   */
  beginSequence(rows: number, work: number): boolean {
    const pool = this.debug ? undefined : poolOf(this.kernels);
    if (pool === undefined) return false;
    pool.beginSequence(rows, work);
    return true;
  }

  /** Ends a sequence being recorded, if any, after an error in the code recording it. */
  abortSequence(): void {
    poolOf(this.kernels)?.abortSequence();
  }

  /** Calls kept since beginSequence(). */
  sequenceStages(): number {
    return poolOf(this.kernels)!.sequenceStages;
  }

  /** How many more calls the sequence being recorded can take (at most SEQUENCE_STAGES in all). */
  sequenceRoom(): number {
    return poolOf(this.kernels)!.sequenceRoom;
  }

  /** Runs the calls kept since beginSequence() (in order on each row); counts[s] = call s's count. Returns the number of calls. */
  endSequence(counts: Float64Array): number {
    return poolOf(this.kernels)!.endSequence(counts);
  }
}

/** A class whose instances are a BackendCore: what each kernel family's mixin extends. */
export type Ctor<T = BackendCore> = abstract new (...args: any[]) => T;
