// The control block a thread pool shares (pool.ts), and the part of the protocol every thread runs,
// the calling thread and the workers alike (pool-worker.ts): a job is cut into chunks along one
// dimension of its output, and each thread claims the next chunk until none is left. Who runs a chunk
// changes from run to run, what a chunk computes does not: every output element is computed by one
// thread in the order one thread would use, so results are bit-identical for any thread count.
/** Int32 slots of the control block. */
export const CTL = {
  GEN: 0, // job counter: workers wait on it
  DONE: 1, // chunks of the current job finished (a lost worker adds LOST to it)
  FAIL: 2, // 1 + index of the first thread that failed (0: the calling thread), else 0
  STOP: 3, // 1: workers leave their loop at the next GEN
  OP: 4, // kernel of the job (OP_*)
  TICKET: 5, // (job counter mod 2^24) · 256 + the next chunk to claim
  CHUNKS: 6, // chunks of the current job (at most MAX_CHUNKS)
  CHUNK: 7, // length of a chunk along the split dimension
  RESULT: 8, // the chunks' counts (events, spikes), summed
  MSG_LEN: 9, // bytes of the error message at MSG_BYTE
  // The job's integer arguments. GEMM: trans, m, n, k, a, b, c, then f32 alpha, beta at ARGS + 7, + 8.
  // EVENT: m, n, k, s, b, c. MAP: index in ELEMENTWISE_NAMES, argument count (the arguments: ARGS64_BYTE).
  // ROWS: index in ROWWISE_NAMES, argument count (the arguments: ARGS64_BYTE).
  // SEQ: stages published so far, rows, 1 once closed (each stage's kernel, argument count and count at
  // SEQ_HEAD_BYTE, its arguments at SEQ_ARGS_BYTE).
  ARGS: 10,
} as const;
export const OP_GEMM = 1;
export const OP_EVENT = 2;
export const OP_MAP = 3;
export const OP_ROWS = 4;
export const OP_SEQ = 5;
/** Most threads a pool takes. */
export const MAX_THREADS = 64;
/** Most chunks one job is cut into (the chunk index is the low byte of TICKET). */
export const MAX_CHUNKS = 255;
/** Added to DONE when a worker is lost, so that a caller waiting for its chunks wakes up. */
export const LOST = 1 << 16;
/** Byte offset of the MAP job's arguments as float64 (exact for every i32 and f32 a kernel takes). */
export const ARGS64_BYTE = 32 * 4;
export const MAX_ARGS = 32;
/** Where the error message of a failed thread goes in the control block, and its room. */
export const MSG_BYTE = ARGS64_BYTE + 8 * MAX_ARGS;
export const MSG_CAP = 2048;
/**
 * A SEQ job: up to SEQ_STAGES row-split kernels that each chunk runs one after the other on its rows. A
 * chain of calls in which row r of a stage reads only row r of the stages before (a spiking network's
 * presentation window: per time step the encoder, each layer from the spike lists of the one below, the
 * readout) then costs one hand-over between threads instead of one per call, and each thread keeps its
 * rows' state in its own caches for the whole chain. The job is posted before its first stage and the
 * stages are published as they are recorded, so the workers run while the caller's loop records. Per
 * stage, three int32 (kernel index in ROWWISE_NAMES, argument count, the stage's count summed over the
 * chunks), then MAX_ARGS float64 arguments.
 */
export const SEQ_STAGES = 1024;
export const SEQ_HEAD_BYTE = MSG_BYTE + MSG_CAP;
export const SEQ_ARGS_BYTE = SEQ_HEAD_BYTE + 4 * 3 * SEQ_STAGES;
export const CONTROL_BYTES = SEQ_ARGS_BYTE + 8 * MAX_ARGS * SEQ_STAGES;

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
  f32_mul: [1, 2, 3],
  ...Object.fromEntries(['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'hard_sigmoid', 'softplus', 'softlif'].map((a) => [`f32_${a}_fwd`, [4, 5, 6]])),
};
export const ELEMENTWISE_NAMES = Object.keys(ELEMENTWISE);
/**
 * What one element of an ELEMENTWISE kernel costs, in units of a load, an operation and a store (1 when
 * not listed), which the pool's size threshold weighs n by: a transcendental, a neuron's update over five
 * arrays or an optimizer's over four cost several times a ReLU, so a call of the same n pays for its
 * split sooner.
 */
export const ELEMENTWISE_COST: Readonly<Record<string, number>> = {
  f32_lif_step: 4, f32_lif_step_triangle: 4, f32_lif_step_exp: 4, f32_alif_step: 4, f32_sgd_step: 2, f32_adam_step: 4,
  f32_sigmoid_fwd: 4, f32_tanh_fwd: 4, f32_softplus_fwd: 4, f32_softlif_fwd: 4,
};

/** How one argument of a row-split kernel moves with a chunk starting at row lo. */
type RowArg = readonly [index: number, bytesPerRow: (args: readonly number[]) => number];
/** A row of n = args[1] 4-byte elements. */
const ROW = (a: readonly number[]) => 4 * a[1]!;
/**
 * Kernels a pool splits over rows (their first argument; each row is computed by one thread exactly as
 * on one thread): `ptrs`, the pointer arguments with the bytes each moves per row (a null pointer stays
 * null, a pointer moving 0 bytes per row is shared by every row), `row`, an argument that counts the
 * chunk's first row (moves by 1 per row), and `work`, the elements of one row, which the size
 * threshold compares. Their i32 result, a count, is summed over the chunks.
 */
export const ROWWISE: Record<string, { ptrs: readonly RowArg[]; row?: number; work: (args: readonly number[]) => number; seqOnly?: true }> = {
  // rows, n, scale, seed, window, step, row0, p, out, list, counts
  f32_poisson_rows: { ptrs: [[7, ROW], [8, ROW], [9, ROW], [10, () => 4]], row: 6, work: (a) => a[1]! },
  // rows, n, scale, p, idx, q, nnz
  f32_poisson_prepare: { ptrs: [[3, ROW], [4, ROW], [5, ROW], [6, () => 4]], work: (a) => a[1]! },
  // rows, n, seed, window, step, row0, idx, q, nnz, list, counts: a row's work is its lit pixels, about a fifth of n on MNIST
  f32_poisson_sparse_rows: { ptrs: [[6, ROW], [7, ROW], [8, () => 4], [9, ROW], [10, () => 4]], row: 5, work: (a) => a[1]! / 4 },
  // rows, n, 13 scalars, cur, bias, I, v, refrac, adapt, spikes, dstep, post, deriv, acc, list, counts, k, src, srcCounts, wt:
  // with src, cur's first row is the scratch of the chunk's rows (each chunk its own), and a row's work
  // includes its propagation: at the densities that choose it (about one input in ten) summing the
  // weight rows of the spikes costs about k/256 times the step (bench/threads.js --only rows)
  f32_lif_layer_step: {
    ptrs: [15, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26].map((i) => [i, ROW] as const).concat([[27, () => 4], [29, (a) => 4 * a[28]!], [30, () => 4]]),
    work: (a) => (a[29] ? a[1]! * (1 + a[28]! / 256) : a[1]!),
  },
  // m, n, k, list, ldl, counts, b, c: a row of C from its row's spike list (B shared). Split only as a
  // stage of a sequence, whose lists the stage before wrote: alone, its error result (~r for a bad
  // count in row r) must name the row of the whole call, which a chunk's does not.
  f32_event_list_nn: { ptrs: [[3, (a) => 4 * a[4]!], [5, () => 4], [7, ROW]], work: (a) => a[1]!, seqOnly: true },
  // rows, n, list, counts, out
  f32_list_spikes: { ptrs: [[2, ROW], [3, () => 4], [4, ROW]], work: (a) => a[1]! },
  // rows, n, alpha, synDecay, oneMinusLo, lo, countPost, cur, bias, I, m, post
  f32_readout_step: { ptrs: [7, 9, 10, 11].map((i) => [i, ROW] as const), work: (a) => a[1]! },
};
export const ROWWISE_NAMES = Object.keys(ROWWISE);

/**
 * How long (ms) the calling thread polls for the workers' last chunks of a job before it sleeps in
 * Atomics.wait: a chunk of a time step's row kernel takes tens of microseconds, about what a futex
 * wake costs, so a caller that slept after a fixed number of polls paid a wake on many steps.
 */
export const CALLER_SPIN_MS = 0.2;
/**
 * How long (ms) a worker polls for the next job before it sleeps in Atomics.wait: long enough to bridge
 * the small kernels the calling thread runs alone between two split calls of a training step (a futex
 * wake costs tens of microseconds), short enough that a worker between steps, or on cores other
 * processes want, gives its core away.
 */
export const WORKER_SPIN_MS = 0.2;
/**
 * Chunks per thread a split job is cut into. Threads claim chunks as they come, so a thread that the
 * system does not run (oversubscribed cores) delays a job by one chunk at most, not by its whole share;
 * more chunks would re-pack the smaller GEMM operand more often.
 */
export const CHUNKS_PER_THREAD = 2;

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

/**
 * How C[m×n] is cut into chunks of `parts`: contiguous blocks of columns (multiples of 8, the width of
 * a packed B panel) when n >= m, else of rows (multiples of 4, the height of a packed A panel), so the
 * larger operand is packed once in total and only the smaller one once per chunk. Chunk t covers
 * [t·chunk, (t+1)·chunk) of that dimension, cut at its end.
 */
export function gemmChunk(m: number, n: number, parts: number): number {
  const align = n >= m ? 8 : 4;
  return Math.max(align, Math.ceil((n >= m ? n : m) / parts / align) * align);
}

/** The kernels a chunk runs (the elementwise ones by name). */
export interface ChunkKernels {
  f32_gemm_part(trans: number, m: number, n: number, k: number, alpha: number, beta: number, a: number, b: number, c: number, i0: number, i1: number, j0: number, j1: number): void;
  f32_event_nn(m: number, n: number, k: number, alpha: number, beta: number, s: number, b: number, c: number): number;
}

/** One thread's view of the control block, with the room a chunk needs (no allocation per chunk). */
export class JobView {
  readonly ctl: Int32Array;
  private readonly f32: Float32Array;
  private readonly f64: Float64Array;
  private readonly args = new Array<number>(MAX_ARGS).fill(0);
  private readonly fns: Record<string, (...a: number[]) => number>;
  private readonly seqHead: Int32Array;
  private readonly seqArgs: Float64Array;
  /** A chunk's count per stage, added to the shared slots once at its end (not once per stage). */
  private readonly seqLocal = new Int32Array(SEQ_STAGES);

  constructor(control: SharedArrayBuffer, private readonly kern: ChunkKernels, readonly index: number) {
    this.ctl = new Int32Array(control, 0, ARGS64_BYTE / 4);
    this.f32 = new Float32Array(control, 0, ARGS64_BYTE / 4);
    this.f64 = new Float64Array(control, ARGS64_BYTE, MAX_ARGS);
    this.fns = kern as unknown as Record<string, (...a: number[]) => number>;
    this.seqHead = new Int32Array(control, SEQ_HEAD_BYTE, 3 * SEQ_STAGES);
    this.seqArgs = new Float64Array(control, SEQ_ARGS_BYTE, MAX_ARGS * SEQ_STAGES);
  }

  /**
   * Claims and runs chunks of job `gen` until none is left (or the job is no longer `gen`), adding their
   * counts to RESULT; returns how many it ran. A chunk that throws is recorded as the job's failure and
   * still counted done, so no thread ever waits on it.
   */
  drain(gen: number): number {
    const ctl = this.ctl, tag = gen & 0xffffff;
    let ran = 0;
    for (;; ran++) {
      const t = Atomics.load(ctl, CTL.TICKET);
      if (t >>> 8 !== tag) return ran;
      const chunks = ctl[CTL.CHUNKS]!;
      if ((t & 255) >= chunks) return ran;
      if (Atomics.compareExchange(ctl, CTL.TICKET, t, t + 1) !== t) continue;
      // The chunk is ours: the job cannot change before it is counted done.
      try {
        const r = this.run(t & 255);
        if (r !== 0) Atomics.add(ctl, CTL.RESULT, r);
      } catch (e) {
        this.fail(`${(e as Error).name}: ${(e as Error).message}`);
      }
      if (Atomics.add(ctl, CTL.DONE, 1) + 1 >= chunks) Atomics.notify(ctl, CTL.DONE);
    }
  }

  /** Records this thread's failure, unless another thread's was recorded first. */
  fail(text: string): void {
    recordFailure(this.ctl.buffer as SharedArrayBuffer, this.index, text);
  }

  /** Runs chunk `idx` of the current job; returns its count. */
  private run(idx: number): number {
    const ctl = this.ctl, A = CTL.ARGS, lo = idx * ctl[CTL.CHUNK]!;
    const op = ctl[CTL.OP];
    if (op === OP_GEMM) {
      const m = ctl[A + 1]!, n = ctl[A + 2]!, byCols = n >= m, hi = Math.min(byCols ? n : m, lo + ctl[CTL.CHUNK]!);
      this.kern.f32_gemm_part(ctl[A]!, m, n, ctl[A + 3]!, this.f32[A + 7]!, this.f32[A + 8]!, ctl[A + 4]!, ctl[A + 5]!, ctl[A + 6]!,
        byCols ? 0 : lo, byCols ? m : hi, byCols ? lo : 0, byCols ? hi : n);
      return 0;
    }
    if (op === OP_EVENT) { // rows [lo, hi) of C = S·B
      const m = ctl[A]!, n = ctl[A + 1]!, k = ctl[A + 2]!, hi = Math.min(m, lo + ctl[CTL.CHUNK]!);
      return this.kern.f32_event_nn(hi - lo, n, k, this.f32[A + 6]!, this.f32[A + 7]!, (ctl[A + 3]! >>> 0) + lo * k * 4, ctl[A + 4]!, (ctl[A + 5]! >>> 0) + lo * n * 4);
    }
    if (op === OP_MAP) { // n becomes the chunk's length, non-null pointers move with lo
      const name = ELEMENTWISE_NAMES[ctl[A]!]!, args = this.load(this.f64, 0, ctl[A + 1]!, lo);
      for (const i of ELEMENTWISE[name]!) if (args[i] !== 0) args[i] = (args[i]! + lo * 4) >>> 0;
      return this.fns[name]!.apply(null, args) | 0; // arguments past the kernel's own are ignored
    }
    if (op === OP_ROWS) return this.rowsPart(ctl[A]!, this.f64, 0, ctl[A + 1]!, lo);
    if (op === OP_SEQ) { // every stage on rows [lo, hi), in order; each stage's count to its own slot
      // Stages are published one by one (ARGS) while the caller records them, then the job is closed
      // (ARGS + 2): run every published stage, wait for more until the close.
      const head = this.seqHead, local = this.seqLocal;
      let s = 0;
      for (;;) {
        let pub = Atomics.load(ctl, A);
        while (s >= pub && Atomics.load(ctl, A + 2) === 0 && Atomics.load(ctl, CTL.STOP) === 0) pub = Atomics.load(ctl, A);
        if (s >= pub) pub = Atomics.load(ctl, A);
        if (s >= pub) break;
        for (; s < pub; s++) local[s] = this.rowsPart(head[3 * s]!, this.seqArgs, s * MAX_ARGS, head[3 * s + 1]!, lo);
      }
      for (let i = 0; i < s; i++) if (local[i] !== 0) Atomics.add(head, 3 * i + 2, local[i]!);
      return 0;
    }
    throw new Error(`unknown job ${op}`);
  }

  /** The `count` arguments at from[at ..] with the length (the first) cut to the chunk starting at lo. */
  private load(from: Float64Array, at: number, count: number, lo: number): number[] {
    const args = this.args;
    for (let i = 0; i < count; i++) args[i] = from[at + i]!;
    args[0] = Math.min(from[at]!, lo + this.ctl[CTL.CHUNK]!) - lo;
    return args;
  }

  /** Rows [lo, lo + chunk) of ROWWISE kernel `index` with the arguments at from[at ..]: its pointers moved to row lo. */
  private rowsPart(index: number, from: Float64Array, at: number, count: number, lo: number): number {
    const name = ROWWISE_NAMES[index]!, spec = ROWWISE[name]!, args = this.load(from, at, count, lo);
    for (const [i, bytes] of spec.ptrs) if (args[i] !== 0) args[i] = (args[i]! + lo * bytes(args)) >>> 0;
    if (spec.row !== undefined) args[spec.row] = args[spec.row]! + lo;
    return this.fns[name]!.apply(null, args) | 0;
  }
}

/** Records thread `index`'s failure (first one wins) and wakes a caller waiting on the job. */
export function recordFailure(control: SharedArrayBuffer, index: number, text: string, lost = false): void {
  const ctl = new Int32Array(control, 0, ARGS64_BYTE / 4);
  if (Atomics.compareExchange(ctl, CTL.FAIL, 0, index + 1) === 0) {
    const bytes = new TextEncoder().encode(text), msg = new Uint8Array(control, MSG_BYTE, MSG_CAP);
    const n = Math.min(bytes.length, MSG_CAP);
    msg.set(bytes.subarray(0, n));
    Atomics.store(ctl, CTL.MSG_LEN, n);
  }
  if (lost) Atomics.add(ctl, CTL.DONE, LOST);
  Atomics.notify(ctl, CTL.DONE);
}
