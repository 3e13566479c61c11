// From sweep results to the answer: groups runs by (rule, dataset, depth, width, mode), takes mean ± sd over
// seeds (a sweep has one width; imported runs may mix widths: the report's width is the most common one, a
// cell run only at another width is shown with its width, and epoch times compare with bp at the same width), finds the deepest depth that works, relates epoch times to backprop, and writes the answer
// table as Markdown. Browser-safe (pure functions over parsed result lines).
import type { DatasetId, Mode, RuleMeta } from './config.js';
import { DEFAULT_WORKS, referenceDepthOf } from './config.js';
import type { ResultLine, Raster } from './results.js';
import type { Objection } from '../rules/types.js';
import { publishedRows, MATCH_POINTS, type PublishedRow } from './published.js';
import type { Stat, AccuracyCell, AnswerRow } from './model.js';
import type { Verification } from './stale.js';
import { portableText } from './provenance.js';

export const OBJECTION_ORDER: readonly Objection[] = ['weightTransport', 'derivativeTransport', 'linearFeedback', 'spiking', 'timing', 'target'];
export const OBJECTION_SHORT: Record<Objection, string> = {
  weightTransport: 'WT', derivativeTransport: 'DT', linearFeedback: 'LF', spiking: 'SP', timing: 'TI', target: 'TG',
};
const DATASET_TITLE: Record<DatasetId, string> = { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST' };
const DATASET_ORDER: readonly DatasetId[] = ['mnist', 'fashion-mnist'];

export type { Stat, AccuracyCell, AnswerRow } from './model.js';

/** All seeds of one (rule, dataset, depth, width, mode). */
export interface Group {
  rule: string;
  dataset: DatasetId;
  depth: number;
  /** Hidden-layer width (the first hidden layer's size). */
  width: number;
  mode: Mode;
  /** Test accuracy over the finished seeds. */
  accuracy: Stat;
  failed: number;
  /** Mean seconds per epoch (training + evaluation), over epochs and seeds: CPU seconds where the runs recorded them, else wall. */
  epochSeconds: number;
  /** Training examples per epoch (from --limit, else the full 60 000). */
  trainExamples: number;
  spiking: boolean;
  works: boolean;
  /** Finished runs of the cell whose computation fingerprint matches the build that made the report, and
   *  those that do not (made before fingerprints, or not checkable); absent when the report was not checked. */
  verified?: number;
  unverified?: number;
}

export interface CurvePoint { rule: string; dataset: DatasetId; mode: Mode; depth: number; epoch: number; testAccuracy: number; trainLoss: number }
export interface DepthPoint { rule: string; dataset: DatasetId; mode: Mode; depth: number; accuracy: number; sd: number; n: number }
export interface AlignPoint { rule: string; dataset: DatasetId; mode: Mode; depth: number; epoch: number; layer: number; updateAngleDeg: number; weightAngleDeg?: number }

/** The training budget behind a report: the fewest training examples any finished run saw (epochs × examples). */
export interface Budget {
  /** Whether every run saw at least JUDGE_MIN_EXAMPLES: only then does the report say which depths work. */
  judged: boolean;
  minExamplesSeen: number;
  /** Epochs and training examples per epoch of the run that saw the fewest. */
  epochs: number;
  trainExamples: number;
}

/**
 * A run that has not seen one pass over MNIST's 60 000 training examples is too short to say whether a
 * rule works at a depth (rules that learn slower than backprop early on would be called failures).
 */
export const JUDGE_MIN_EXAMPLES = 60000;

export interface Report {
  referenceDepth: number;
  budget: Budget;
  /** The most common hidden width of the runs (a sweep's only width). */
  width: number;
  datasets: DatasetId[];
  works: Record<DatasetId, number>;
  runs: { ok: number; failed: number };
  answer: AnswerRow[];
  /** Each rule against its published MNIST figure (src/report/published.ts). */
  published: PublishedRow[];
  groups: Group[];
  depthPoints: DepthPoint[];
  curves: CurvePoint[];
  alignment: AlignPoint[];
  raster?: { rule: string; dataset: DatasetId; depth: number; seed: number; raster: Raster };
  failures: { rule: string; dataset: DatasetId; depth: number; mode: Mode; seed: number; error: string }[];
  /** Finished runs by whether the build that made the report computes them the same (SummaryOptions.verify). */
  verification?: Record<Verification, number>;
}

export interface SummaryOptions {
  referenceDepth?: number;
  works?: Partial<Record<DatasetId, number>>;
  /** Rule metadata from the registry: preferred to what the lines recorded (the objections a rule is
   *  credited with may have been corrected since), which stays the answer for rules not registered. */
  meta?: (rule: string) => RuleMeta | undefined;
  /** Each finished run checked against this build's computation fingerprints (src/report/stale.ts verifyLine). */
  verify?: (line: ResultLine) => Verification;
}

export function stat(xs: readonly number[]): Stat {
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, sd: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
  return { n, mean, sd };
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function limitOf(argv: readonly string[]): number {
  const i = argv.indexOf('--limit');
  const v = i >= 0 ? Number(argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? Math.min(v, 60000) : 60000;
}

/** The smallest training budget among the finished runs (a report with none is judged: it has nothing to judge). */
export function budgetOf(lines: readonly ResultLine[]): Budget {
  let min: Budget = { judged: true, minExamplesSeen: Infinity, epochs: 0, trainExamples: 0 };
  for (const l of lines) {
    if (l.status !== 'ok' || l.record.cancelled) continue;
    const trainExamples = typeof l.record.trainExamples === 'number' ? l.record.trainExamples : limitOf(l.run.argv);
    const epochs = l.record.history.length;
    if (epochs * trainExamples < min.minExamplesSeen) min = { judged: true, minExamplesSeen: epochs * trainExamples, epochs, trainExamples };
  }
  if (!Number.isFinite(min.minExamplesSeen)) return { judged: true, minExamplesSeen: 0, epochs: 0, trainExamples: 0 };
  return { ...min, judged: min.minExamplesSeen >= JUDGE_MIN_EXAMPLES };
}

/** Builds the report data from result lines (the last line per run key counts). */
export function summarize(all: readonly ResultLine[], o: SummaryOptions = {}): Report {
  const latest = new Map<string, ResultLine>();
  for (const l of all) latest.set(l.key, l);
  const lines = [...latest.values()];
  const metaOf = new Map<string, RuleMeta>();
  for (const l of lines) if (l.meta) metaOf.set(l.run.rule, l.meta);
  const meta = (id: string): RuleMeta => o.meta?.(id) ?? metaOf.get(id) ?? { id, title: id, cite: '', removes: [], partly: [], spiking: false };

  const datasets = DATASET_ORDER.filter((d) => lines.some((l) => l.run.dataset === d));
  const depths = [...new Set(lines.map((l) => l.run.depth))].sort((a, b) => a - b);
  const referenceDepth = referenceDepthOf({ depths, referenceDepth: o.referenceDepth });
  const works = { ...DEFAULT_WORKS, ...o.works };

  // The report's width: the most common one (ties: the smaller).
  const widthCount = new Map<number, number>();
  for (const l of lines) widthCount.set(l.run.width, (widthCount.get(l.run.width) ?? 0) + 1);
  const width = [...widthCount].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 256;
  // Group by rule / dataset / depth / width / mode, in first-seen order. For each rule / dataset / depth /
  // mode one group is preferred (at the report's width when run there, else the first seen): it feeds the
  // answer table, the depth chart and the curves.
  const byGroup = new Map<string, ResultLine[]>();
  const preferred = new Map<string, string>();
  for (const l of lines) {
    const cellKey = `${l.run.rule}\u0000${l.run.dataset}\u0000${l.run.depth}\u0000${l.run.mode}`;
    const k = `${cellKey}\u0000${l.run.width}`;
    (byGroup.get(k) ?? byGroup.set(k, []).get(k)!).push(l);
    if (!preferred.has(cellKey) || l.run.width === width) preferred.set(cellKey, k);
  }
  const isPreferred = new Set(preferred.values());
  const groups: Group[] = [];
  const curves: CurvePoint[] = [];
  const alignment: AlignPoint[] = [];
  let raster: Report['raster'];
  for (const [gk, ls] of byGroup) {
    const r = ls[0]!.run;
    const pref = isPreferred.has(gk);
    const ok = ls.flatMap((l) => (l.status === 'ok' && l.record.testAccuracy !== null && !l.record.cancelled ? [l] : []));
    const failed = ls.length - ok.length;
    const accuracy = stat(ok.map((l) => l.record.testAccuracy!));
    // CPU time where recorded (a sweep's runs train on one thread each, so it is the epoch's cost whatever
    // else ran on the machine), else wall time.
    const epochSeconds = mean(ok.flatMap((l) => l.record.history.map((h) => h.cpuSeconds ?? h.seconds)));
    const spiking = ok.some((l) => l.record.spiking) || (ok.length === 0 && r.mode === 'spiking');
    const verified = o.verify ? ok.filter((l) => o.verify!(l) === 'verified').length : undefined;
    groups.push({
      rule: r.rule, dataset: r.dataset, depth: r.depth, width: r.width, mode: r.mode, accuracy, failed, epochSeconds,
      trainExamples: limitOf(r.argv), spiking, works: failed === 0 && accuracy.n > 0 && accuracy.mean >= works[r.dataset],
      ...(verified !== undefined ? { verified, unverified: ok.length - verified } : {}),
    });
    // Learning curves and alignment: mean over seeds per epoch (and layer).
    const epochs = pref ? Math.max(0, ...ok.map((l) => l.record.history.length)) : 0;
    for (let e = 0; e < epochs; e++) {
      const hs = ok.flatMap((l) => (l.record.history[e] ? [l.record.history[e]!] : []));
      curves.push({ rule: r.rule, dataset: r.dataset, mode: r.mode, depth: r.depth, epoch: e + 1, testAccuracy: mean(hs.map((h) => h.testAccuracy)), trainLoss: mean(hs.map((h) => h.trainLoss)) });
      const layers = new Map<number, { u: number[]; w: number[] }>();
      for (const h of hs) for (const a of h.alignment ?? []) {
        const s = layers.get(a.layer) ?? layers.set(a.layer, { u: [], w: [] }).get(a.layer)!;
        if (a.updateAngleDeg !== null && Number.isFinite(a.updateAngleDeg)) s.u.push(a.updateAngleDeg);
        if (a.weightAngleDeg != null && Number.isFinite(a.weightAngleDeg)) s.w.push(a.weightAngleDeg);
      }
      for (const [layer, s] of [...layers].sort((a, b) => a[0] - b[0])) {
        if (s.u.length === 0) continue;
        alignment.push({ rule: r.rule, dataset: r.dataset, mode: r.mode, depth: r.depth, epoch: e + 1, layer, updateAngleDeg: mean(s.u), ...(s.w.length ? { weightAngleDeg: mean(s.w) } : {}) });
      }
    }
    for (const l of ok) {
      const ras = l.record.raster;
      if (ras && Array.isArray(ras.spikes) && (!raster || (r.depth === referenceDepth && raster.depth !== referenceDepth))) {
        raster = { rule: r.rule, dataset: r.dataset, depth: r.depth, seed: r.seed, raster: ras };
      }
    }
  }

  const budget = budgetOf(lines);
  const preferredGroup = (g: Group) => isPreferred.has(`${g.rule}\u0000${g.dataset}\u0000${g.depth}\u0000${g.mode}\u0000${g.width}`);
  const depthPoints: DepthPoint[] = groups.filter((g) => g.accuracy.n > 0 && preferredGroup(g))
    .map((g) => ({ rule: g.rule, dataset: g.dataset, mode: g.mode, depth: g.depth, accuracy: g.accuracy.mean, sd: Number.isFinite(g.accuracy.sd) ? g.accuracy.sd : 0, n: g.accuracy.n }));

  // The answer, one row per rule.
  const ruleIds = [...new Set(lines.map((l) => l.run.rule))];
  const cell = (rule: string, d: DatasetId, depth: number, m: Mode, w?: number) =>
    groups.find((g) => g.rule === rule && g.dataset === d && g.depth === depth && g.mode === m && (w === undefined ? preferredGroup(g) : g.width === w));
  const answer: AnswerRow[] = ruleIds.map((rule) => {
    const m = meta(rule);
    const row: AnswerRow = { rule, title: m.title, spiking: m.spiking, deepest: {}, accuracy: {}, relTime: {}, vsBp: {}, removes: m.removes, partly: m.partly, ...(m.spikingObjections ? { spikingObjections: m.spikingObjections } : {}) };
    const first = datasets[0];
    for (const mode of ['rate', 'spiking'] as const) {
      const gs = groups.filter((g) => g.rule === rule && g.mode === mode && g.dataset === first && preferredGroup(g));
      if (gs.length && budget.judged) row.deepest[mode] = gs.filter((g) => g.works).reduce<number | null>((a, g) => (a === null || g.depth > a ? g.depth : a), null);
      const here = first ? cell(rule, first, referenceDepth, mode) : undefined, bp = first ? cell('bp', first, referenceDepth, 'rate') : undefined;
      if (here && bp && here.accuracy.n > 0 && bp.accuracy.n > 0) row.vsBp[mode] = here.accuracy.mean - bp.accuracy.mean;
      for (const d of datasets) {
        const g = cell(rule, d, referenceDepth, mode);
        if (g) (row.accuracy[d] ??= {})[mode] = { stat: g.accuracy, failed: g.failed, ...(g.width !== width ? { note: `${g.width} wide` } : {}), ...(g.unverified ? { unverified: g.unverified } : {}) };
      }
      // Time per training example, relative to bp (rate) on the same dataset, depth and width.
      const ratios = groups.filter((g) => g.rule === rule && g.mode === mode && Number.isFinite(g.epochSeconds)).flatMap((g) => {
        const b = cell('bp', g.dataset, g.depth, 'rate', g.width);
        return b && Number.isFinite(b.epochSeconds) && b.epochSeconds > 0 ? [(g.epochSeconds / g.trainExamples) / (b.epochSeconds / b.trainExamples)] : [];
      });
      if (ratios.length) row.relTime[mode] = Math.exp(mean(ratios.map(Math.log)));
    }
    return row;
  });
  // bp first (the baseline), then by rate accuracy on the first dataset at the reference depth, best first.
  const refAcc = (r: AnswerRow) => {
    const v = datasets[0] ? r.accuracy[datasets[0]]?.rate?.stat.mean : undefined;
    return v === undefined || Number.isNaN(v) ? -1 : v;
  };
  answer.sort((a, b) => (a.rule === 'bp' ? -1 : b.rule === 'bp' ? 1 : refAcc(b) - refAcc(a) || a.rule.localeCompare(b.rule)));

  const failures = lines.flatMap((l) => (l.status === 'error' ? [{ rule: l.run.rule, dataset: l.run.dataset, depth: l.run.depth, mode: l.run.mode, seed: l.run.seed, error: portableText(l.error) }] : []));
  let verification: Report['verification'];
  if (o.verify) {
    verification = { verified: 0, changed: 0, unfingerprinted: 0, unchecked: 0 };
    for (const l of lines) if (l.status === 'ok') verification[o.verify(l)]++;
  }
  return {
    referenceDepth, budget, width, datasets, works, runs: { ok: lines.length - failures.length, failed: failures.length },
    answer, published: publishedRows(answer), groups, depthPoints, curves, alignment, ...(raster ? { raster } : {}), failures,
    ...(verification ? { verification } : {}),
  };
}

/** The mark of a cell with runs not verified on the build that made the report (VERIFY_LEGEND). */
export const UNVERIFIED_MARK = '°';

/** What UNVERIFIED_MARK means, under a table that has it. */
export const VERIFY_LEGEND = `${UNVERIFIED_MARK} not verified on this build: the cell has runs whose record carries no computation fingerprint ` +
  "(made before records carried one), one that differs from this build's, or one this build could not check; unmarked cells' runs all match this build's fingerprint " +
  "(the same rule, defaults, encoder and simulator arithmetic; 'bioprop compare --rerun-unfingerprinted' reruns the others).";

/** '97.12 ± 0.08' (percent), '97.12' for one seed, 'failed' when every seed failed; ° when runs are unverified. */
export function fmtAcc(c: AccuracyCell | undefined): string {
  if (!c) return '—';
  if (c.stat.n === 0) return 'failed';
  const m = (100 * c.stat.mean).toFixed(2);
  const s = c.stat.n > 1 ? ` ± ${(100 * c.stat.sd).toFixed(2)}` : '';
  return `${m}${s}${c.unverified ? UNVERIFIED_MARK : ''}${c.failed ? ` (${c.failed} failed)` : ''}${c.note ? ` (${c.note})` : ''}`;
}

/** Whether a report's cells were checked against this build's fingerprints and any is unverified. */
export function hasUnverified(rep: Pick<Report, 'answer'>): boolean {
  return rep.answer.some((r) => Object.values(r.accuracy).some((d) => Object.values(d ?? {}).some((c) => !!c?.unverified)));
}

function fmtObjectionSet(removes: readonly Objection[], partly: readonly Objection[]): string {
  const parts = OBJECTION_ORDER.flatMap((o) => (removes.includes(o) ? [OBJECTION_SHORT[o]] : partly.includes(o) ? [`${OBJECTION_SHORT[o]}◐`] : []));
  return parts.length ? parts.join(' ') : 'none';
}

/** The objections a rule removes; 'rate / spiking' when its spiking form removes others. */
function fmtObjections(r: AnswerRow): string {
  const rate = fmtObjectionSet(r.removes, r.partly);
  return r.spikingObjections ? `${rate} / ${fmtObjectionSet(r.spikingObjections.removes, r.spikingObjections.partly)}` : rate;
}

const pair = (a: string, b: string | undefined) => (b === undefined ? a : `${a} / ${b}`);

/** The answer table as Markdown (one header row, a separator, one row per rule in the report's order). */
export function answerTable(rep: Report): string {
  const anySpiking = rep.answer.some((r) => r.spiking);
  const modes = anySpiking ? 'rate / spiking' : 'rate';
  const judged = rep.budget.judged;
  const first = DATASET_TITLE[rep.datasets[0] ?? 'mnist'];
  const head = ['rule', 'spiking?', judged ? `deepest depth that works (${first}, ${modes})` : `vs bp at this budget, points (${first}, ${rep.referenceDepth} hidden, ${modes})`,
    ...rep.datasets.map((d) => `${DATASET_TITLE[d]} accuracy % (${rep.referenceDepth} hidden, ${modes})`), `epoch time vs bp (${modes})`, `objections removed${rep.answer.some((r) => r.spikingObjections) ? ' (rate / spiking where they differ)' : ''}`];
  const rows = rep.answer.map((r) => {
    const deep = judged
      ? (m: Mode) => (r.deepest[m] === undefined ? '—' : r.deepest[m] === null ? 'none' : String(r.deepest[m]))
      : (m: Mode) => (r.vsBp[m] === undefined ? '—' : `${r.vsBp[m]! >= 0 ? '+' : '−'}${Math.abs(100 * r.vsBp[m]!).toFixed(2)}`);
    const time = (m: Mode) => (r.relTime[m] === undefined ? '—' : `${r.relTime[m]!.toFixed(2)}×`);
    const sp = <T,>(f: (m: Mode) => T) => (anySpiking ? (r.spiking ? f('spiking') : '—') : undefined);
    return [
      `${r.rule}`, r.spiking ? 'yes' : 'no',
      pair(deep('rate'), sp(deep) as string | undefined),
      ...rep.datasets.map((d) => pair(fmtAcc(r.accuracy[d]?.rate), sp((m) => fmtAcc(r.accuracy[d]?.[m])) as string | undefined)),
      pair(time('rate'), sp(time) as string | undefined),
      fmtObjections(r),
    ];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

export const OBJECTION_LEGEND =
  'Objections to backprop: WT weight transport, DT derivative transport, LF linear feedback, SP spiking, TI timing, TG target; ◐ removed in part.';

export interface MarkdownOptions {
  title?: string;
  /** Lines for the header: what config and command produced the results. */
  provenance: string[];
  /** Chart file names (relative to the report), by chart id; absent charts get a sentence instead. */
  charts: Partial<Record<'depth' | 'curves' | 'alignment' | 'raster', string>>;
  /** A section setting the cells against an earlier report's (src/report/changes.ts), placed before every cell. */
  changes?: string;
}

/** True when there are points and all are of epoch 1: no series over epochs has a second point to draw a curve. */
export function singleEpoch(points: readonly { epoch: number }[]): boolean {
  return points.length > 0 && points.every((p) => p.epoch === 1);
}

/** What a report whose budget is too small to judge says above its answer table. */
export function budgetNote(b: Budget): string {
  return `**This budget is too small to judge.** The shortest run trained ${b.epochs} epoch${b.epochs === 1 ? '' : 's'} on ` +
    `${b.trainExamples.toLocaleString('en-US')} examples, fewer than one pass over the ${JUDGE_MIN_EXAMPLES.toLocaleString('en-US')} training examples, ` +
    'so this report does not say which depths work: rules that start slower than backprop would be called failures. ' +
    'Each rule is compared with bp at the same budget instead. For verdicts, see a full-length report (`bioprop compare --preset full`).';
}

/** The whole report.md. */
/** The comparison with each rule's published MNIST figure, as a Markdown section. */
export function publishedTable(rep: Report): string {
  const out = ['## Against the published figures', '',
    `| rule | published MNIST test % | network | source | bioprop MNIST test % (${rep.referenceDepth} hidden) | verdict |`, '| --- | --- | --- | --- | --- | --- |'];
  for (const p of rep.published) {
    const f = p.figure;
    const oursCell = p.ours ? `${fmtAcc({ stat: p.ours, failed: 0, unverified: p.unverified })} (${p.mode})` : '—';
    if (!f || 'none' in f) out.push(`| ${p.rule} | — | — | ${f ? f.none : 'no entry'} | ${oursCell} | no figure |`);
    else out.push(`| ${p.rule} | ${f.accuracy.toFixed(2)}${f.checked ? '' : ' (unchecked)'} | ${f.network} | ${f.source} | ${oursCell} | ${p.verdict} |`);
  }
  out.push('', `A rule *matches* its paper when the two MNIST test accuracies are within ${MATCH_POINTS} points (twice the binomial ` +
    'standard error of an accuracy near 98% on the 10 000 test images), *beats* or *misses* it beyond that. The networks differ ' +
    "(the paper's against bioprop's at the reference depth), so a verdict says where a rule stands, not that the settings were the same; " +
    'a convolutional figure is not comparable with a fully connected network. "(unchecked)": taken from a secondary account of the paper, not read in its table.');
  return out.join('\n');
}

export function reportMarkdown(rep: Report, o: MarkdownOptions): string {
  const out: string[] = [];
  out.push(`# ${o.title ?? 'bioprop: which learning rules work, in spiking neurons, at depth, on real benchmarks?'}`, '');
  for (const p of o.provenance) out.push(`> ${p}`);
  out.push('', '## The answer', '');
  if (!rep.budget.judged) out.push(budgetNote(rep.budget), '');
  out.push(answerTable(rep));
  const w = rep.datasets.map((d) => `${DATASET_TITLE[d]} ≥ ${(100 * rep.works[d]).toFixed(0)}%`).join(', ');
  out.push((rep.budget.judged ? `A depth *works* when every seed finished and the mean test accuracy reaches ${w}. `
    : `"vs bp" is the rule's mean test accuracy minus bp's (rate), in percentage points, at the same budget and depth. `) +
    `Accuracies are test accuracy after the last epoch, mean ± sample sd over seeds, at ${rep.referenceDepth} hidden layers. ` +
    'Epoch time (CPU time where the runs recorded it, else wall time) is per training example, relative to backprop (rate) at the same dataset, depth and width (geometric mean over the swept cells). — means not run.', '', OBJECTION_LEGEND, '');
  if (rep.verification) out.push(VERIFY_LEGEND, '');
  out.push(publishedTable(rep), '');
  const chart = (id: keyof MarkdownOptions['charts'], heading: string, alt: string, none: string) => {
    out.push(`## ${heading}`, '');
    out.push(o.charts[id] ? `![${alt}](${o.charts[id]})` : none, '');
  };
  chart('depth', 'Accuracy vs depth', 'test accuracy against the number of hidden layers, per rule', 'No finished runs.');
  const oneEpoch = 'Every run trained a single epoch: one point per rule is not a curve, so the chart is left out.';
  const ref = <T extends { depth: number }>(xs: readonly T[]) => xs.filter((x) => x.depth === rep.referenceDepth);
  chart('curves', 'Learning curves', `test accuracy per epoch at ${rep.referenceDepth} hidden layers`, singleEpoch(ref(rep.curves)) ? oneEpoch : 'No finished runs.');
  chart('alignment', 'Gradient alignment', 'angle between each rule\'s update and backprop\'s, per layer',
    singleEpoch(ref(rep.alignment)) ? 'Alignment was measured in a single epoch of each run: one point per rule and layer is not a curve, so the chart is left out.' : 'No run recorded alignment angles.');
  chart('raster', 'Spike raster', 'spikes of a few neurons in a spiking run', 'No spiking run recorded a raster.');
  if (rep.failures.length) {
    out.push('## Failed runs', '', '| rule | dataset | depth | mode | seed | error |', '| --- | --- | --- | --- | --- | --- |');
    for (const f of rep.failures) out.push(`| ${f.rule} | ${f.dataset} | ${f.depth} | ${f.mode} | ${f.seed} | ${f.error.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  if (o.changes) out.push(o.changes);
  // With the runs checked against this build's fingerprints: a column saying how many of each cell's are verified.
  const checked = !!rep.verification;
  out.push('## Every cell', '', `| rule | dataset | depth | mode | seeds | accuracy % | s / epoch | works |${checked ? ' verified on this build |' : ''}`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |${checked ? ' --- |' : ''}`);
  const sorted = [...rep.groups].sort((a, b) => a.rule.localeCompare(b.rule) || a.dataset.localeCompare(b.dataset) || a.mode.localeCompare(b.mode) || a.depth - b.depth);
  for (const g of sorted) {
    const verified = checked ? ` ${g.verified ?? 0} of ${(g.verified ?? 0) + (g.unverified ?? 0)} |` : '';
    out.push(`| ${g.rule}${g.width !== rep.width ? ` (${g.width} wide)` : ''} | ${g.dataset} | ${g.depth} | ${g.mode} | ${g.accuracy.n}${g.failed ? ` (+${g.failed} failed)` : ''} | ${fmtAcc({ stat: g.accuracy, failed: 0, unverified: g.unverified })} | ${Number.isFinite(g.epochSeconds) ? g.epochSeconds.toFixed(2) : '—'} | ${rep.budget.judged ? (g.works ? 'yes' : 'no') : '—'} |${verified}`);
  }
  if (checked) out.push('', VERIFY_LEGEND);
  out.push('');
  return out.join('\n');
}
