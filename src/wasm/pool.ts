// A pool of threads over one shared WebAssembly.Memory. Every thread has its own instance of the
// 'threads' build (own globals, own GEMM scratch) over the same memory; the calling thread owns the
// allocator and every pointer, the workers only run kernels on pointers it hands them.
//
// One call = one job in a shared control block (an Int32Array over a SharedArrayBuffer): the caller
// writes the arguments and each worker's share, bumps GEN and notifies; every worker runs its share
// (possibly empty) and bumps DONE; the caller runs share 0 itself, then waits for DONE = workers.
// No message per call, no allocation per call. A worker that throws records the error in the block and
// still acknowledges, so the caller never waits on a dead job; it then shuts the pool down and throws.
//
// Threaded kernels split the output, never a reduction: every element is computed by exactly one
// thread in the order one thread would use, so results are bit-identical for any thread count.
import type { Kernels } from './kernels.js';

/** Int32 slots of the control block. */
export const CTL = {
  GEN: 0, // job counter: workers wait on it
  DONE: 1, // workers that finished the current job
  FAIL: 2, // 1 + index of the first worker that threw, else 0
  STOP: 3, // 1: workers leave their loop at the next GEN
  OP: 4, // kernel of the job (OP_*)
  // The job's integer arguments. GEMM: trans, m, n, k, a, b, c, then f32 alpha, beta at ARGS + 7, + 8.
  // EVENT: m, n, k, s, b, c. MAP: index in ELEMENTWISE_NAMES, argument count (the arguments: ARGS64_BYTE).
  ARGS: 5,
  MSG_LEN: 15, // bytes of the error message at MSG_BYTE
  PARTS: 16, // worker w's share at PARTS + 4·w: GEMM i0, i1, j0, j1; EVENT rows, MAP elements lo, hi
} as const;
export const OP_GEMM = 1;
export const OP_EVENT = 2;
export const OP_MAP = 3;
/** Most threads a pool takes (the control block's size). */
export const MAX_THREADS = 64;
/** Int32 slot of worker w's result (a count its share returned): RESULTS + w. */
export const RESULTS = CTL.PARTS + 4 * MAX_THREADS;
/** Byte offset of the MAP job's arguments as float64 (exact for every i32 and f32 a kernel takes). */
export const ARGS64_BYTE = (RESULTS + MAX_THREADS) * 4;
export const MAX_ARGS = 16;
/** Where the error message of a failed worker goes in the control block, and its room. */
export const MSG_BYTE = ARGS64_BYTE + 8 * MAX_ARGS;
export const MSG_CAP = 2048;
export const CONTROL_BYTES = MSG_BYTE + MSG_CAP;

/**
 * Elementwise kernels a pool splits over their first argument n (multiples of 4 elements, so every
 * element takes the same SIMD or scalar path as on one thread): the indices of their pointer arguments
 * (4-byte elements; a null pointer stays null), which move with the share. Their i32 result, a count,
 * is summed over the shares.
 */
export const ELEMENTWISE: Record<string, readonly number[]> = {
  f32_lif_step: [7, 8, 9, 10, 11],
  f32_lif_step_triangle: [7, 8, 9, 10, 11],
  f32_lif_step_exp: [7, 8, 9, 10, 11],
  f32_alif_step: [10, 11, 12, 13, 14, 15],
  f32_trace_step: [2, 3],
  f32_sgd_step: [4, 5, 6],
  f32_adam_step: [8, 9, 10, 11],
};
export const ELEMENTWISE_NAMES = Object.keys(ELEMENTWISE);

/** Busy-polls before sleeping in Atomics.wait: a futex wake costs tens of microseconds. */
export const SPIN = 4000;
/**
 * A worker polls longer after a job (some hundred microseconds): enough to bridge the small kernels the
 * calling thread runs alone between two split calls of a training step, so the next call finds the
 * worker awake; an idle pool then sleeps.
 */
export const WORKER_SPIN = 20 * SPIN;

/** What a pool worker is sent once, at start. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** This worker's index, 1..threads-1 (0 is the calling thread). */
  index: number;
  /** This worker's GEMM scratch (gemm_scratch_bytes() bytes, allocated by the calling thread). */
  scratch: number;
}

/** What a pool worker sends back once: ready, or why it could not start. */
export type WorkerReply = { ready: true } | { error: string };

/** The smallest m·n·k a GEMM must have to be split (below it the calling thread does it alone). */
export const GEMM_MIN_WORK = 1 << 20;
/** The same for the event-driven propagation (m·n·k of the dense product it stands for). */
export const EVENT_MIN_WORK = 1 << 21;
/** The smallest n an elementwise kernel must have to be split. */
export const MAP_MIN_WORK = 1 << 14;

/**
 * How C[m×n] is shared among `parts` threads: contiguous blocks of columns (multiples of 8, the width
 * of a packed B panel) when n >= m, else of rows (multiples of 4, the height of a packed A panel), so
 * the larger operand is packed once in total and only the smaller one by every thread. Share t covers
 * [t·chunk, (t+1)·chunk) of that dimension, cut at its end (so trailing shares may be empty).
 */
export function gemmChunk(m: number, n: number, parts: number): number {
  const align = n >= m ? 8 : 4;
  return Math.max(align, Math.ceil((n >= m ? n : m) / parts / align) * align);
}

/** Every share of C as [i0, i1, j0, j1] (for tests and tools; the pool computes them in place). */
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
}

export interface PoolOptions {
  /** Threads including the calling one (>= 2). */
  threads: number;
  /** GEMMs with m·n·k below this run on the calling thread (default GEMM_MIN_WORK). */
  gemmMinWork?: number;
  /** Likewise the event-driven propagation (default EVENT_MIN_WORK) and elementwise kernels' n (MAP_MIN_WORK). */
  eventMinWork?: number;
  mapMinWork?: number;
  /** Called once when the pool shuts down (closed, or a worker failed). */
  onClose?: () => void;
}

export class Pool {
  readonly threads: number;
  gemmMinWork: number;
  eventMinWork: number;
  mapMinWork: number;
  private readonly ctl: Int32Array;
  private readonly f32: Float32Array;
  private readonly f64: Float64Array;
  private readonly scratchBytes: number;
  private readonly own: number[] = new Array<number>(MAX_ARGS).fill(0);
  private readonly msg: Uint8Array;
  private workers: Thread[] = [];
  private closedBecause: string | null = null;
  private readonly raw: Kernels;
  private readonly onClose: (() => void) | undefined;

  private constructor(raw: Kernels, control: SharedArrayBuffer, opts: PoolOptions) {
    this.raw = raw;
    this.threads = opts.threads;
    this.gemmMinWork = opts.gemmMinWork ?? GEMM_MIN_WORK;
    this.eventMinWork = opts.eventMinWork ?? EVENT_MIN_WORK;
    this.mapMinWork = opts.mapMinWork ?? MAP_MIN_WORK;
    this.f64 = new Float64Array(control, ARGS64_BYTE, MAX_ARGS);
    this.scratchBytes = raw.gemm_scratch_bytes() >>> 0;
    this.onClose = opts.onClose;
    this.ctl = new Int32Array(control, 0, ARGS64_BYTE / 4);
    this.f32 = new Float32Array(control, 0, ARGS64_BYTE / 4);
    this.msg = new Uint8Array(control, MSG_BYTE, MSG_CAP);
  }

  /**
   * Starts threads - 1 workers on `module` over `memory` (the calling thread's instance `raw`, already
   * initialised, allocates their scratch) and resolves once all of them are ready.
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, raw: Kernels, opts: PoolOptions): Promise<Pool> {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const pool = new Pool(raw, control, opts);
    const url = new URL('./pool-worker.js', import.meta.url);
    const scratchBytes = raw.gemm_scratch_bytes() >>> 0;
    const starts: Promise<void>[] = [];
    for (let index = 1; index < opts.threads; index++) {
      const init: WorkerInit = { module, memory, control, index, scratch: raw.alloc(scratchBytes) >>> 0 };
      starts.push(spawn(url, init).then((t) => { pool.workers.push(t); }));
    }
    const settled = await Promise.allSettled(starts);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      pool.close();
      throw new Error(`load: could not start the thread pool (threads = ${opts.threads}): ${(failed.reason as Error).message}`);
    }
    return pool;
  }

  /** True once close() ran (or a worker failed). */
  get closed(): boolean {
    return this.closedBecause !== null;
  }

  /**
   * C = α·op(A)·op(B) + β·C (trans bit 0: A transposed, bit 1: B transposed), split over the pool when
   * large enough, else run by the calling thread alone.
   */
  gemm(trans: number, m: number, n: number, k: number, alpha: number, beta: number, a: number, b: number, c: number): void {
    if (this.closedBecause !== null) throw new Error(`gemm: the thread pool is shut down (${this.closedBecause})`);
    const raw = this.raw;
    const byCols = n >= m, len = byCols ? n : m, chunk = gemmChunk(m, n, this.threads);
    if (m * n * k < this.gemmMinWork || chunk >= len) { // small, or a single share
      if (trans === 0) raw.f32_gemm_nn(m, n, k, alpha, beta, a, b, c);
      else if (trans === 1) raw.f32_gemm_tn(m, n, k, alpha, beta, a, b, c);
      else if (trans === 2) raw.f32_gemm_nt(m, n, k, alpha, beta, a, b, c);
      else raw.f32_gemm_tt(m, n, k, alpha, beta, a, b, c);
      return;
    }
    const ctl = this.ctl;
    const A = CTL.ARGS;
    ctl[CTL.OP] = OP_GEMM;
    ctl[A] = trans; ctl[A + 1] = m; ctl[A + 2] = n; ctl[A + 3] = k;
    ctl[A + 4] = a; ctl[A + 5] = b; ctl[A + 6] = c;
    this.f32[A + 7] = alpha; this.f32[A + 8] = beta;
    // The shares, written in place (no allocation per call); share 0 is this thread's.
    for (let w = 1; w < this.threads; w++) {
      const p = CTL.PARTS + 4 * w, lo = Math.min(len, w * chunk), hi = Math.min(len, (w + 1) * chunk);
      ctl[p] = byCols ? 0 : lo; ctl[p + 1] = byCols ? m : hi; ctl[p + 2] = byCols ? lo : 0; ctl[p + 3] = byCols ? hi : n;
    }
    const end = Math.min(len, chunk);
    this.start();
    try {
      if (byCols) raw.f32_gemm_part(trans, m, n, k, alpha, beta, a, b, c, 0, m, 0, end);
      else raw.f32_gemm_part(trans, m, n, k, alpha, beta, a, b, c, 0, end, 0, n);
    } finally {
      this.finish('gemm');
    }
  }

  /**
   * f32_event_nn split over the rows of C (each worker sums into its own scratch where the kernel needs
   * a temporary row); returns the number of events, summed over the shares.
   */
  eventNN(m: number, n: number, k: number, s: number, b: number, tmp: number, c: number): number {
    if (this.closedBecause !== null) throw new Error(`event_nn: the thread pool is shut down (${this.closedBecause})`);
    const raw = this.raw;
    if (m < 2 || m * n * k < this.eventMinWork || n * 4 > this.scratchBytes) return raw.f32_event_nn(m, n, k, s, b, tmp, c);
    const ctl = this.ctl, A = CTL.ARGS;
    ctl[CTL.OP] = OP_EVENT;
    ctl[A] = m; ctl[A + 1] = n; ctl[A + 2] = k; ctl[A + 3] = s; ctl[A + 4] = b; ctl[A + 5] = c;
    const chunk = Math.ceil(m / this.threads);
    this.shares(m, chunk);
    let events = 0;
    this.start();
    try {
      events = raw.f32_event_nn(Math.min(m, chunk), n, k, s, b, tmp, c);
    } finally {
      this.finish('event_nn');
    }
    return events + this.results();
  }

  /**
   * An elementwise kernel of ELEMENTWISE (args as the kernel takes them, n first), split over n; returns
   * its count summed over the shares.
   */
  map(index: number, args: ArrayLike<number>): number {
    const name = ELEMENTWISE_NAMES[index]!;
    if (this.closedBecause !== null) throw new Error(`${name}: the thread pool is shut down (${this.closedBecause})`);
    const fn = (this.raw as unknown as Record<string, (...a: number[]) => number>)[name]!;
    const n = args[0]!;
    if (n < this.mapMinWork) return fn.apply(null, args as number[]) | 0;
    const ctl = this.ctl, f64 = this.f64;
    ctl[CTL.OP] = OP_MAP;
    ctl[CTL.ARGS] = index;
    ctl[CTL.ARGS + 1] = args.length;
    for (let i = 0; i < args.length; i++) f64[i] = args[i]!;
    const chunk = Math.ceil(n / this.threads / 4) * 4;
    this.shares(n, chunk);
    const own = this.own; // extra arguments past the kernel's own are ignored by the call
    for (let i = 0; i < args.length; i++) own[i] = args[i]!;
    own[0] = Math.min(n, chunk);
    let count = 0;
    this.start();
    try {
      count = fn.apply(null, own) | 0;
    } finally {
      this.finish(name);
    }
    return count + this.results();
  }

  /** Worker w's share of [0, len): [w·chunk, (w+1)·chunk) cut at len. */
  private shares(len: number, chunk: number): void {
    for (let w = 1; w < this.threads; w++) {
      const p = CTL.PARTS + 4 * w;
      this.ctl[p] = Math.min(len, w * chunk);
      this.ctl[p + 1] = Math.min(len, (w + 1) * chunk);
    }
  }

  /** The workers' results of the job just finished, summed. */
  private results(): number {
    let sum = 0;
    for (let w = 1; w < this.threads; w++) sum += this.ctl[RESULTS + w]!;
    return sum;
  }

  /** Wakes the workers on the job already written (the caller then runs share 0 and calls finish). */
  private start(): void {
    Atomics.store(this.ctl, CTL.DONE, 0);
    Atomics.add(this.ctl, CTL.GEN, 1);
    Atomics.notify(this.ctl, CTL.GEN);
  }

  /** Waits for every worker; if one failed, shuts the pool down and throws its error. */
  private finish(op: string): void {
    const ctl = this.ctl;
    this.await(this.threads - 1);
    const fail = Atomics.load(ctl, CTL.FAIL);
    if (fail !== 0) {
      const len = Math.min(ctl[CTL.MSG_LEN]!, MSG_CAP);
      const text = new TextDecoder().decode(this.msg.slice(0, len));
      const why = `worker thread ${fail} failed: ${text}`;
      this.close(why);
      throw new Error(`${op}: ${why} (the thread pool is shut down)`);
    }
  }

  private await(workers: number): void {
    const ctl = this.ctl;
    for (let i = 0; i < SPIN; i++) if (Atomics.load(ctl, CTL.DONE) >= workers) return;
    for (;;) {
      const d = Atomics.load(ctl, CTL.DONE);
      if (d >= workers) return;
      Atomics.wait(ctl, CTL.DONE, d);
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
const START_TIMEOUT_MS = 30_000;

/** Starts one worker on `url`, sends it `init`, resolves when it reports ready (its handle unref'd in Node). */
async function spawn(url: URL, init: WorkerInit): Promise<Thread> {
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    // No inherited node flags: some (--input-type, an -e script's) do not apply to a worker's file.
    const w = new Worker(url, { workerData: init, execArgv: [] });
    return new Promise<Thread>((resolve, reject) => {
      w.once('message', (r: WorkerReply) => {
        if ('error' in r) {
          void w.terminate();
          reject(new Error(r.error));
        } else {
          w.unref(); // an idle pool never keeps the process alive
          resolve(w);
        }
      });
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`worker exited with code ${code} before it was ready`)));
    });
  }
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
