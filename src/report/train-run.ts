// One run of a sweep: a child `bioprop train <argv> --out FILE --checkpoint FILE --resume-or-restart` process, its
// progress lines followed, its record read back, its failure put in one line. The local sweep
// (src/report/sweep.ts) and a queue worker (src/queue/worker.ts) both run every run through here, so a
// run trains the same way wherever it runs. Node only.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunSpec, RuleMeta } from './config.js';
import type { ResultLine, RunRecord } from './results.js';
import { fractionOf } from './live.js';

export const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));

export interface TrainRunOptions {
  /** The run's `bioprop train` arguments (the RunSpec's argv). */
  argv: readonly string[];
  /** Arguments that change how, not what, the run computes (appended after argv). */
  extraArgs?: readonly string[];
  /** Where the child writes its record (removed after reading). */
  out: string;
  /** Its training-state file: resumed from when present, rewritten after every epoch. */
  checkpoint: string;
  env?: Record<string, string>;
  /** Stop the run after this many seconds and report it as failed. */
  timeoutSeconds?: number;
  /** Called on each progress line: fraction of the run done and the stage ('epoch 2/3'). */
  onProgress?: (fraction: number, stage: string) => void;
}

export interface TrainRunOutcome {
  /** The run's record, when it exited 0 and wrote one. */
  record?: RunRecord;
  /** Why it failed (its last error line, or how it ended), when there is no record. */
  error?: string;
  /** Exit code 2: the CLI refused the command line before doing any work. */
  usage: boolean;
  timedOut: boolean;
  wallSeconds: number;
}

/** Starts the run. `child` can be killed; `done` resolves (never rejects) when it has ended. */
export function startTrainRun(o: TrainRunOptions): { child: ChildProcess; done: Promise<TrainRunOutcome> } {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'train', ...o.argv, ...(o.extraArgs ?? []), '--out', o.out, '--checkpoint', o.checkpoint, '--resume-or-restart'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Runs side by side share the cores: one thread each unless the caller chose otherwise (its
    // environment, o.env, or --threads among extraArgs).
    env: { BIOPROP_THREADS: '1', ...process.env, ...o.env, BIOPROP_PROGRESS: 'json' },
  });
  const errTail: string[] = [];
  let buf = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    buf += s;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith('{"progress"')) {
        try {
          const p = JSON.parse(line).progress as { label: string; done: number; total: number };
          o.onProgress?.(fractionOf(p.label, p.done, p.total), p.label);
        } catch { /* a progress line is only a hint */ }
      } else if (line.trim()) {
        errTail.push(line);
        if (errTail.length > 20) errTail.shift();
      }
    }
  });
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (s: string) => {
    const m = /epoch\s+(\d+)\/(\d+)/.exec(s);
    if (m) o.onProgress?.(Number(m[1]) / Number(m[2]), `epoch ${m[1]}/${m[2]}`);
  });
  let timedOut = false;
  const killer = o.timeoutSeconds ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, o.timeoutSeconds * 1000) : undefined;
  const done = new Promise<TrainRunOutcome>((resolve) => {
    child.on('close', (code, sig) => {
      if (killer) clearTimeout(killer);
      if (buf.trim() && !buf.startsWith('{"progress"')) errTail.push(buf.trim());
      const wallSeconds = (performance.now() - started) / 1000;
      let record: RunRecord | undefined;
      if (code === 0) {
        try {
          record = JSON.parse(readFileSync(o.out, 'utf8')) as RunRecord;
        } catch (e) {
          errTail.push(`the run exited 0 but its record could not be read (${(e as Error).message})`);
        }
        rmSync(o.out, { force: true });
      }
      const error = record ? undefined : timedOut ? `timed out after ${o.timeoutSeconds} s (timeoutSeconds)` :
        (errTail[errTail.length - 1] ?? `exited with ${sig ? `signal ${sig}` : `code ${code}`}`).replace(/^bioprop train: /, '');
      resolve({ record, error, usage: code === 2, timedOut, wallSeconds });
    });
  });
  return { child, done };
}

/** The results line of a run of a sweep that ended with `outcome`. */
export function sweepLine(spec: RunSpec, meta: RuleMeta | undefined, outcome: { record?: RunRecord; error?: string; wallSeconds: number }, finishedAt = new Date()): ResultLine {
  const base = {
    key: spec.key, run: { rule: spec.rule, dataset: spec.dataset, depth: spec.depth, width: spec.width, mode: spec.mode, seed: spec.seed, argv: spec.argv },
    meta, wallSeconds: outcome.wallSeconds, finishedAt: finishedAt.toISOString(),
  };
  return outcome.record ? { ...base, status: 'ok', record: outcome.record } : { ...base, status: 'error', error: outcome.error ?? 'failed' };
}

/** The one-line report of a recorded run: '[3/8] fa mnist 1×8 rate seed 1: 91.20% in 4.1 s'. */
export function lineSummary(line: ResultLine, label: string, n: number, total: number): string {
  if (line.status === 'error') return `[${n}/${total}] FAILED ${label}: ${line.error}`;
  const acc = line.record.testAccuracy !== null ? `${(100 * line.record.testAccuracy).toFixed(2)}%` : '';
  return `[${n}/${total}] ${label}: ${acc} in ${line.wallSeconds.toFixed(1)} s`;
}
