// The cost of a planned sweep, from epoch times measured on this machine: what `bioprop compare --dry-run`
// prints before anyone commits core-hours to a sweep. Browser-safe.
//
// Model: for one rule in one mode, an epoch's core-seconds grow with the training examples and with the
// network's weights (the GEMMs and spike propagation that dominate every rule scale with them), so each
// finished run gives a cost per example per weight,
//     c = wall seconds per epoch × threads / (training examples × Σ_l n_{l−1}·n_l),
// and a planned run of that rule and mode costs median(c) × examples × weights × epochs. The median is
// taken over the closest runs there are: of the current computation (a run whose rule has changed since,
// e.g. a phase rule that now presents each example three times, tells little of today's cost) and, among
// those, of the same hidden layers (no scaling at all: a Fashion-MNIST cell or another seed costs what its
// measured twin did). Only when no run of that network exists is c carried across networks, and its limits,
// stated with the figures, apply: per-step costs that do not scale with the weights (a spiking window's
// neuron updates, a phase rule's settling iterations at another depth) make estimates across widths and
// depths rough.
import type { AnyRule } from '../rules/types.js';
import { ruleForm } from '../rules/form.js';
import type { Mode, RunSpec } from './config.js';
import type { ResultLine } from './results.js';
import { staleSettings } from './stale.js';

/** Training-set sizes of the datasets a sweep runs on (MNIST and Fashion-MNIST: 60 000 each). */
const TRAIN_EXAMPLES = 60_000;
const INPUTS = 784, CLASSES = 10;

export interface RunEstimate {
  key: string;
  rule: string;
  mode: Mode;
  /** Estimated core-seconds, or null when no run of this rule in this mode has been measured. */
  coreSeconds: number | null;
  epochs: number;
  /** Already in the results (a current finished run, or a failed one the sweep will not retry). */
  done: boolean;
  /** Done as a failed run: the sweep skips it unless asked to retry failed runs. */
  failed?: boolean;
}

export interface SweepEstimate {
  runs: RunEstimate[];
  /** Planned runs already in the results (not counted in `coreSeconds`). */
  done: number;
  /** Core-seconds of the runs not yet done that could be estimated. */
  coreSeconds: number;
  /** Runs not yet done whose rule and mode were never measured: rule/mode labels. */
  unmeasured: string[];
  /** Measured runs the estimate rests on, per rule/mode label. */
  basis: Record<string, number>;
}

function argOf(argv: readonly string[], flag: string): string | undefined {
  const i = argv.lastIndexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Σ n_{l−1}·n_l over the layers of a network with these hidden sizes. */
export function weightCount(hidden: readonly number[]): number {
  const sizes = [INPUTS, ...hidden, CLASSES];
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l - 1]! * sizes[l]!;
  return n;
}

function hiddenOf(argv: readonly string[]): number[] {
  const h = argOf(argv, '--hidden');
  return h === undefined || h === 'none' ? [] : h.split(',').map(Number);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Measured {
  /** Core-seconds per training example per weight. */
  c: number;
  /** The run's hidden sizes, comma-separated. */
  hidden: string;
  /** Not stale: today's defaults and (where the sweep checks it) today's computation fingerprint. */
  current: boolean;
}

/** The costs an estimate rests on: today's computation if measured, else every run; of these, the same network's if any. */
function closest(cs: readonly Measured[], hidden: string): number[] {
  const current = cs.filter((m) => m.current);
  const pool = current.length ? current : cs;
  const same = pool.filter((m) => m.hidden === hidden);
  return (same.length ? same : pool).map((m) => m.c);
}

export interface EstimateOptions {
  /** What the sweep finds out of date (src/report/stale.ts staleReasons); default: changed defaults only. */
  stale?: (l: ResultLine) => string[];
  /** The sweep retries failed runs (--retry-failed): a run whose last line is an error is not done. */
  retryFailed?: boolean;
}

/**
 * Estimates the runs of `plan` from the finished runs in `results` (the sweep's own: a planned run there
 * is done, unless `stale` finds it out of date, as the sweep does: the same function decides both, so the
 * estimate covers exactly the runs the sweep will run; default: changed defaults only) and in `earlier`
 * (other sweeps' results: epoch times only, their runs are not this sweep's). A stale run still tells what
 * an epoch cost, but it counts only for a rule and mode with no current run (see `closest`).
 */
export function estimateSweep(plan: readonly RunSpec[], results: readonly ResultLine[], registered: Record<string, AnyRule>, earlier: readonly ResultLine[] = [],
  o: EstimateOptions = {}): SweepEstimate {
  const stale = o.stale ?? ((l: ResultLine) => staleSettings(l, registered));
  // Per rule/mode label, each finished run's cost with its network and whether it is today's computation.
  const cost = new Map<string, Measured[]>();
  // The last line per key decides, as in the sweep (pendingRuns): a current ok line is done, and so is a
  // failed one unless failed runs are retried.
  const latest = new Map(results.map((l) => [l.key, l]));
  const doneKeys = new Set([...latest.values()].filter((l) => (l.status === 'ok' ? stale(l).length === 0 : !o.retryFailed)).map((l) => l.key));
  for (const l of [...results, ...earlier]) {
    if (l.status !== 'ok') continue;
    const r = l.record as { seconds?: unknown; epochs?: unknown; threads?: unknown; limit?: unknown; hidden?: unknown; cancelled?: unknown; history?: { cpuSeconds?: unknown }[] };
    if (r.cancelled === true || typeof r.seconds !== 'number' || typeof r.epochs !== 'number' || !(r.epochs > 0) || !Array.isArray(r.hidden)) continue;
    const examples = typeof r.limit === 'number' ? r.limit : TRAIN_EXAMPLES;
    const threads = typeof r.threads === 'number' ? r.threads : 1;
    // CPU seconds per epoch where every epoch recorded them (core-seconds already, and unaffected by other
    // jobs on the machine); else wall seconds times the threads the run used.
    const cpu = Array.isArray(r.history) && r.history.length > 0 && r.history.every((h) => typeof h.cpuSeconds === 'number')
      ? r.history.reduce((a, h) => a + (h.cpuSeconds as number), 0) / r.history.length : undefined;
    const c = (cpu ?? (r.seconds / r.epochs) * threads) / (examples * weightCount(r.hidden as number[]));
    const label = `${l.run.rule} ${l.run.mode}`;
    cost.set(label, [...(cost.get(label) ?? []), { c, hidden: (r.hidden as number[]).join(','), current: stale(l).length === 0 }]);
  }
  const runs: RunEstimate[] = [];
  let coreSeconds = 0, done = 0;
  const unmeasured = new Set<string>();
  for (const spec of plan) {
    const rule = registered[spec.rule];
    const epochs = Number(argOf(spec.argv, '--epochs') ?? (rule ? ruleForm(rule, spec.mode === 'spiking').train.epochs : NaN));
    const examples = Number(argOf(spec.argv, '--limit') ?? TRAIN_EXAMPLES);
    const hidden = hiddenOf(spec.argv);
    const cs = cost.get(`${spec.rule} ${spec.mode}`);
    const est = cs && Number.isFinite(epochs) ? median(closest(cs, hidden.join(','))) * examples * weightCount(hidden) * epochs : null;
    const isDone = doneKeys.has(spec.key);
    runs.push({ key: spec.key, rule: spec.rule, mode: spec.mode, coreSeconds: est, epochs, done: isDone, ...(isDone && latest.get(spec.key)!.status === 'error' ? { failed: true } : {}) });
    if (isDone) { done++; continue; }
    if (est === null) unmeasured.add(`${spec.rule} ${spec.mode}`);
    else coreSeconds += est;
  }
  return { runs, done, coreSeconds, unmeasured: [...unmeasured], basis: Object.fromEntries([...cost].map(([k, v]) => [k, v.length])) };
}

/** The dry run's summary lines: the total, the hours on `workers` cores, and the most expensive rule/modes. */
export function describeEstimate(e: SweepEstimate, workers: number): string[] {
  const h = (s: number) => (s / 3600).toFixed(1);
  const byGroup = new Map<string, number>();
  for (const r of e.runs) if (r.coreSeconds !== null && !r.done) byGroup.set(`${r.rule} ${r.mode}`, (byGroup.get(`${r.rule} ${r.mode}`) ?? 0) + r.coreSeconds);
  const top = [...byGroup].sort((a, b) => b[1] - a[1]);
  const todo = e.runs.length - e.done;
  const estimated = e.runs.filter((r) => r.coreSeconds !== null && !r.done).length;
  const lines = [
    `estimate: ${h(e.coreSeconds)} core-hours for ${estimated} of the ${todo} runs not yet done ` +
      `(${e.done} done), about ${h(e.coreSeconds / Math.max(1, workers))} hours on ${workers} worker${workers > 1 ? 's' : ''}; from epoch times of ${Object.values(e.basis).reduce((a, b) => a + b, 0)} finished runs, ` +
      'per rule and mode from its current runs of the same network where there are any, else scaled by training examples × weights × epochs ' +
      '(rough across networks: spiking windows and settling do not scale with the weights).',
  ];
  if (top.length) lines.push(`  by rule and mode: ${top.map(([k, s]) => `${k} ${h(s)}`).join(', ')}`);
  if (e.unmeasured.length) lines.push(`  not estimated (never measured here, so not in the total): ${e.unmeasured.join(', ')}`);
  return lines;
}
