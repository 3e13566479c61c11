// `bioprop compare --import`: turns run records measured outside a sweep (`bioprop train --out rec.json`,
// or the JSON lines of `npm run bench:rules -- --json out.jsonl`, which are train records plus
// family/label/epochSeconds/relativeToBp) into results lines, so a report can be rendered from them.
//
// Each record becomes an `ok` line whose run is what the record says: rule, dataset, depth =
// hidden.length, width = hidden[0] (the first hidden layer's; a mixed-width network such as 500-100 is
// grouped by its depth like any other, and its full layer list stays in argv and the record), mode from
// record.spiking, seed. Its argv is the shortest `bioprop train` command line that reproduces the record:
// the sweep's leading flags (--rule --dataset --hidden --seed), --epochs only when not the rule's default,
// --limit / --test-limit / --validation when the record has them, --spiking for spiking runs, then every
// setting that differs from the rule's default (spiking-aware). The key is runKey(argv), built as the
// sweep builds keys, so importing the same record again is a no-op, and a record of a run a sweep
// config plans with the rule's defaults gets the key that sweep would give it. Node only (file reading).
import { readFileSync } from 'node:fs';
import type { AnyRule } from '../rules/types.js';
import { SPIKING_DEFAULTS } from '../net/spiking.js';
import { ruleForm } from '../rules/form.js';
import { ruleMeta, runKey, type DatasetId } from './config.js';
import { latestByKey, type ResultLine, type RunRecord } from './results.js';
import { staleReasons, type StaleOptions } from './stale.js';

const DATASETS: readonly DatasetId[] = ['mnist', 'fashion-mnist'];

/** Where an imported line came from (recorded in the line as `importedFrom`). */
export interface ImportSource {
  file: string;
  /** 1-based line of a JSON-lines file; absent for a single-record file. */
  line?: number;
}

const where = (s: ImportSource) => (s.line === undefined ? s.file : `${s.file}: line ${s.line}`);

/** Parses a file's text into records: one JSON value (a record) or JSON lines (one record per line). */
export function parseRecords(text: string, file: string): { record: unknown; source: ImportSource }[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error(`${file}: empty file (expected a train record or JSON lines of them)`);
  if (!file.endsWith('.jsonl')) {
    try {
      return [{ record: JSON.parse(trimmed), source: { file } }];
    } catch (e) {
      // Not one JSON value: JSON lines, unless it is a single line (then the parse error is the answer).
      if (!trimmed.includes('\n')) throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
    }
  }
  const out: { record: unknown; source: ImportSource }[] = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() === '') return;
    try {
      out.push({ record: JSON.parse(l), source: { file, line: i + 1 } });
    } catch (e) {
      throw new Error(`${file}: line ${i + 1} is not valid JSON (${(e as Error).message})`);
    }
  });
  return out;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
/** A number as the CLI's flags print it. */
const str = (v: unknown) => String(v);

/**
 * One record → one results line. Throws an error naming the source and the bad field for anything that
 * is not a train record of a registered rule.
 */
export function recordToResult(rec: unknown, source: ImportSource, registered: Record<string, AnyRule>, now = new Date()): ResultLine {
  const at = where(source);
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) throw new Error(`${at}: expected a train record (a JSON object), got ${Array.isArray(rec) ? 'an array' : JSON.stringify(rec)}`);
  const r = rec as Record<string, unknown>;
  if ('key' in r && 'status' in r && 'run' in r) throw new Error(`${at}: this is a results line of a sweep, not a train record: use it as --results, not --import`);
  const bad = (field: string, expected: string) => new Error(`${at}: not a train record: '${field}' must be ${expected}, got ${JSON.stringify(r[field])}`);
  if (typeof r.rule !== 'string') throw bad('rule', 'a rule id');
  const rule = registered[r.rule];
  if (!rule) throw new Error(`${at}: unknown rule '${r.rule}' (registered: ${Object.keys(registered).join(', ')})`);
  if (typeof r.dataset !== 'string' || !DATASETS.includes(r.dataset as DatasetId)) throw bad('dataset', DATASETS.join(' or '));
  if (!Array.isArray(r.hidden) || !r.hidden.every((h) => isInt(h) && h > 0)) throw bad('hidden', 'a list of layer sizes');
  if (!isInt(r.seed)) throw bad('seed', 'an integer');
  if (!isInt(r.epochs) || r.epochs < 1) throw bad('epochs', 'a positive integer');
  if (!(r.testAccuracy === null || typeof r.testAccuracy === 'number')) throw bad('testAccuracy', 'a number or null');
  if (typeof r.seconds !== 'number' || !(r.seconds >= 0)) throw bad('seconds', 'a number of seconds');
  if (!Array.isArray(r.history)) throw bad('history', 'a list of epoch records');
  if (r.spiking !== undefined && typeof r.spiking !== 'boolean') throw bad('spiking', 'true or false');
  const dataset = r.dataset as DatasetId, hidden = r.hidden as number[], spiking = r.spiking === true;

  // The CLI's defaults for this rule and mode (src/rules/form.ts).
  const form = ruleForm(rule, spiking), d = form.train;
  const argv = ['--rule', rule.id, '--dataset', dataset, '--hidden', hidden.length ? hidden.join(',') : 'none', '--seed', str(r.seed)];
  if (r.epochs !== d.epochs) argv.push('--epochs', str(r.epochs));
  if (isInt(r.limit)) argv.push('--limit', str(r.limit));
  if (isInt(r.testLimit)) argv.push('--test-limit', str(r.testLimit));
  if (isInt(r.validation)) argv.push('--validation', str(r.validation));
  if (spiking) argv.push('--spiking'); // also for rules that always spike (implied there): the sweep's spiking-run key
  const flags: [string, string, unknown][] = [
    ['activation', 'activation', d.activation], ['batch', 'batch', d.batch], ['lr', 'lr', d.lr], ['optimizer', 'optimizer', d.optimizer],
    ['momentum', 'momentum', d.momentum], ['weightDecay', 'weight-decay', d.weightDecay], ['schedule', 'schedule', d.schedule], ['init', 'init', d.init],
  ];
  for (const [field, flag, def] of flags) if (r[field] !== undefined && r[field] !== def) argv.push(`--${flag}`, str(r[field]));
  if (spiking && !rule.spiking?.own) {
    const sd = { ...SPIKING_DEFAULTS, ...rule.spiking?.sim };
    for (const [field, flag] of [['steps', 'steps'], ['dt', 'dt'], ['encoder', 'encoder'], ['maxRate', 'max-rate']] as const) {
      if (r[field] !== undefined && r[field] !== sd[field]) argv.push(`--${flag}`, str(r[field]));
    }
  }
  const params = (typeof r.ruleParams === 'object' && r.ruleParams !== null ? r.ruleParams : {}) as Record<string, unknown>;
  for (const k of Object.keys(params).sort()) {
    if (form.implied.includes(k) || form.unused.includes(k)) continue; // set by --spiking above, or no effect in this form
    if (Object.hasOwn(rule.defaults, k) && params[k] !== (rule.defaults as Record<string, unknown>)[k]) argv.push('--param', `${k}=${str(params[k])}`);
  }
  return {
    key: runKey(argv), status: 'ok',
    run: { rule: rule.id, dataset, depth: hidden.length, width: hidden[0] ?? 0, mode: spiking ? 'spiking' : 'rate', seed: r.seed as number, argv },
    meta: ruleMeta(rule), record: r as RunRecord, wallSeconds: r.seconds as number, finishedAt: now.toISOString(),
    source: 'import', importedFrom: where(source),
  };
}

export interface ImportSummary {
  /** Lines to append (new keys only, first occurrence wins). */
  lines: ResultLine[];
  /** Records whose key was already in the results (or earlier in this import). */
  duplicates: number;
  /** Cancelled runs (Ctrl-C): not imported. */
  cancelled: string[];
}

/**
 * The keys of `lines` an import leaves alone: those whose last line is a finished run that is not stale
 * (made under today's defaults and, with `today`, by today's computation). A key whose last line is a
 * failure, or stale, takes an imported record: the import then replaces what a sweep would run again.
 */
export function settledKeys(lines: readonly ResultLine[], registered: Record<string, AnyRule>, today?: StaleOptions['today']): Set<string> {
  const out = new Set<string>();
  for (const l of latestByKey(lines).values()) if (l.status === 'ok' && staleReasons(l, registered, { today }).length === 0) out.add(l.key);
  return out;
}

/**
 * Reads and converts every record of `files`, dropping keys in `existing` (settledKeys) and repeats. Nothing is written.
 * `nameOf` gives the name a line records as its origin (default: the path as given).
 */
export function importRecords(files: readonly string[], registered: Record<string, AnyRule>, existing: ReadonlySet<string>, now = new Date(), nameOf: (file: string) => string = (f) => f): ImportSummary {
  const seen = new Set(existing);
  const out: ImportSummary = { lines: [], duplicates: 0, cancelled: [] };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(`${file}: cannot read (${(e as Error).message})`);
    }
    for (const { record, source } of parseRecords(text, nameOf(file))) {
      const line = recordToResult(record, source, registered, now);
      if (line.status === 'ok' && line.record.cancelled === true) { out.cancelled.push(where(source)); continue; }
      if (seen.has(line.key)) { out.duplicates++; continue; }
      seen.add(line.key);
      out.lines.push(line);
    }
  }
  return out;
}
