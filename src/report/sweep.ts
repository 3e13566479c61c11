// The sweep runner: each planned run is a child `bioprop train … --out FILE` process (so runs are
// isolated: a crash, a divergence or a leak in one cannot touch another), up to `workers` at a time.
// As each run ends its result is appended to the results file as one JSON line; runs whose key is
// already there are skipped, so re-running the same command resumes an interrupted sweep. A failed run
// gets an error line (on stderr and in the file) and the sweep goes on. Each run also checkpoints its
// training state after every epoch (`--checkpoint <results folder>/checkpoints/<hash of argv>.bpn
// --resume-or-restart`), so a run interrupted mid-way continues from its last finished epoch,
// bit-identically, when the sweep is re-run, and one whose checkpoint a changed default has outdated
// starts afresh rather than failing; the checkpoint is deleted once the run's line is written. Node only.
import { type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunSpec, RuleMeta } from './config.js';
import { runLabel } from './config.js';
import { appendResult, latestByKey, readResults, repairResults, type ResultLine } from './results.js';
import { LiveView, type LiveRun } from './live.js';
import { startTrainRun, sweepLine, lineSummary } from './train-run.js';

export interface SweepOptions {
  resultsPath: string;
  workers: number;
  /** Stop a run after this many seconds and record it as failed. */
  timeoutSeconds?: number;
  /** Run again the runs whose last line is an error (default: they count as finished). */
  retryFailed?: boolean;
  meta: (rule: string) => RuleMeta | undefined;
  /** Progress and error lines go here (default process.stderr). */
  stream?: NodeJS.WriteStream;
  signal?: AbortSignal;
  /** Extra environment for the child runs. */
  env?: Record<string, string>;
  /** Extra `bioprop train` arguments for every child run that are no part of a run's identity (e.g. --plugin FILE). */
  trainArgs?: readonly string[];
  /** Why a finished run is out of date, as reasons (src/report/stale.ts staleReasons: defaults changed since,
   *  a changed computation fingerprint, …): such a run is run again. */
  stale?: (line: ResultLine) => string[];
}

export interface SweepSummary {
  planned: number;
  skipped: number;
  ran: number;
  failed: number;
  /** Bytes of a half-written last line that were cut off before resuming. */
  repairedBytes: number;
  interrupted: boolean;
}

/**
 * The training-state file a sweep's run checkpoints to, beside the results file: one per exact command
 * line, observer flags included (unlike the run key), because a checkpoint resumes only under the command
 * that made it (`--align-every` adds the measurement's scratch tensors to the state).
 */
export function runCheckpointPath(resultsPath: string, argv: readonly string[]): string {
  return join(dirname(resultsPath), 'checkpoints', `${createHash('sha1').update(JSON.stringify(argv)).digest('hex').slice(0, 16)}.bpn`);
}

/**
 * The start of a sweep, local or queued: cuts off a half-written last line of the results file and
 * picks the planned runs not yet in it (and those recorded as failed, with retryFailed, and those `stale`
 * finds out of date: made under defaults or by a computation that have changed since).
 */
export function pendingRuns(plan: readonly RunSpec[], o: Pick<SweepOptions, 'resultsPath' | 'retryFailed' | 'stream' | 'stale'>): { todo: RunSpec[]; summary: SweepSummary } {
  const stream = o.stream ?? process.stderr;
  const repairedBytes = repairResults(o.resultsPath);
  if (repairedBytes > 0) stream.write(`compare: ignored a half-written last line (${repairedBytes} bytes) in ${o.resultsPath}\n`);
  const done = latestByKey(readResults(o.resultsPath).lines);
  const stale: string[] = [];
  const todo = plan.filter((r) => {
    const l = done.get(r.key);
    if (l && l.status === 'ok' && o.stale) {
      const changed = o.stale(l);
      if (changed.length > 0) { stale.push(`  ${runLabel(r)}: ${changed.join(', ')}`); return true; }
    }
    return !l || (o.retryFailed && l.status === 'error');
  });
  if (stale.length > 0) stream.write(`compare: ${stale.length} finished run${stale.length > 1 ? 's' : ''} made under older defaults or by another computation will run again:\n${stale.join('\n')}\n`);
  const summary: SweepSummary = { planned: plan.length, skipped: plan.length - todo.length, ran: 0, failed: 0, repairedBytes, interrupted: false };
  if (summary.skipped > 0) stream.write(`compare: ${summary.skipped} of ${plan.length} runs already in ${o.resultsPath}, ${todo.length} to go\n`);
  return { todo, summary };
}

/** Runs the planned runs not yet in the results file. Resolves when all ran or the signal aborted. */
export async function runSweep(plan: readonly RunSpec[], o: SweepOptions): Promise<SweepSummary> {
  const stream = o.stream ?? process.stderr;
  const { todo, summary } = pendingRuns(plan, o);
  if (todo.length === 0) return summary;

  const tmp = mkdtempSync(join(tmpdir(), 'bioprop-compare-'));
  const children = new Set<ChildProcess>();
  let next = 0;
  const total = todo.length;
  const view = new LiveView(stream, total);

  const launch = async (spec: RunSpec): Promise<void> => {
    const out = join(tmp, `run-${next++}.json`);
    const ckpt = runCheckpointPath(o.resultsPath, spec.argv);
    mkdirSync(dirname(ckpt), { recursive: true });
    const a: LiveRun = { label: runLabel(spec), started: performance.now(), fraction: 0, stage: 'starting' };
    const run = startTrainRun({ argv: spec.argv, extraArgs: o.trainArgs, out, checkpoint: ckpt, env: o.env, timeoutSeconds: o.timeoutSeconds,
      onProgress: (fraction, stage) => { a.fraction = Math.max(a.fraction, fraction); a.stage = stage; } });
    children.add(run.child);
    view.active.add(a);
    const outcome = await run.done;
    children.delete(run.child);
    view.active.delete(a);
    if (o.signal?.aborted) return; // interrupted: not recorded, resumes next time
    const line = sweepLine(spec, o.meta(spec.rule), outcome);
    if (line.status === 'error') summary.failed++;
    appendResult(o.resultsPath, line);
    rmSync(ckpt, { force: true }); // recorded: a re-run (--retry-failed) starts afresh
    view.finished++;
    summary.ran++;
    view.say(lineSummary(line, runLabel(spec), view.finished, total));
  };

  const abort = () => { for (const c of children) c.kill('SIGTERM'); };
  o.signal?.addEventListener('abort', abort);
  try {
    const queue = [...todo];
    const worker = async () => {
      while (queue.length > 0 && !o.signal?.aborted) await launch(queue.shift()!);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.workers, todo.length)) }, worker));
  } finally {
    o.signal?.removeEventListener('abort', abort);
    view.close();
    rmSync(tmp, { recursive: true, force: true });
    try { rmdirSync(join(dirname(o.resultsPath), 'checkpoints')); } catch { /* absent, or runs left to resume */ }
  }
  summary.interrupted = !!o.signal?.aborted;
  return summary;
}
