// The report header: which command, which bioprop, when, and where the runs came from — a planned sweep
// (N of M planned runs), imported train records (`compare --import`), or a mix. Browser-safe.
import { describeOmission, type SweepConfig } from './config.js';
import type { ResultLine } from './results.js';
import type { Verification } from './stale.js';

export interface HeaderOptions {
  /** The command line that rendered the report (its file names as portableName gives them). */
  cmd: string;
  version: string;
  /** YYYY-MM-DD */
  date: string;
  /** The results file as the report should name it (relative to the report folder, or its name alone). */
  resultsName: string;
  /** The lines the report covers. */
  lines: readonly ResultLine[];
  /** The sweep, when the report is of a config or preset. */
  sweep?: { config: SweepConfig; planned: number; allRules: readonly string[] };
}

const list = (xs: readonly (string | number)[], max = 6) =>
  xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`;
const uniq = <T,>(xs: readonly T[]) => [...new Set(xs)];
const sortNum = (xs: number[]) => xs.sort((a, b) => a - b);

const ABSOLUTE = /^(?:\/|[A-Za-z]:[\\/]|\\\\)/;

/**
 * A file as a report may name it: a relative name as it is, an absolute one by its name alone. A report
 * is read on other machines, where another machine's paths mean nothing and tell who ran it where.
 */
export function portableName(file: string): string {
  if (!ABSOLUTE.test(file)) return file;
  const parts = file.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? file;
}

// An absolute path as a token of a text: POSIX '/x/…', Windows 'C:\…' or 'C:/…', or UNC '\\server\…',
// after the start, a space, a quote, a backtick, a bracket, a comma or '='.
const PATH_IN_TEXT = /(^|[\s`'"(\[,=])((?:\/[^\s`'"()[\],/]+\/|[A-Za-z]:[\\/]|\\\\)[^\s`'"()[\],]*)/g;

/** `text` with every absolute path in it named by its name alone (portableName), e.g. a failed run's
 *  error message that names its checkpoint. */
export function portableText(text: string): string {
  return text.replace(PATH_IN_TEXT, (_m, before: string, path: string) => `${before}${portableName(path)}`);
}

/** The files the imported lines came from (`importedFrom` without its line number), in first-seen order. */
export function importedFiles(lines: readonly ResultLine[]): string[] {
  return uniq(lines.flatMap((l) => (l.source === 'import' ? [portableName((l.importedFrom ?? '?').replace(/: line \d+$/, ''))] : [])));
}

function argValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** One sentence on what the runs are, from the lines themselves (for reports without a sweep config). */
export function describeRuns(lines: readonly ResultLine[]): string {
  const runs = lines.map((l) => l.run);
  const epochs = sortNum(uniq(lines.flatMap((l) => (l.status === 'ok' && typeof l.record.epochs === 'number' ? [l.record.epochs] : []))));
  const limits = uniq(runs.map((r) => argValue(r.argv, '--limit') ?? 'all'));
  const tests = uniq(runs.map((r) => argValue(r.argv, '--test-limit') ?? 'all'));
  const modes = uniq(runs.map((r) => r.mode));
  return `Runs: rules ${list(uniq(runs.map((r) => r.rule)), 12)}; ${uniq(runs.map((r) => r.dataset)).join(', ')}; ` +
    `hidden layers ${sortNum(uniq(runs.map((r) => r.depth))).join(', ')}; ${modes.join(' and ')}; seeds ${list(sortNum(uniq(runs.map((r) => r.seed))))}; ` +
    `epochs ${epochs.length ? (epochs.length === 1 ? epochs[0] : `${epochs[0]}–${epochs[epochs.length - 1]}`) : '—'}; ` +
    `training examples ${list(limits)}; test examples ${list(tests)}. Each run's exact command is its key in the results file.`;
}

/**
 * The header's sentence on the finished runs checked against this build's computation fingerprints
 * (src/report/stale.ts): how many are verified, and how many are not and why, kept apart.
 */
export function verificationSentence(v: Record<Verification, number>, mark: string): string {
  const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;
  const total = v.verified + v.changed + v.unfingerprinted + v.unchecked;
  const parts = [
    ...(v.unfingerprinted ? [`${runs(v.unfingerprinted)} made before fingerprints (kept; \`bioprop compare --rerun-unfingerprinted\` runs them again)`] : []),
    ...(v.changed ? [`${runs(v.changed)} made by a build that computes ${v.changed === 1 ? 'its rule' : 'their rules'} differently`] : []),
    ...(v.unchecked ? [`${runs(v.unchecked)} whose fingerprint this build could not take`] : []),
  ];
  return `Verified on this build: ${v.verified} of ${runs(total)} (their record's computation fingerprint matches this build's)` +
    (parts.length ? `; not verified, marked ${mark} in the tables: ${parts.join(', ')}.` : '.');
}

/** The report.md header lines. */
export function reportHeader(o: HeaderOptions): string[] {
  const n = o.lines.length;
  const imported = o.lines.filter((l) => l.source === 'import').length;
  const files = importedFiles(o.lines).map((f) => `\`${f}\``);
  const from = `Generated by \`${o.cmd}\` with bioprop ${o.version} on ${o.date}`;
  const resultsName = portableName(o.resultsName);
  const fromFiles = files.length ? ` (train records from ${list(files, 4)})` : '';
  if (o.sweep) {
    const c = o.sweep.config;
    const importedPart = imported ? `; ${imported} of them imported${fromFiles} rather than run by the sweep` : '';
    return [
      `${from}, from ${n} of ${o.sweep.planned} planned runs in \`${resultsName}\`${importedPart}.`,
      `Sweep \`${c.name ?? 'sweep'}\`: rules ${c.rules === '*' ? `every registered rule (${o.sweep.allRules.join(', ')})` : c.rules.join(', ')}; ` +
        `${c.parts ? `${c.parts.map((p) => `${p.datasets ?? c.datasets} at ${(p.depths ?? c.depths).join(', ')} hidden layers, seed${(p.seeds ?? c.seeds).length > 1 ? 's' : ''} ${(p.seeds ?? c.seeds).join(', ')}`).join('; ')}; ` : ''}` +
        `${c.parts ? '' : `${c.datasets.join(', ')}; hidden layers ${c.depths.join(', ')}; `}${c.width ?? 256} units per hidden layer${c.ruleWidths ? ` (${Object.entries(c.ruleWidths).map(([r, w]) => `${r} ${w}`).join(', ')})` : ''}; ${(c.modes ?? ['rate', 'spiking']).join(' and ')} (spiking for spiking rules only); ` +
        `${c.parts ? '' : `seeds ${c.seeds.join(', ')}; `}epochs ${c.epochs ?? "each rule's default"}; training examples ${c.limit ?? 'all'}${c.spikingLimit ? ` (spiking ${c.spikingLimit})` : ''}; ` +
        `test examples ${c.testLimit ?? 'all'}${c.args?.length ? `; extra args \`${c.args.join(' ')}\`` : ''}${c.ruleArgs ? `; per-rule args \`${JSON.stringify(c.ruleArgs)}\`` : ''}.`,
      ...(c.omit?.length ? [`Not planned, on purpose: ${c.omit.map(describeOmission).join('; ')}.`] : []),
    ];
  }
  const swept = n - imported;
  const origin = imported === n
    ? `from ${n} imported run${n === 1 ? '' : 's'} in \`${resultsName}\`${fromFiles}, not from a planned sweep: the cells are whichever runs were imported, each with its own settings`
    : imported === 0
      ? `from all ${n} runs in \`${resultsName}\` (recorded by sweeps; no sweep config given, so no planned total)`
      : `from ${n} runs in \`${resultsName}\`: ${imported} imported${fromFiles} and ${swept} recorded by sweeps, not one planned sweep`;
  return [`${from}, ${origin}.`, describeRuns(o.lines)];
}
