// The sweep runner: each planned run is a child `bioprop train … --out FILE` process (so runs are
// isolated: a crash, a divergence or a leak in one cannot touch another), up to `workers` at a time.
// As each run ends its result is appended to the results file as one JSON line; runs whose key is
// already there are skipped, so re-running the same command resumes an interrupted sweep. A failed run
// gets an error line (on stderr and in the file) and the sweep goes on. Each run also checkpoints its
// training state after every epoch (`--checkpoint <results folder>/checkpoints/<hash of argv>.bpn
// --resume`), so a run interrupted mid-way continues from its last finished epoch, bit-identically, when
// the sweep is re-run; the checkpoint is deleted once the run's line is written. Node only.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunSpec, RuleMeta } from './config.js';
import { runLabel } from './config.js';
import { appendResult, latestByKey, readResults, repairResults, type ResultLine, type RunRecord } from './results.js';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));

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

interface Active {
  spec: RunSpec;
  child: ChildProcess;
  started: number;
  fraction: number;
  stage: string;
}

const fmtTime = (s: number) => {
  if (!Number.isFinite(s)) return '?';
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
};
const bar = (f: number, width = 20) => {
  const fill = Math.max(0, Math.min(width, Math.round(width * f)));
  return '█'.repeat(fill) + '░'.repeat(width - fill);
};

/**
 * The training-state file a sweep's run checkpoints to, beside the results file: one per exact command
 * line, observer flags included (unlike the run key), because a checkpoint resumes only under the command
 * that made it (`--align-every` adds the measurement's scratch tensors to the state).
 */
export function runCheckpointPath(resultsPath: string, argv: readonly string[]): string {
  return join(dirname(resultsPath), 'checkpoints', `${createHash('sha1').update(JSON.stringify(argv)).digest('hex').slice(0, 16)}.bpn`);
}

/** Fraction of a run done, from a child's progress label 'epoch e/E' and its batch counts. */
function fractionOf(label: string, done: number, total: number): number {
  const m = /epoch (\d+)\/(\d+)/.exec(label);
  if (!m) return total > 0 ? done / total : 0;
  const e = Number(m[1]), E = Number(m[2]);
  return (e - 1 + (total > 0 ? done / total : 0)) / E;
}

/** Runs the planned runs not yet in the results file. Resolves when all ran or the signal aborted. */
export async function runSweep(plan: readonly RunSpec[], o: SweepOptions): Promise<SweepSummary> {
  const stream = o.stream ?? process.stderr;
  const tty = !!stream.isTTY;
  const repairedBytes = repairResults(o.resultsPath);
  if (repairedBytes > 0) stream.write(`compare: ignored a half-written last line (${repairedBytes} bytes) in ${o.resultsPath}\n`);
  const done = latestByKey(readResults(o.resultsPath).lines);
  const todo = plan.filter((r) => {
    const l = done.get(r.key);
    return !l || (o.retryFailed && l.status === 'error');
  });
  const summary: SweepSummary = { planned: plan.length, skipped: plan.length - todo.length, ran: 0, failed: 0, repairedBytes, interrupted: false };
  if (summary.skipped > 0) stream.write(`compare: ${summary.skipped} of ${plan.length} runs already in ${o.resultsPath}, ${todo.length} to go\n`);
  if (todo.length === 0) return summary;

  const tmp = mkdtempSync(join(tmpdir(), 'bioprop-compare-'));
  const active = new Set<Active>();
  const t0 = performance.now();
  let finished = 0, drawn = 0, next = 0;
  const total = todo.length;

  const draw = () => {
    if (!tty) return;
    const elapsed = (performance.now() - t0) / 1000;
    const partial = [...active].reduce((s, a) => s + a.fraction, 0);
    const f = (finished + partial) / total;
    const eta = f > 0 ? (elapsed * (1 - f)) / f : NaN;
    const lines = [`sweep ${bar(f, 24)} ${finished}/${total} runs  ${fmtTime(elapsed)} elapsed  ETA ${fmtTime(eta)}`];
    for (const a of active) {
      const t = (performance.now() - a.started) / 1000;
      const etaRun = a.fraction > 0.01 ? (t * (1 - a.fraction)) / a.fraction : NaN;
      lines.push(`  ${runLabel(a.spec).padEnd(32)} ${bar(a.fraction, 12)} ${String(Math.round(100 * a.fraction)).padStart(3)}%  ${fmtTime(t)}  ETA ${fmtTime(etaRun)}  ${a.stage}`);
    }
    let out = drawn > 0 ? `\x1b[${drawn}F` : '';
    out += lines.map((l) => `\x1b[2K${l.slice(0, (stream.columns ?? 160) - 1)}`).join('\n') + '\n';
    // Clear lines left over from a taller previous frame.
    for (let i = lines.length; i < drawn; i++) out += '\x1b[2K\n';
    if (drawn > lines.length) out += `\x1b[${drawn - lines.length}F`;
    stream.write(out);
    drawn = lines.length;
  };
  const say = (s: string) => {
    if (tty && drawn > 0) stream.write(`\x1b[${drawn}F\x1b[J`);
    drawn = 0;
    stream.write(s + '\n');
    draw();
  };
  const timer = tty ? setInterval(draw, 250) : undefined;

  const launch = (spec: RunSpec): Promise<void> =>
    new Promise((resolve) => {
      const out = join(tmp, `run-${next++}.json`);
      const ckpt = runCheckpointPath(o.resultsPath, spec.argv);
      mkdirSync(dirname(ckpt), { recursive: true });
      const child = spawn(process.execPath, [BIN, 'train', ...spec.argv, ...(o.trainArgs ?? []), '--out', out, '--checkpoint', ckpt, '--resume'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...o.env, BIOPROP_PROGRESS: 'json' },
      });
      const a: Active = { spec, child, started: performance.now(), fraction: 0, stage: 'starting' };
      active.add(a);
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
              a.fraction = fractionOf(p.label, p.done, p.total);
              a.stage = p.label;
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
        if (m) a.fraction = Math.max(a.fraction, Number(m[1]) / Number(m[2]));
      });
      let timedOut = false;
      const killer = o.timeoutSeconds ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, o.timeoutSeconds * 1000) : undefined;
      child.on('close', (code, sig) => {
        if (killer) clearTimeout(killer);
        active.delete(a);
        if (buf.trim() && !buf.startsWith('{"progress"')) errTail.push(buf.trim());
        const wallSeconds = (performance.now() - a.started) / 1000;
        if (o.signal?.aborted) { resolve(); return; } // interrupted: not recorded, resumes next time
        const base = { key: spec.key, run: { rule: spec.rule, dataset: spec.dataset, depth: spec.depth, width: spec.width, mode: spec.mode, seed: spec.seed, argv: spec.argv }, meta: o.meta(spec.rule), wallSeconds, finishedAt: new Date().toISOString() };
        let line: ResultLine;
        let record: RunRecord | undefined;
        if (code === 0) {
          try {
            record = JSON.parse(readFileSync(out, 'utf8')) as RunRecord;
          } catch (e) {
            errTail.push(`the run exited 0 but its record could not be read (${(e as Error).message})`);
          }
          rmSync(out, { force: true });
        }
        if (record) {
          line = { ...base, status: 'ok', record };
        } else {
          const why = timedOut ? `timed out after ${o.timeoutSeconds} s (timeoutSeconds)` :
            (errTail[errTail.length - 1] ?? `exited with ${sig ? `signal ${sig}` : `code ${code}`}`).replace(/^bioprop train: /, '');
          line = { ...base, status: 'error', error: why };
          summary.failed++;
        }
        appendResult(o.resultsPath, line);
        rmSync(ckpt, { force: true }); // recorded: a re-run (--retry-failed) starts afresh
        finished++;
        summary.ran++;
        const acc = line.status === 'ok' && line.record.testAccuracy !== null ? `${(100 * line.record.testAccuracy).toFixed(2)}%` : '';
        say(line.status === 'ok'
          ? `[${finished}/${total}] ${runLabel(spec)}: ${acc} in ${wallSeconds.toFixed(1)} s`
          : `[${finished}/${total}] FAILED ${runLabel(spec)}: ${line.error}`);
        resolve();
      });
    });

  const abort = () => { for (const a of active) a.child.kill('SIGTERM'); };
  o.signal?.addEventListener('abort', abort);
  try {
    const queue = [...todo];
    const worker = async () => {
      while (queue.length > 0 && !o.signal?.aborted) await launch(queue.shift()!);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.workers, todo.length)) }, worker));
  } finally {
    o.signal?.removeEventListener('abort', abort);
    if (timer) clearInterval(timer);
    if (tty && drawn > 0) stream.write(`\x1b[${drawn}F\x1b[J`);
    rmSync(tmp, { recursive: true, force: true });
    try { rmdirSync(join(dirname(o.resultsPath), 'checkpoints')); } catch { /* absent, or runs left to resume */ }
  }
  summary.interrupted = !!o.signal?.aborted;
  return summary;
}
