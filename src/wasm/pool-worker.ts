// One thread of the pool (pool.ts): instantiates the 'threads' build over the shared memory WITHOUT
// running its start function (that would re-initialise the allocator over the caller's heap: the start
// function is exported as _initialize and only the calling thread runs it), takes its own GEMM scratch,
// then serves jobs from the control block until told to stop. Runs under worker_threads in Node and as
// a module Web Worker in browsers.
import { CTL, OP_GEMM, OP_EVENT, OP_MAP, RESULTS, ARGS64_BYTE, MAX_ARGS, ELEMENTWISE, ELEMENTWISE_NAMES, WORKER_SPIN, MSG_BYTE, MSG_CAP, type WorkerInit, type WorkerReply } from './pool.js';
import { abortWith } from './threads.js';

interface PartKernels {
  f32_gemm_part(trans: number, m: number, n: number, k: number, alpha: number, beta: number, a: number, b: number, c: number, i0: number, i1: number, j0: number, j1: number): void;
  f32_event_nn(m: number, n: number, k: number, s: number, b: number, tmp: number, c: number): number;
  gemm_set_scratch(ptr: number): void;
}

async function start(init: WorkerInit, reply: (r: WorkerReply) => void): Promise<void> {
  let kern: PartKernels;
  try {
    const instance = await WebAssembly.instantiate(init.module, { env: { memory: init.memory, abort: abortWith(init.memory) } });
    kern = instance.exports as unknown as PartKernels;
    kern.gemm_set_scratch(init.scratch);
  } catch (e) {
    reply({ error: `pool worker ${init.index}: ${(e as Error).message}` });
    return;
  }
  // The job counter as it stands before the caller can know this worker is ready (and so post a job).
  const gen = Atomics.load(new Int32Array(init.control), CTL.GEN);
  reply({ ready: true });
  // Leave the current task first, so the reply is on its way before this thread blocks for good.
  setTimeout(() => serve(init, kern, gen), 0);
}

function serve(init: WorkerInit, kern: PartKernels, gen: number): void {
  const ctl = new Int32Array(init.control);
  const f32 = new Float32Array(init.control);
  const encoder = new TextEncoder();
  const p = CTL.PARTS + 4 * init.index;
  const A = CTL.ARGS;
  const f64 = new Float64Array(init.control, ARGS64_BYTE, MAX_ARGS);
  const args = new Array<number>(MAX_ARGS).fill(0);
  const fns = kern as unknown as Record<string, (...a: number[]) => number>;
  for (;;) {
    for (let i = 0; i < WORKER_SPIN && Atomics.load(ctl, CTL.GEN) === gen; i++);
    Atomics.wait(ctl, CTL.GEN, gen);
    const g = Atomics.load(ctl, CTL.GEN);
    if (g === gen) continue;
    gen = g;
    if (Atomics.load(ctl, CTL.STOP) !== 0) return;
    try {
      const op = ctl[CTL.OP];
      let result = 0;
      if (op === OP_GEMM) {
        kern.f32_gemm_part(ctl[A]!, ctl[A + 1]!, ctl[A + 2]!, ctl[A + 3]!, f32[A + 7]!, f32[A + 8]!, ctl[A + 4]!, ctl[A + 5]!, ctl[A + 6]!, ctl[p]!, ctl[p + 1]!, ctl[p + 2]!, ctl[p + 3]!);
      } else if (op === OP_EVENT) {
        // rows [lo, hi) of C = S·B; this thread's scratch is its temporary row
        const lo = ctl[p]!, hi = ctl[p + 1]!, n = ctl[A + 1]!, k = ctl[A + 2]!;
        if (hi > lo) result = kern.f32_event_nn(hi - lo, n, k, (ctl[A + 3]! >>> 0) + lo * k * 4, ctl[A + 4]!, init.scratch, (ctl[A + 5]! >>> 0) + lo * n * 4);
      } else if (op === OP_MAP) {
        // elements [lo, hi): n becomes the share's length, every non-null pointer moves by lo
        const lo = ctl[p]!, hi = ctl[p + 1]!, name = ELEMENTWISE_NAMES[ctl[A]!]!, count = ctl[A + 1]!;
        if (hi > lo) {
          for (let i = 0; i < count; i++) args[i] = f64[i]!;
          args[0] = hi - lo;
          for (const i of ELEMENTWISE[name]!) if (args[i] !== 0) args[i] = (args[i]! + lo * 4) >>> 0;
          result = fns[name]!.apply(null, args) | 0;
        }
      } else {
        throw new Error(`unknown job ${op}`);
      }
      ctl[RESULTS + init.index] = result;
    } catch (e) {
      if (Atomics.compareExchange(ctl, CTL.FAIL, 0, init.index) === 0) {
        const bytes = encoder.encode(`${(e as Error).name}: ${(e as Error).message}`);
        const msg = new Uint8Array(init.control, MSG_BYTE, MSG_CAP);
        const n = Math.min(bytes.length, msg.length);
        msg.set(bytes.subarray(0, n));
        Atomics.store(ctl, CTL.MSG_LEN, n);
      }
    }
    Atomics.add(ctl, CTL.DONE, 1);
    Atomics.notify(ctl, CTL.DONE);
  }
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
if (isNode) {
  const { parentPort, workerData } = await import('node:worker_threads');
  void start(workerData as WorkerInit, (r) => parentPort!.postMessage(r));
} else {
  const scope = self as unknown as { postMessage(m: WorkerReply): void; onmessage: ((e: MessageEvent<WorkerInit>) => void) | null };
  scope.onmessage = (e) => {
    scope.onmessage = null;
    void start(e.data, (r) => scope.postMessage(r));
  };
}
