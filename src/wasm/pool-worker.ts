// One thread of the pool (pool.ts): instantiates the 'threads' build over the shared memory WITHOUT
// running its start function (that would re-initialise the allocator over the caller's heap: the start
// function is exported as _initialize and only the calling thread runs it), takes its own GEMM scratch,
// then serves jobs from the control block until told to stop. Runs under worker_threads in Node and as
// a module Web Worker in browsers.
import { CTL, OP_GEMM, SPIN, MSG_BYTE, MSG_CAP, type WorkerInit, type WorkerReply } from './pool.js';
import { abortWith } from './threads.js';

interface PartKernels {
  f32_gemm_part(trans: number, m: number, n: number, k: number, alpha: number, beta: number, a: number, b: number, c: number, i0: number, i1: number, j0: number, j1: number): void;
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
  for (;;) {
    for (let i = 0; i < SPIN && Atomics.load(ctl, CTL.GEN) === gen; i++);
    Atomics.wait(ctl, CTL.GEN, gen);
    const g = Atomics.load(ctl, CTL.GEN);
    if (g === gen) continue;
    gen = g;
    if (Atomics.load(ctl, CTL.STOP) !== 0) return;
    try {
      if (ctl[CTL.OP] !== OP_GEMM) throw new Error(`unknown job ${ctl[CTL.OP]}`);
      kern.f32_gemm_part(ctl[A]!, ctl[A + 1]!, ctl[A + 2]!, ctl[A + 3]!, f32[A + 7]!, f32[A + 8]!, ctl[A + 4]!, ctl[A + 5]!, ctl[A + 6]!, ctl[p]!, ctl[p + 1]!, ctl[p + 2]!, ctl[p + 3]!);
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
