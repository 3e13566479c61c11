// `bioprop worker`: takes runs from a sweep's queue (BullMQ on Redis) and trains each exactly as a local
// sweep does, through src/report/train-run.ts: a child `bioprop train <argv> --out … --checkpoint …
// --resume` process. After every epoch the child rewrites its training state (atomically); the worker
// copies each new state into Redis under the run's job, and fetches it back before starting a run, so a
// run whose worker died is resumed by another from its last finished epoch and ends bit-identical (the
// same resume path as `bioprop train --resume`). The coordinator deletes the state once the run's line is
// in the results file. BullMQ does the rest: locks, stalled-run detection, retries. Node only.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker, UnrecoverableError, WaitingError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { startTrainRun } from '../report/train-run.js';
import { decodeCheckpoint } from '../io/checkpoint.js';
import { checkRedis, connectionLogger, connectionOptions, KEYS, PREFIX, QUEUE, type RedisTarget } from './redis.js';
import { identity, refusal, type RunJobData } from './job.js';

export interface WorkerOptions {
  target: RedisTarget;
  /** Runs at a time on this machine. */
  concurrency: number;
  /** Arguments added to every child run that change how, not what, it computes (e.g. threads). */
  extraArgs?: string[];
  /** Folders a job's --data-dir may point into. */
  dataDirs: string[];
  /** BullMQ's lock of a running job, in seconds: a worker silent this long has lost its run (default 30). */
  lockSeconds?: number;
  /** How often BullMQ looks for runs whose lock expired, in seconds (default 30). */
  stalledSeconds?: number;
  /** Exit once a sweep has been queued and the queue has had nothing waiting or running for this many seconds (default: never). */
  idleExitSeconds?: number;
  stream?: NodeJS.WritableStream;
  signal?: AbortSignal;
}

export interface WorkerSummary { ran: number; failed: number; refused: number }

/** How many times a run that stalls (its worker died) is handed to another worker before it is failed. */
const MAX_STALLED = 3;

export async function runWorker(o: WorkerOptions): Promise<WorkerSummary> {
  const stream = o.stream ?? process.stderr;
  const name = `${hostname()}:${process.pid}`;
  const say = (s: string) => stream.write(`worker ${name}: ${s}\n`);
  await checkRedis(o.target);
  const me = identity();
  const redis = new Redis(connectionOptions(o.target, `bioprop-worker-state ${name}`));
  redis.on('error', connectionLogger(o.target, say));
  const summary: WorkerSummary = { ran: 0, failed: 0, refused: 0 };
  const record = async (why: string, jobId?: string) => {
    summary.refused++;
    say(`refused${jobId ? ` job ${jobId}` : ''}: ${why}`);
    await redis.rpush(KEYS.refused, JSON.stringify({ at: new Date().toISOString(), worker: name, version: me.version, build: me.build, jobId, reason: why }));
  };
  const mismatch = (v: unknown, b: unknown) => `the sweep was queued by bioprop ${String(v)} (build ${String(b)}), this worker is bioprop ${me.version} (build ${me.build}): ` +
    `results would not be comparable; install the coordinator's version on this machine`;

  const published = await redis.get(KEYS.build);
  if (published) {
    const p = JSON.parse(published) as { version?: string; build?: string };
    if (p.version !== me.version || p.build !== me.build) {
      const why = mismatch(p.version, p.build);
      await record(why);
      redis.disconnect();
      throw new Error(`refused: ${why}`);
    }
  }

  const children = new Set<{ kill: (s: NodeJS.Signals) => boolean }>();
  let fatal: Error | undefined;
  const stop = new AbortController();

  let tookWork = false;
  const processor = async (job: Job<RunJobData>, token?: string) => {
    tookWork = true;
    const d = job.data as unknown as Record<string, unknown>;
    if (d && typeof d === 'object' && (d.version !== me.version || d.build !== me.build) && typeof d.build === 'string') {
      // Give the run back untouched for a worker of the right build, and stop taking runs.
      const why = mismatch(d.version, d.build);
      fatal ??= new Error(`refused: ${why}`);
      await record(why, job.id);
      stop.abort();
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const why = refusal(d, { dataDirs: o.dataDirs });
    if (why) {
      await record(why, job.id);
      throw new UnrecoverableError(`refused: ${why}`);
    }
    const data = job.data;
    const stateKey = KEYS.state(job.id!);
    const tmp = mkdtempSync(join(tmpdir(), 'bioprop-worker-'));
    const ckpt = join(tmp, 'state.bpn');
    const argvJson = JSON.stringify(data.argv);
    try {
      // A state saved by the worker that had this run before: resume from it.
      const [savedArgv, bytes] = await Promise.all([redis.hget(stateKey, 'argv'), redis.hgetBuffer(stateKey, 'bytes')]);
      const resumed = savedArgv === argvJson && bytes !== null && bytes.length > 0;
      if (resumed) writeFileSync(ckpt, bytes);
      say(`${resumed ? 'resuming' : 'starting'} ${data.key}${job.attemptsMade ? ` (attempt ${job.attemptsMade + 1})` : ''}`);

      // Upload each new state the child writes (it renames a finished file into place, so what is read is whole).
      let seen = '', uploading: Promise<unknown> = Promise.resolve();
      const sync = () => {
        let st;
        try { st = statSync(ckpt); } catch { return; }
        const stamp = `${st.ino}:${st.mtimeMs}:${st.size}`;
        if (stamp === seen) return;
        seen = stamp;
        let b: Buffer;
        try {
          b = readFileSync(ckpt);
          decodeCheckpoint(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), ckpt); // a checksummed, whole file
        } catch { seen = ''; return; }
        uploading = uploading.then(() => redis.hset(stateKey, { argv: argvJson, bytes: b })).catch((e: Error) => say(`could not store the state of ${data.key}: ${e.message}`));
      };
      if (resumed) seen = (() => { const st = statSync(ckpt); return `${st.ino}:${st.mtimeMs}:${st.size}`; })();
      let lastProgress = 0;
      const run = startTrainRun({
        argv: data.argv, extraArgs: o.extraArgs, out: join(tmp, 'record.json'), checkpoint: ckpt, timeoutSeconds: data.timeoutSeconds,
        onProgress: (fraction, stage) => {
          const now = Date.now();
          if (now - lastProgress < 1000) return;
          lastProgress = now;
          job.updateProgress({ fraction, stage, worker: name }).catch(() => { /* progress is only a hint */ });
        },
      });
      children.add(run.child);
      const poll = setInterval(sync, 100);
      const outcome = await run.done;
      clearInterval(poll);
      children.delete(run.child);
      await uploading;
      if (stop.signal.aborted && !outcome.record) {
        // Stopped (Ctrl-C, a batch system's time limit): the run goes back to the queue without using
        // one of its attempts, and the next worker resumes it from its stored state.
        say(`stopped ${data.key}; it goes back to the queue`);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (outcome.record) {
        summary.ran++;
        say(`finished ${data.key} in ${outcome.wallSeconds.toFixed(1)} s`);
        return { record: outcome.record, wallSeconds: outcome.wallSeconds, worker: name };
      }
      summary.failed++;
      say(`failed ${data.key}: ${outcome.error}`);
      // A command line the CLI refuses, or a run out of time, fails the same way again: no retry.
      if (outcome.usage) throw new UnrecoverableError(`refused by bioprop train: ${outcome.error}`);
      if (outcome.timedOut) throw new UnrecoverableError(outcome.error!);
      throw new Error(outcome.error);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  };

  const worker = new Worker<RunJobData>(QUEUE, processor, {
    connection: connectionOptions(o.target, `bioprop-worker ${name}`), prefix: PREFIX, name, concurrency: o.concurrency, skipVersionCheck: true,
    maxStalledCount: MAX_STALLED,
    ...(o.lockSeconds ? { lockDuration: o.lockSeconds * 1000 } : {}),
    ...(o.stalledSeconds ? { stalledInterval: o.stalledSeconds * 1000 } : {}),
  });
  worker.on('error', connectionLogger(o.target, say));
  say(`bioprop ${me.version} (build ${me.build}) taking runs from ${o.target.where}, ${o.concurrency} at a time`);

  const onAbort = () => stop.abort();
  o.signal?.addEventListener('abort', onAbort);
  let idle: ReturnType<typeof setInterval> | undefined;
  let counter: Queue | undefined;
  if (o.idleExitSeconds) {
    counter = new Queue(QUEUE, { connection: connectionOptions(o.target, `bioprop-worker-idle ${name}`), prefix: PREFIX, skipVersionCheck: true });
    counter.on('error', connectionLogger(o.target, say));
    // The clock runs once there is a sweep (a coordinator has published its build, or there has been
    // work): a worker started before the sweep is queued waits for it.
    let since = Date.now(), seenWork = false;
    idle = setInterval(() => {
      if (children.size > 0) { since = Date.now(); return; }
      seenWork ||= tookWork;
      Promise.all([counter!.getJobCounts('wait', 'active', 'delayed', 'prioritized'), redis.exists(KEYS.build)]).then(([c, sweep]) => {
        if (sweep) seenWork = true;
        if (Object.values(c).some((n) => n > 0)) { since = Date.now(); seenWork = true; }
        else if (seenWork && Date.now() - since >= o.idleExitSeconds! * 1000) { say(`the queue has been empty for ${o.idleExitSeconds} s; exiting`); stop.abort(); }
      }, () => { since = Date.now(); });
    }, 1000);
  }
  await new Promise<void>((resolve) => {
    if (stop.signal.aborted) resolve();
    stop.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  o.signal?.removeEventListener('abort', onAbort);
  if (idle) clearInterval(idle);
  // Running children are stopped and their runs handed back (see the processor).
  for (const c of children) c.kill('SIGTERM');
  await worker.close();
  await counter?.close();
  redis.disconnect();
  if (fatal) throw fatal;
  return summary;
}
