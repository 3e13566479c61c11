// One thread of the pool (pool.ts): instantiates the 'threads' build over the shared memory WITHOUT
// running its start function (that would re-initialise the allocator over the caller's heap: the start
// function is exported as _initialize and only the calling thread runs it), takes its own GEMM scratch,
// then serves jobs from the control block until told to stop. Runs under worker_threads in Node and as
// a module Web Worker in browsers.
import { CTL, WORKER_SPIN_MS, JobView, type ChunkKernels, type WorkerInit, type WorkerReply } from './pool-jobs.js';
import { abortWith } from './threads.js';

interface PartKernels extends ChunkKernels {
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
  const job = new JobView(init.control, kern, init.index);
  const ctl = job.ctl;
  for (;;) {
    // Poll for a while (checking the clock now and then), then sleep until the next job.
    const until = performance.now() + WORKER_SPIN_MS;
    for (let i = 1; Atomics.load(ctl, CTL.GEN) === gen; i++) {
      if ((i & 255) === 0 && performance.now() > until) Atomics.wait(ctl, CTL.GEN, gen);
    }
    gen = Atomics.load(ctl, CTL.GEN);
    if (Atomics.load(ctl, CTL.STOP) !== 0) return;
    job.drain(gen);
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
