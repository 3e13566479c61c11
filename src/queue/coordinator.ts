// `bioprop compare --queue URL`: the sweep planned as for a local run, its unfinished runs put on a
// BullMQ queue in Redis for `bioprop worker` processes on any number of machines, and followed: each
// finished run is appended to the results file (then its job and stored training state are deleted),
// until every planned run has its line. The job id is a digest of the run key, so enqueueing the same
// sweep again (a restarted coordinator, a second one) adds nothing; a coordinator that starts first
// records the runs that finished while none was following. Node only.
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { RunSpec } from '../report/config.js';
import { runLabel } from '../report/config.js';
import { appendResult, latestByKey, readResults, type ResultLine, type RunRecord } from '../report/results.js';
import { pendingRuns, type SweepOptions, type SweepSummary } from '../report/sweep.js';
import { LiveView, type LiveRun } from '../report/live.js';
import { sweepLine, lineSummary } from '../report/train-run.js';
import { checkRedis, connectionLogger, connectionOptions, KEYS, PREFIX, QUEUE, type RedisTarget } from './redis.js';
import { identity, jobIdOf, JOB_LAYOUT, type RunJobData } from './job.js';

export interface QueueSweepOptions extends Omit<SweepOptions, 'workers' | 'env'> {
  target: RedisTarget;
  /** Tries per run before it is recorded as failed (default 3; a retry resumes from the stored state). */
  attempts?: number;
}

/** When a recorded run went through the queue (ms since the epoch; enqueued by this machine's clock, started and finished by the worker's). */
export interface QueueRunTimes { worker: string; enqueued: number; started: number; finished: number; recorded: number; childSeconds: number }

export interface QueueSweepSummary extends SweepSummary { times: QueueRunTimes[] }

interface Returned { record: RunRecord; wallSeconds: number; worker: string }

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The queue's overhead per run, in one line: enqueue → start counted from when the worker that took the
 * run was free (its previous run finished), the worker's own part around the child run (fetching and
 * storing state, spawning: finished − started − the child's wall time), and finish → record.
 */
export function describeTimes(t: readonly QueueRunTimes[]): string {
  if (t.length === 0) return 'no runs recorded';
  const pickup: number[] = [];
  const lastFinish = new Map<string, number>();
  for (const r of [...t].sort((a, b) => a.started - b.started)) {
    pickup.push(r.started - Math.max(r.enqueued, lastFinish.get(r.worker) ?? -Infinity));
    lastFinish.set(r.worker, Math.max(lastFinish.get(r.worker) ?? -Infinity, r.finished));
  }
  const ms = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (max ${Math.max(...xs).toFixed(0)} ms)`;
  return `queue overhead per run over ${t.length} runs: enqueue→start with a worker free ${ms(pickup)}, ` +
    `worker around the child run ${ms(t.map((r) => r.finished - r.started - 1000 * r.childSeconds))}, finish→record ${ms(t.map((r) => r.recorded - r.finished))}`;
}

/** The connections of a coordinator, and the bookkeeping shared by a full sweep and --report-only. */
class Coordinator {
  readonly queue: Queue<RunJobData>;
  readonly redis: Redis;
  readonly byKey: Map<string, RunSpec>;
  readonly times: QueueRunTimes[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly plan: readonly RunSpec[], readonly o: QueueSweepOptions, readonly say: (s: string) => void) {
    this.byKey = new Map(plan.map((r) => [r.key, r]));
    this.queue = new Queue<RunJobData>(QUEUE, { connection: connectionOptions(o.target, 'bioprop-coordinator'), prefix: PREFIX, skipVersionCheck: true });
    this.queue.on('error', connectionLogger(o.target, say));
    this.redis = new Redis(connectionOptions(o.target, 'bioprop-coordinator-state'));
    this.redis.on('error', connectionLogger(o.target, say));
  }

  /** The planned run of a job, or undefined for a job of another sweep (or one written by hand). */
  specOf(job: Job<RunJobData>): RunSpec | undefined {
    const key = (job.data as { key?: unknown })?.key;
    const spec = typeof key === 'string' ? this.byKey.get(key) : undefined;
    return spec && job.id === jobIdOf(spec.key) ? spec : undefined;
  }

  /**
   * Appends the line of a finished job of this sweep (once: a line with the job's finish time is
   * already there after a crash between append and delete), then deletes the job and its state.
   * Calls are serialised. Resolves with the line, or null when the job is not finished or not ours.
   */
  record(job: Job<RunJobData>, onLine: (line: ResultLine, spec: RunSpec) => void): Promise<ResultLine | null> {
    const next = this.chain.then(async () => {
      const spec = this.specOf(job);
      if (!spec) return null;
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed') return null;
      const finishedAt = new Date(job.finishedOn ?? Date.now());
      const rv = job.returnvalue as Returned | null;
      const ok = state === 'completed' && rv && typeof rv.record === 'object' && rv.record !== null;
      const base = sweepLine(spec, this.o.meta(spec.rule), ok
        ? { record: rv.record, wallSeconds: rv.wallSeconds }
        : { error: state === 'completed' ? 'the worker returned no run record' : job.failedReason, wallSeconds: job.processedOn && job.finishedOn ? (job.finishedOn - job.processedOn) / 1000 : 0 }, finishedAt);
      // Where and when the run went through the queue (extra fields a report ignores).
      const line: ResultLine = Object.assign(base, { queue: { worker: ok ? rv.worker : (job.processedBy ?? null), enqueuedAt: new Date(job.timestamp).toISOString(), startedAt: job.processedOn ? new Date(job.processedOn).toISOString() : null, attempts: job.attemptsMade } });
      const have = latestByKey(readResults(this.o.resultsPath).lines).get(spec.key);
      if (!have || have.finishedAt !== line.finishedAt) {
        appendResult(this.o.resultsPath, line);
        const fd = openSync(this.o.resultsPath, 'r');
        try { fsyncSync(fd); } finally { closeSync(fd); }
        if (ok && job.processedOn && job.finishedOn) {
          this.times.push({ worker: rv.worker, enqueued: job.timestamp, started: job.processedOn, finished: job.finishedOn, recorded: Date.now(), childSeconds: rv.wallSeconds });
        }
        onLine(line, spec);
      }
      await job.remove();
      await this.redis.del(KEYS.state(job.id!));
      return line;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Records every finished job of this sweep that is still in the queue. */
  async recordFinished(onLine: (line: ResultLine, spec: RunSpec) => void): Promise<void> {
    for (const job of await this.queue.getJobs(['completed', 'failed'], 0, -1)) if (job) await this.record(job as Job<RunJobData>, onLine);
  }

  async close(): Promise<void> {
    await this.chain;
    await this.queue.close();
    this.redis.disconnect();
  }
}

/** `--queue` with `--report-only`: appends the runs finished so far; runs nothing, enqueues nothing. */
export async function recordFinishedRuns(plan: readonly RunSpec[], o: QueueSweepOptions): Promise<number> {
  const stream = o.stream ?? process.stderr;
  await checkRedis(o.target);
  const c = new Coordinator(plan, o, (s) => stream.write(`compare: ${s}\n`));
  let n = 0;
  try {
    await c.recordFinished(() => { n++; });
  } finally {
    await c.close();
  }
  return n;
}

/** Enqueues the unfinished runs of `plan` and follows them until each has its line in the results file. */
export async function runQueuedSweep(plan: readonly RunSpec[], o: QueueSweepOptions): Promise<QueueSweepSummary> {
  const stream = o.stream ?? process.stderr;
  await checkRedis(o.target);
  const { todo, summary } = pendingRuns(plan, o);
  if (todo.length === 0) return { ...summary, times: [] };

  const view = new LiveView(stream, todo.length);
  const say = (s: string) => view.say(`compare: ${s}`);
  const c = new Coordinator(plan, o, say);
  const events = new QueueEvents(QUEUE, { connection: connectionOptions(o.target, 'bioprop-coordinator-events'), prefix: PREFIX });
  events.on('error', connectionLogger(o.target, say));
  const me = identity();
  const remaining = new Set(todo.map((r) => r.key));
  const todoById = new Map(todo.map((r) => [jobIdOf(r.key), r]));
  const running = new Map<string, LiveRun>();
  const onLine = (line: ResultLine, spec: RunSpec) => {
    const live = running.get(jobIdOf(spec.key));
    if (live) view.active.delete(live);
    running.delete(jobIdOf(spec.key));
    if (!remaining.delete(spec.key)) return; // a line of a run that was not to do this time
    view.finished++;
    summary.ran++;
    if (line.status === 'error') summary.failed++;
    view.say(lineSummary(line, runLabel(spec), view.finished, todo.length));
  };
  const track = (jobId: string, progress?: unknown) => {
    const spec = todoById.get(jobId);
    if (!spec || !remaining.has(spec.key)) return;
    let live = running.get(jobId);
    if (!live) {
      live = { label: runLabel(spec), started: performance.now(), fraction: 0, stage: 'starting' };
      running.set(jobId, live);
      view.active.add(live);
    }
    const p = progress as { fraction?: unknown; stage?: unknown; worker?: unknown } | undefined;
    if (p && typeof p.fraction === 'number') live.fraction = p.fraction;
    if (p && typeof p.stage === 'string') live.stage = `${p.stage}${typeof p.worker === 'string' ? ` on ${p.worker}` : ''}`;
  };

  let refusedSeen = await c.redis.llen(KEYS.refused);
  const showRefusals = async () => {
    const got = await c.redis.lrange(KEYS.refused, refusedSeen, -1);
    refusedSeen += got.length;
    for (const g of got) {
      try {
        const r = JSON.parse(g) as { worker?: string; jobId?: string; reason?: string };
        say(`worker ${r.worker} refused${r.jobId ? ` job ${r.jobId}` : ''}: ${r.reason}`);
      } catch { /* not ours */ }
    }
  };

  const abort = new Promise<void>((resolve) => {
    if (o.signal?.aborted) resolve();
    o.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  const attempts = o.attempts ?? 3;
  const enqueue = (specs: RunSpec[]) => c.queue.addBulk(specs.map((spec) => ({
    name: runLabel(spec),
    data: { layout: JOB_LAYOUT, key: spec.key, argv: spec.argv, version: me.version, build: me.build, ...(o.timeoutSeconds ? { timeoutSeconds: o.timeoutSeconds } : {}) },
    opts: { jobId: jobIdOf(spec.key), attempts, backoff: { type: 'fixed' as const, delay: 1000 }, removeOnComplete: false, removeOnFail: false },
  })));
  try {
    await c.redis.set(KEYS.build, JSON.stringify(me));
    // Runs that finished while no coordinator was following.
    await c.recordFinished(onLine);
    // Enqueue what is left. A job still in the queue (waiting, running) is kept; a finished one of an
    // earlier try is replaced (--retry-failed); one queued by another build is replaced too.
    const add: RunSpec[] = [];
    for (const spec of todo) {
      if (!remaining.has(spec.key)) continue;
      const job = await c.queue.getJob(jobIdOf(spec.key)) as Job<RunJobData> | undefined;
      if (job) {
        const state = await job.getState();
        const stale = state === 'completed' || state === 'failed' || ((state === 'waiting' || state === 'delayed' || state === 'prioritized') && job.data?.build !== me.build);
        if (!stale) continue;
        await job.remove();
      }
      add.push(spec);
    }
    await enqueue(add);
    say(`${add.length} run${add.length === 1 ? '' : 's'} queued on ${o.target.where}${todo.length - add.length ? `, ${todo.length - add.length} already there` : ''}; ` +
      `start workers with 'bioprop worker --queue ${o.target.where}'`);

    let wake: () => void = () => {};
    const wakeUp = () => wake();
    events.on('active', ({ jobId }) => track(jobId));
    events.on('progress', ({ jobId, data }) => track(jobId, data));
    events.on('completed', wakeUp);
    events.on('failed', wakeUp);
    // Running jobs already (a restarted coordinator).
    for (const job of await c.queue.getActive()) if (job?.id) track(job.id, job.progress);
    let lastWorkerCheck = Date.now() - 20_000; // the first look after 10 s
    while (remaining.size > 0 && !o.signal?.aborted) {
      await Promise.race([abort, new Promise<void>((r) => { wake = r; setTimeout(r, 1000); })]);
      if (o.signal?.aborted) break;
      // Events are a prompt, not the record: the queue itself is read, so nothing is missed while the
      // coordinator or Redis was away.
      await c.recordFinished(onLine);
      await showRefusals();
      if (Date.now() - lastWorkerCheck > 30_000) {
        lastWorkerCheck = Date.now();
        await c.redis.set(KEYS.build, JSON.stringify(me));
        // Runs gone from the queue without a line (a Redis restarted without persistence) are queued again.
        const lost: RunSpec[] = [];
        for (const key of remaining) if (!(await c.queue.getJob(jobIdOf(key)))) lost.push(c.byKey.get(key)!);
        await c.recordFinished(onLine);
        const still = lost.filter((r) => remaining.has(r.key));
        if (still.length) {
          say(`${still.length} run${still.length === 1 ? ' was' : 's were'} no longer in the queue (Redis lost them); queued again`);
          await enqueue(still);
        }
        if (running.size === 0 && (await c.queue.getWorkersCount()) === 0) say(`no worker is connected to ${o.target.where} yet`);
      }
    }
    await showRefusals();
  } finally {
    view.close();
    await events.close();
    await c.close();
  }
  summary.interrupted = !!o.signal?.aborted;
  return { ...summary, times: c.times };
}
