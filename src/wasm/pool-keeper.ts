// The keeper of a thread pool in Node (pool.ts): starts the pool's workers, tells the calling thread
// once all of them are ready, then only watches them. A worker that exits while the pool runs (killed,
// out of memory, an error outside any kernel) is recorded as a failure in the control block, which wakes
// the calling thread if it is waiting on a job; the calling thread cannot watch the workers itself,
// since its event loop does not run while it is blocked in a training step.
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { CTL, recordFailure, type WorkerInit, type WorkerReply } from './pool-jobs.js';

const inits = workerData as WorkerInit[];
const url = new URL('./pool-worker.js', import.meta.url);
let waiting = inits.length;
const workers: Worker[] = [];
for (const init of inits) {
  const ctl = new Int32Array(init.control);
  const w = new Worker(url, { workerData: init, execArgv: [] });
  workers[init.index] = w;
  let ready = false;
  let error = '';
  w.once('message', (r: WorkerReply) => {
    if ('error' in r) parentPort!.postMessage(r);
    else if (((ready = true), --waiting === 0)) parentPort!.postMessage(r);
  });
  w.on('error', (e) => { error = `${e.name}: ${e.message}`; });
  w.once('exit', (code) => {
    if (!ready) parentPort!.postMessage({ error: `pool worker ${init.index} exited with code ${code} before it was ready${error ? `: ${error}` : ''}` });
    else if (Atomics.load(ctl, CTL.STOP) === 0) {
      recordFailure(init.control, init.index, `it exited (code ${code})${error ? ` after ${error}` : ''}`, true);
    }
  });
}
// Pool.kill: stop a worker the way a crash would (tests).
parentPort!.on('message', (m: { kill: number }) => { void workers[m.kill]?.terminate(); });
