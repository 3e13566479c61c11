// A pool of threads over one shared WebAssembly.Memory. Every thread has its own instance of the
// 'threads' build (own globals, own GEMM scratch) over the same memory; the calling thread owns the
// allocator and every pointer, the workers only run kernels on pointers it hands them.
//
// One call = one job in a shared control block (pool-jobs.ts): the caller writes the arguments, cuts the
// output into chunks, bumps GEN and notifies; every thread, the caller included, claims chunks until
// none is left; the caller then waits for the chunks still running elsewhere. No message and no
// allocation per call. A thread the system does not run at the moment (cores oversubscribed) simply
// claims nothing, so it never holds the job up by more than the one chunk it may be running.
// A chunk that throws is recorded in the block and still counted done; a worker that dies is reported
// by its keeper thread (pool-keeper.ts, Node) the same way; the caller then shuts the pool down and throws.
import type { Kernels } from './kernels.js';
import {
  CTL, OP_GEMM, OP_EVENT, OP_MAP, OP_ROWS, OP_SEQ, SEQ_STAGES, SEQ_HEAD_BYTE, SEQ_ARGS_BYTE, ROWWISE, ROWWISE_NAMES, ELEMENTWISE_COST, MAX_CHUNKS, ARGS64_BYTE, MAX_ARGS, MSG_BYTE, MSG_CAP, CONTROL_BYTES, ELEMENTWISE_NAMES, CALLER_SPIN_MS, CHUNKS_PER_THREAD,
  JobView, gemmChunk, recordFailure, type WorkerInit, type WorkerReply, type ChunkKernels,
} from './pool-jobs.js';

export { ELEMENTWISE, ELEMENTWISE_NAMES, ELEMENTWISE_COST, ROWWISE, ROWWISE_NAMES, gemmChunk } from './pool-jobs.js';

/** Most threads a pool takes. */
export const MAX_THREADS = 64;

/**
 * Split calls of one kind that must lose time in a row (the calling thread's own chunks plus its wait
 * for the others took longer than all chunks at its own pace would have) before the pool runs that kind
 * on the calling thread alone for BACKOFF_CALLS calls, then tries splitting again. This is what happens
 * when the cores are busy with other processes: a worker that the system does not run holds up the
 * chunk it claimed. Where each call runs changes only the time, never the bits.
 */
export const LOSSES_BEFORE_BACKOFF = 8;
export const BACKOFF_CALLS = 256;

/**
 * How long (ms) a woken worker may take to join a split call before its absence counts against splitting:
 * long enough that a worker on an idle core, woken from Atomics.wait, would have joined.
 */
export const WORKER_WAKE_MS = 0.5;

/**
 * What a split call says about splitting its kind: the calling thread ran `mine` of the `chunks` chunks
 * between t0 and t1 and saw the call end at t2. 'lost' when all chunks at the caller's own pace would
 * have been quicker, or when the caller ran every chunk over at least WORKER_WAKE_MS (no worker came: the
 * system is not running them); 'gained' otherwise. null for a call shorter than that which the caller
 * ran alone: a worker asleep after a pause (as it is while its kind backs off) wakes too late for it, and
 * counting such calls as losses kept short kinds of call unsplit on an idle machine.
 */
export function lostTime(t0: number, t1: number, t2: number, mine: number, chunks: number): 'lost' | 'gained' | null {
  if (mine >= chunks) return t1 - t0 >= WORKER_WAKE_MS ? 'lost' : null;
  return mine > 0 && t2 - t0 > ((t1 - t0) / mine) * chunks ? 'lost' : 'gained';
}

/** The smallest m·n·k a GEMM must have to be split (below it the calling thread does it alone). */
export const GEMM_MIN_WORK = 1 << 20;
/** The same for the event-driven propagation (m·n·k of the dense product it stands for). */
export const EVENT_MIN_WORK = 1 << 21;
/**
 * The smallest n · ELEMENTWISE_COST an elementwise kernel must have to be split. Below it a call does a
 * few microseconds of work, no more than the split's own cost, and its wait for a worker is one more point
 * where a worker the system is not running holds the call up: a ReLU or a product over a batch of 100 x 256
 * stays on the calling thread, a LIF step or an optimizer step over as many elements is split.
 */
export const MAP_MIN_WORK = 1 << 16;
/** The same for a row-split kernel: rows times the elements of a row (ROWWISE's work). */
export const ROW_MIN_WORK = 1 << 14;

/** Every chunk of C as [i0, i1, j0, j1] when cut in `parts` (for tests and tools; the pool computes them in place). */
export function splitGemm(m: number, n: number, parts: number): [number, number, number, number][] {
  const chunk = gemmChunk(m, n, parts), len = n >= m ? n : m;
  const out: [number, number, number, number][] = [];
  for (let t = 0; t < parts; t++) {
    const lo = Math.min(len, t * chunk), hi = Math.min(len, (t + 1) * chunk);
    out.push(n >= m ? [0, m, lo, hi] : [lo, hi, 0, n]);
  }
  return out;
}

/** A started worker, whatever the platform (worker_threads in Node, Web Workers in browsers). */
interface Thread {
  terminate(): unknown;
  postMessage?(message: unknown): void;
}

export interface PoolOptions {
  /** Threads including the calling one (>= 2). */
  threads: number;
  /** GEMMs with m·n·k below this run on the calling thread (default GEMM_MIN_WORK). */
  gemmMinWork?: number;
  /** Likewise the event-driven propagation (default EVENT_MIN_WORK) and elementwise kernels' n · cost (MAP_MIN_WORK). */
  eventMinWork?: number;
  mapMinWork?: number;
  /** Likewise row-split kernels' rows · row elements (default ROW_MIN_WORK). */
  rowMinWork?: number;
  /** Chunks per thread a split job is cut into (default CHUNKS_PER_THREAD). */
  chunksPerThread?: number;
  /** Called once when the pool shuts down (closed, or a thread failed). */
  onClose?: () => void;
}

/** Slots of the per-kind loss counters: the GEMM, the event propagation, the ELEMENTWISE and ROWWISE kernels, then sequences of ROWWISE kernels. */
const SLOT_GEMM = 0, SLOT_EVENT = 1, SLOT_MAP = 2, SLOT_ROWS = SLOT_MAP + ELEMENTWISE_NAMES.length, SLOT_SEQ = SLOT_ROWS + ROWWISE_NAMES.length, SLOTS = SLOT_SEQ + 1;
/** Each ELEMENTWISE kernel's cost per element, by index. */
const MAP_COSTS = ELEMENTWISE_NAMES.map((name) => ELEMENTWISE_COST[name] ?? 1);
/** The kind of call each slot counts (PoolStats.kinds). */
export const SLOT_NAMES: readonly string[] = ['gemm', 'event_nn', ...ELEMENTWISE_NAMES, ...ROWWISE_NAMES, 'sequence'];

/**
 * Where the pool's calls went, per kind of call (indexed as SLOT_NAMES): calls split, run on the calling
 * thread because they were below the size threshold (or a single chunk), run there because their kind
 * was backing off, and the work of all calls (the size the threshold compares). Counts, not times: they
 * do not change with the machine's load unless the back-off does. Kept only while Pool.stats is set.
 */
export class PoolStats {
  readonly split = new Float64Array(SLOTS);
  readonly small = new Float64Array(SLOTS);
  readonly backedOff = new Float64Array(SLOTS);
  readonly work = new Float64Array(SLOTS);
  /** Split calls whose chunks the calling thread ran all of itself (no worker came in time). */
  readonly callerAlone = new Float64Array(SLOTS);
  /** Split calls that had to wake a sleeping worker (Atomics.wait) rather than find it polling. */
  readonly woke = new Float64Array(SLOTS);
  readonly kinds = SLOT_NAMES;
}

export class Pool {
  readonly threads: number;
  gemmMinWork: number;
  eventMinWork: number;
  mapMinWork: number;
  rowMinWork: number;
  chunksPerThread: number;
  private readonly ctl: Int32Array;
  private readonly f32: Float32Array;
  private readonly f64: Float64Array;
  private readonly msg: Uint8Array;
  private readonly seqHead: Int32Array;
  private readonly seqArgs: Float64Array;
  /** Stages recorded since beginSequence() (-1: not recording), and the rows they all cover. */
  private seqStages = -1;
  private seqRows = 0;
  private seqStreamed = false;
  /** One stage's arguments, copied out of the block (no allocation per sequence). */
  private readonly seqCall = new Array<number>(MAX_ARGS).fill(0);
  private readonly job: JobView;
  private gen = 0;
  private workers: Thread[] = [];
  private closedBecause: string | null = null;
  private readonly raw: Kernels;
  private readonly onClose: (() => void) | undefined;
  /** Per kind of call (SLOT_*): split calls lost in a row, and calls left to run unsplit. */
  private readonly losses = new Int32Array(SLOTS);
  private readonly backoff = new Int32Array(SLOTS);
  /** Split calls run on the calling thread alone because splitting lost time (see LOSSES_BEFORE_BACKOFF). */
  unsplitCalls = 0;
  /** Calls split over the pool, the chunks they were cut into, and how many of those the calling thread
   *  ran itself (benchmarks: how much of a run reaches the pool, and whether the workers take their share). */
  jobs = 0;
  jobChunks = 0;
  callerChunks = 0;
  /** Split calls whose calling thread had to sleep (Atomics.wait) for the workers' last chunks. */
  callerWaits = 0;
  /** Set to count every call by kind and by where it ran (benchmarks); null (the default) counts nothing. */
  stats: PoolStats | null = null;
  /** Set false to split every call above the size thresholds whatever it costs (tests, benchmarks). */
  adaptive = true;
  /** The clock (ms) that decides whether a split call lost time; replaceable for tests. */
  clock: () => number = () => performance.now();

  private constructor(raw: Kernels, control: SharedArrayBuffer, opts: PoolOptions) {
    this.raw = raw;
    this.threads = opts.threads;
    this.gemmMinWork = opts.gemmMinWork ?? GEMM_MIN_WORK;
    this.eventMinWork = opts.eventMinWork ?? EVENT_MIN_WORK;
    this.mapMinWork = opts.mapMinWork ?? MAP_MIN_WORK;
    this.rowMinWork = opts.rowMinWork ?? ROW_MIN_WORK;
    this.chunksPerThread = opts.chunksPerThread ?? CHUNKS_PER_THREAD;
    this.onClose = opts.onClose;
    this.job = new JobView(control, raw as unknown as ChunkKernels, 0);
    this.ctl = this.job.ctl;
    this.f32 = new Float32Array(control, 0, this.ctl.length);
    this.f64 = new Float64Array(control, ARGS64_BYTE, MAX_ARGS);
    this.msg = new Uint8Array(control, MSG_BYTE, MSG_CAP);
    this.seqHead = new Int32Array(control, SEQ_HEAD_BYTE, 3 * SEQ_STAGES);
    this.seqArgs = new Float64Array(control, SEQ_ARGS_BYTE, MAX_ARGS * SEQ_STAGES);
  }

  /**
   * Starts threads - 1 workers on `module` over `memory` (the calling thread's instance `raw`, already
   * initialised, allocates their scratch) and resolves once all of them are ready.
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, raw: Kernels, opts: PoolOptions): Promise<Pool> {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const pool = new Pool(raw, control, opts);
    const scratchBytes = raw.gemm_scratch_bytes() >>> 0;
    const inits: WorkerInit[] = [];
    for (let index = 1; index < opts.threads; index++) inits.push({ module, memory, control, index, scratch: raw.alloc(scratchBytes) >>> 0 });
    try {
      pool.workers = await spawnAll(inits);
    } catch (e) {
      pool.close();
      throw new Error(`load: could not start the thread pool (threads = ${opts.threads}): ${(e as Error).message}`);
    }
    return pool;
  }

  /** True once close() ran (or a thread failed). */
  get closed(): boolean {
    return this.closedBecause !== null;
  }

  /**
   * C = α·op(A)·op(B) + β·C (trans bit 0: A transposed, bit 1: B transposed), split over the pool when
   * large enough, else run by the calling thread alone.
   */
  gemm(trans: number, m: number, n: number, k: number, alpha: number, beta: number, a: number, b: number, c: number): void {
    this.check('gemm');
    const raw = this.raw;
    const len = n >= m ? n : m, chunk = gemmChunk(m, n, this.parts());
    if (this.alone(SLOT_GEMM, m * n * k, m * n * k < this.gemmMinWork || chunk >= len)) { // small, a single chunk, or splitting loses
      if (trans === 0) raw.f32_gemm_nn(m, n, k, alpha, beta, a, b, c);
      else if (trans === 1) raw.f32_gemm_tn(m, n, k, alpha, beta, a, b, c);
      else if (trans === 2) raw.f32_gemm_nt(m, n, k, alpha, beta, a, b, c);
      else raw.f32_gemm_tt(m, n, k, alpha, beta, a, b, c);
      return;
    }
    const ctl = this.ctl, A = CTL.ARGS;
    ctl[CTL.OP] = OP_GEMM;
    ctl[A] = trans; ctl[A + 1] = m; ctl[A + 2] = n; ctl[A + 3] = k;
    ctl[A + 4] = a; ctl[A + 5] = b; ctl[A + 6] = c;
    this.f32[A + 7] = alpha; this.f32[A + 8] = beta;
    this.run('gemm', len, chunk, SLOT_GEMM);
  }

  /**
   * f32_event_nn split over the rows of C (each thread lists its rows' inputs in its own scratch); returns
   * the number of events, summed over the chunks.
   */
  eventNN(m: number, n: number, k: number, alpha: number, beta: number, s: number, b: number, c: number): number {
    this.check('event_nn');
    if (this.alone(SLOT_EVENT, m * n * k, m < 2 || m * n * k < this.eventMinWork)) return this.raw.f32_event_nn(m, n, k, alpha, beta, s, b, c);
    const ctl = this.ctl, A = CTL.ARGS;
    ctl[CTL.OP] = OP_EVENT;
    ctl[A] = m; ctl[A + 1] = n; ctl[A + 2] = k; ctl[A + 3] = s; ctl[A + 4] = b; ctl[A + 5] = c;
    this.f32[A + 6] = alpha; this.f32[A + 7] = beta;
    return this.run('event_nn', m, Math.ceil(m / this.parts()), SLOT_EVENT);
  }

  /**
   * An elementwise kernel of ELEMENTWISE (args as the kernel takes them, n first), split over n; returns
   * its count summed over the chunks.
   */
  map(index: number, args: ArrayLike<number>): number {
    const name = ELEMENTWISE_NAMES[index]!;
    this.check(name);
    const n = args[0]!, work = n * MAP_COSTS[index]!;
    if (this.alone(SLOT_MAP + index, work, work < this.mapMinWork)) return (this.raw as unknown as Record<string, (...a: number[]) => number>)[name]!.apply(null, args as number[]) | 0;
    const ctl = this.ctl, f64 = this.f64;
    ctl[CTL.OP] = OP_MAP;
    ctl[CTL.ARGS] = index;
    ctl[CTL.ARGS + 1] = args.length;
    for (let i = 0; i < args.length; i++) f64[i] = args[i]!;
    return this.run(name, n, Math.ceil(n / this.parts() / 4) * 4, SLOT_MAP + index);
  }

  /**
   * A row-split kernel of ROWWISE (args as the kernel takes them, rows first), split over its rows;
   * returns its count summed over the chunks.
   */
  rows(index: number, args: ArrayLike<number>): number {
    const name = ROWWISE_NAMES[index]!;
    if (this.seqStages >= 0) return this.record(index, args);
    this.check(name);
    const rows = args[0]!;
    const spec = ROWWISE[name]!, work = rows * spec.work(args as readonly number[]);
    if (this.alone(SLOT_ROWS + index, work, rows < 2 || work < this.rowMinWork || spec.seqOnly === true)) {
      return (this.raw as unknown as Record<string, (...a: number[]) => number>)[name]!.apply(null, args as number[]) | 0;
    }
    const ctl = this.ctl, f64 = this.f64;
    ctl[CTL.OP] = OP_ROWS;
    ctl[CTL.ARGS] = index;
    ctl[CTL.ARGS + 1] = args.length;
    for (let i = 0; i < args.length; i++) f64[i] = args[i]!;
    return this.run(name, rows, Math.ceil(rows / this.parts()), SLOT_ROWS + index);
  }

  /**
   * Starts recording a sequence over `rows` rows: until endSequence(), row kernels (rows()) are kept,
   * in order, as the stages of one job, and return 0 in place of their counts. Every stage must cover
   * the same rows, and row r of a stage may read only row r of the stages before it (and memory no stage
   * writes): then one thread can run all stages on its rows without waiting for the others. Unless
   * `work` is under the row threshold (or sequences are backing off), the job is posted now and each
   * stage is published as it is kept, so the workers run while the caller records; the caller joins at
   * endSequence(). Any other pool call while recording is an error; a caller that runs a kernel on its
   * own thread in between must end the sequence first, and one that fails while recording must call
   * abortSequence(). At most `sequenceRoom` stages.
   */
  beginSequence(rows: number, work: number): void {
    this.check('beginSequence');
    this.seqStages = 0;
    this.seqRows = rows;
    // Streamed: the job is posted now and the workers run each stage on their rows as soon as it is
    // recorded, so the recording (the caller's step loop) overlaps their work.
    this.seqStreamed = !this.alone(SLOT_SEQ, work, rows < 2 || work < this.rowMinWork);
    if (!this.seqStreamed) return;
    const ctl = this.ctl;
    ctl[CTL.OP] = OP_SEQ;
    Atomics.store(ctl, CTL.ARGS, 0);
    ctl[CTL.ARGS + 1] = rows;
    Atomics.store(ctl, CTL.ARGS + 2, 0);
    // One chunk per thread: a chunk pays the dispatch of every stage (hundreds in a window), which costs
    // more than finer chunks win back in balance.
    this.post(rows, Math.ceil(rows / Math.min(MAX_CHUNKS, this.threads)), SLOT_SEQ);
  }

  /** Stages recorded since beginSequence() (-1 when not recording). */
  get sequenceStages(): number {
    return this.seqStages;
  }

  /** Stages a sequence can still take (0 when not recording). */
  get sequenceRoom(): number {
    return this.seqStages < 0 ? 0 : SEQ_STAGES - this.seqStages;
  }

  /**
   * Runs the stages recorded since beginSequence() (streamed over the pool unless the rows are too few,
   * the work small or sequences are backing off, when the calling thread runs them in order now) and
   * writes each stage's count, summed over its rows, to counts[0 ..]; returns the number of stages.
   */
  endSequence(counts: Float64Array): number {
    const stages = this.seqStages;
    if (stages < 0) throw new Error('endSequence: no sequence is being recorded (beginSequence() first)');
    this.seqStages = -1;
    const head = this.seqHead;
    if (this.seqStreamed) {
      this.seqStreamed = false;
      Atomics.store(this.ctl, CTL.ARGS + 2, 1); // closed: no stage follows
      this.finish('sequence', SLOT_SEQ);
    } else {
      this.check('sequence');
      const fns = this.raw as unknown as Record<string, (...a: number[]) => number>;
      for (let s = 0; s < stages; s++) head[3 * s + 2] = fns[ROWWISE_NAMES[head[3 * s]!]!]!.apply(null, this.stage(s)) | 0;
    }
    if (counts.length < stages) throw new RangeError(`endSequence: counts has room for ${counts.length} stages, the sequence has ${stages}`);
    for (let s = 0; s < stages; s++) counts[s] = Atomics.load(head, 3 * s + 2);
    return stages;
  }

  /** Ends a sequence being recorded, if any, without reading its counts (after an error in the code recording it). */
  abortSequence(): void {
    if (this.seqStages < 0) return;
    this.endSequence(new Float64Array(this.seqStages));
  }

  /** Stage s's arguments (those past its own count are stale; its kernel ignores them). */
  private stage(s: number): number[] {
    const a = this.seqCall, n = this.seqHead[3 * s + 1]!, at = s * MAX_ARGS;
    for (let i = 0; i < n; i++) a[i] = this.seqArgs[at + i]!;
    return a;
  }

  /** Keeps a row kernel's call as the next stage of the sequence being recorded. */
  private record(index: number, args: ArrayLike<number>): number {
    const name = ROWWISE_NAMES[index]!, s = this.seqStages, rows = args[0]!;
    if (s >= SEQ_STAGES) throw new Error(`${name}: a sequence takes at most ${SEQ_STAGES} stages (check sequenceRoom before adding one)`);
    if (rows !== this.seqRows) throw new Error(`${name}: every stage of a sequence covers the same rows (${this.seqRows}), this one ${rows}`);
    if (args.length > MAX_ARGS) throw new Error(`${name}: more than ${MAX_ARGS} arguments`);
    this.seqHead[3 * s] = index;
    this.seqHead[3 * s + 1] = args.length;
    this.seqHead[3 * s + 2] = 0;
    const at = s * MAX_ARGS;
    for (let i = 0; i < args.length; i++) this.seqArgs[at + i] = args[i]!;
    this.seqStages = s + 1;
    if (this.seqStreamed) Atomics.store(this.ctl, CTL.ARGS, s + 1); // published: the stage's fields are written
    return 0;
  }

  /** Chunks a job is cut into (the GEMM's may come out fewer, in whole panels). */
  private parts(): number {
    return Math.min(MAX_CHUNKS, this.threads * this.chunksPerThread);
  }

  /**
   * True when a call of kind `slot` and size `work` runs on the calling thread alone: `small` (below its
   * threshold), or its kind is backing off. Counts the call when stats are kept.
   */
  private alone(slot: number, work: number, small: boolean): boolean {
    const st = this.stats;
    if (st !== null) st.work[slot]! += work;
    if (small) {
      if (st !== null) st.small[slot]!++;
      return true;
    }
    if (this.backingOff(slot)) {
      if (st !== null) st.backedOff[slot]!++;
      return true;
    }
    if (st !== null) st.split[slot]!++;
    return false;
  }

  /** True (and one call fewer to go) while calls of kind `slot` run unsplit after losing time split. */
  private backingOff(slot: number): boolean {
    if (this.backoff[slot] === 0 || !this.adaptive) return false;
    this.backoff[slot]!--;
    this.unsplitCalls++;
    return true;
  }

  private check(op: string): void {
    if (this.seqStages >= 0) throw new Error(`${op}: called while a sequence of row kernels is being recorded (only row kernels can join one; call endSequence() first)`);
    if (this.closedBecause === null && Atomics.load(this.ctl, CTL.FAIL) !== 0) this.failed(op);
    if (this.closedBecause !== null) throw new Error(`${op}: the thread pool is shut down (${this.closedBecause})`);
  }

  /**
   * Runs the job written in the control block, cut into chunks of `chunk` along [0, len): wakes the
   * workers, claims chunks alongside them, waits for the last ones; returns the chunks' counts summed.
   */
  private run(op: string, len: number, chunk: number, slot: number): number {
    this.post(len, chunk, slot);
    return this.finish(op, slot);
  }

  /** Posts the job written in the control block, cut into chunks of `chunk` along [0, len), and wakes the workers. */
  private post(len: number, chunk: number, slot: number): void {
    const ctl = this.ctl, chunks = Math.ceil(len / chunk);
    ctl[CTL.CHUNK] = chunk;
    ctl[CTL.CHUNKS] = chunks;
    Atomics.store(ctl, CTL.RESULT, 0);
    Atomics.store(ctl, CTL.DONE, 0);
    const gen = this.gen = (this.gen + 1) | 0;
    Atomics.store(ctl, CTL.TICKET, (gen & 0xffffff) << 8);
    Atomics.store(ctl, CTL.GEN, gen);
    const woke = Atomics.notify(ctl, CTL.GEN);
    if (woke > 0 && this.stats !== null) this.stats.woke[slot]!++;
  }

  /** Claims chunks of the posted job alongside the workers, waits for the last ones; returns the chunks' counts summed. */
  private finish(op: string, slot: number): number {
    const ctl = this.ctl, chunks = ctl[CTL.CHUNKS]!, gen = this.gen;
    const t0 = this.clock();
    const mine = this.job.drain(gen);
    this.jobs++; this.jobChunks += chunks; this.callerChunks += mine;
    const t1 = this.clock();
    let done = Atomics.load(ctl, CTL.DONE);
    if (done < chunks) { // poll (reading the clock now and then), then sleep
      const until = performance.now() + CALLER_SPIN_MS;
      for (let i = 1; done < chunks; i++) {
        if ((i & 63) === 0 && performance.now() > until) break;
        done = Atomics.load(ctl, CTL.DONE);
      }
    }
    if (done < chunks) this.callerWaits++;
    if (mine >= chunks && this.stats !== null) this.stats.callerAlone[slot]!++;
    while (done < chunks) {
      Atomics.wait(ctl, CTL.DONE, done);
      done = Atomics.load(ctl, CTL.DONE);
    }
    // Close the job's ticket before the next job's fields are written. A worker still in drain() may hold
    // this job's spent ticket and read the next job's larger CHUNKS before that job's ticket is stored:
    // its claim would then succeed on the stale ticket and run a chunk of the next job that is claimed
    // again once the new ticket is stored. A closed ticket (chunk 255) fails that claim.
    Atomics.store(ctl, CTL.TICKET, ((gen & 0xffffff) << 8) | 255);
    if (Atomics.load(ctl, CTL.FAIL) !== 0) this.failed(op);
    if (this.adaptive) {
      const said = lostTime(t0, t1, this.clock(), mine, chunks);
      if (said === 'gained') this.losses[slot] = 0;
      else if (said === 'lost' && ++this.losses[slot]! >= LOSSES_BEFORE_BACKOFF) { this.losses[slot] = 0; this.backoff[slot] = BACKOFF_CALLS; }
    }
    return Atomics.load(ctl, CTL.RESULT);
  }

  /** Shuts the pool down and throws the failure recorded in the control block. */
  private failed(op: string): never {
    const ctl = this.ctl, fail = Atomics.load(ctl, CTL.FAIL);
    const text = new TextDecoder().decode(this.msg.slice(0, Math.min(Atomics.load(ctl, CTL.MSG_LEN), MSG_CAP)));
    const why = `${fail === 1 ? 'the calling thread' : `worker thread ${fail - 1}`} failed: ${text}`;
    this.close(why);
    throw new Error(`${op}: ${why} (the thread pool is shut down)`);
  }

  /**
   * Stops worker `index` (1..threads-1) abruptly, as a crash would, without telling the pool: for tests
   * of what the calling thread then sees (an error naming the worker, never a hang).
   */
  kill(index: number): void {
    if (isNode) this.workers[0]?.postMessage?.({ kill: index });
    else if (this.workers[index - 1]) {
      void this.workers[index - 1]!.terminate();
      recordFailure(this.ctl.buffer as SharedArrayBuffer, index, 'it was terminated', true);
    }
  }

  /** Stops and terminates the workers (idempotent). The memory and its tensors stay usable on the calling thread. */
  close(why = 'closed'): void {
    if (this.closedBecause !== null) return;
    this.closedBecause = why;
    Atomics.store(this.ctl, CTL.STOP, 1);
    Atomics.add(this.ctl, CTL.GEN, 1);
    Atomics.notify(this.ctl, CTL.GEN);
    for (const w of this.workers) void w.terminate();
    this.workers = [];
    this.onClose?.();
  }
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
/** How long a browser worker may take to report ready. */
export const START_TIMEOUT_MS = 30_000;

/**
 * Starts the workers and resolves once all of them are ready. In Node one keeper thread starts them
 * and watches them: a worker that exits, whatever the cause, is recorded as the job's failure, which
 * wakes a caller blocked in Atomics.wait (its own event loop is not running then, so an 'exit'
 * listener on the calling thread would never fire). In browsers each worker is started directly.
 */
async function spawnAll(inits: WorkerInit[]): Promise<Thread[]> {
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    // No inherited node flags: some (--input-type, an -e script's) do not apply to a worker's file.
    const keeper = new Worker(new URL('./pool-keeper.js', import.meta.url), { workerData: inits, execArgv: [] });
    await new Promise<void>((resolve, reject) => {
      keeper.once('message', (r: WorkerReply) => {
        if ('error' in r) {
          void keeper.terminate();
          reject(new Error(r.error));
        } else {
          keeper.unref(); // an idle pool never keeps the process alive
          resolve();
        }
      });
      keeper.once('error', reject);
      keeper.once('exit', (code) => reject(new Error(`the pool's keeper thread exited with code ${code} before the workers were ready`)));
    });
    return [keeper];
  }
  const url = new URL('./pool-worker.js', import.meta.url);
  const started = await Promise.allSettled(inits.map((init) => spawnBrowser(url, init)));
  const threads = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const t of threads) t.terminate();
    throw failed.reason;
  }
  return threads;
}

/** Starts one Web Worker on `url`, sends it `init`, resolves when it reports ready. */
function spawnBrowser(url: URL, init: WorkerInit): Promise<Thread> {
  const w = new Worker(url, { type: 'module' });
  return new Promise<Thread>((resolve, reject) => {
    // A browser reports no exit of a worker that never starts: give up with a message rather than wait forever.
    const timer = setTimeout(() => { w.terminate(); reject(new Error(`pool worker ${init.index} did not start within ${START_TIMEOUT_MS / 1000} s`)); }, START_TIMEOUT_MS);
    w.onmessage = (e: MessageEvent<WorkerReply>) => {
      clearTimeout(timer);
      if ('error' in e.data) {
        w.terminate();
        reject(new Error(e.data.error));
      } else resolve(w);
    };
    w.onerror = (e) => { clearTimeout(timer); reject(new Error(e.message || 'the worker failed to load')); };
    w.postMessage(init);
  });
}
