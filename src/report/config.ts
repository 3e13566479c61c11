// Sweep configurations for `bioprop compare`: the JSON format, the two presets, and the expansion of a
// config into the list of runs (rules × depths × rate/spiking × datasets × seeds), each a `bioprop train`
// command line with a stable key. The key is the run's identity for resuming: a results line whose key
// matches a planned run means that run is finished. Browser-safe (no Node imports).
import type { AnyRule, Objection } from '../rules/types.js';
import { spikingObjections } from '../rules/form.js';

export type Mode = 'rate' | 'spiking';
export type DatasetId = 'mnist' | 'fashion-mnist';

export interface SweepConfig {
  /** A name for the report header (e.g. 'quick'). */
  name?: string;
  /** Rule ids, or '*' for every registered rule (in registry order). */
  rules: string[] | '*';
  datasets: DatasetId[];
  /** Numbers of hidden layers to try. */
  depths: number[];
  /** Units per hidden layer (default 256). */
  width?: number;
  /** Units per hidden layer for some rules instead of `width` (e.g. the phase rules at their reference 500). */
  ruleWidths?: Record<string, number>;
  /** 'spiking' runs are made only for rules whose metadata says `spiking: true`. Default ['rate', 'spiking']. */
  modes?: Mode[];
  seeds: number[];
  /** Epochs per run (default: each rule's own default). */
  epochs?: number;
  /** Training examples per run (default: all). */
  limit?: number;
  /** Test examples evaluated each epoch (default: all). */
  testLimit?: number;
  /** Training examples per spiking run (default: `limit`): spiking time loops cost T times more per example. */
  spikingLimit?: number;
  /** Extra `bioprop train` arguments for every run. */
  args?: string[];
  /** Extra arguments per mode; spiking defaults to ['--spiking']. */
  modeArgs?: Partial<Record<Mode, string[]>>;
  /** Extra arguments per rule id: its hyperparameters, e.g. { "fa": ["--lr", "0.01", "--param", "scale=1"] }. */
  ruleArgs?: Record<string, string[]>;
  /** Concurrent runs (child processes). 0 = one per core. Default 1. */
  workers?: number;
  /** A run still going after this many seconds is stopped and recorded as failed (default: none). */
  timeoutSeconds?: number;
  /** The depth the answer table reports accuracy at (default 3 when swept, else the deepest). */
  referenceDepth?: number;
  /** Mean test accuracy a rule must reach at a depth for that depth to "work" (default mnist 0.9, fashion-mnist 0.8). */
  works?: Partial<Record<DatasetId, number>>;
  /** Files of rules of your own (relative to the config file), loaded as by `--plugin` before `rules` is checked. */
  plugins?: string[];
  /**
   * A sweep that is not one product: each part overrides datasets, depths, seeds and modes of the config
   * and the runs are the union, in the parts' order (a run two parts plan is planned once). The config's
   * own datasets, depths and seeds then list everything the parts sweep (the report's layout reads them).
   */
  parts?: SweepPart[];
  /**
   * Runs left out of the plan on purpose, each pattern with its reason: a run is omitted when it matches
   * every field a pattern gives (its rule, and its mode, datasets, depths, seeds where given). The report
   * names each cut with its reason, so a cell missing for cost is not read as one that failed.
   */
  omit?: SweepOmission[];
}

export type SweepPart = Partial<Pick<SweepConfig, 'datasets' | 'depths' | 'seeds' | 'modes'>>;

export interface SweepOmission {
  rule: string;
  mode?: Mode;
  datasets?: DatasetId[];
  depths?: number[];
  seeds?: number[];
  /** Why these runs are not planned (shown in the report's header). */
  why: string;
}

/** Whether `omit` leaves run r out of the plan. */
export function omitted(omit: readonly SweepOmission[] | undefined, r: Pick<RunSpec, 'rule' | 'mode' | 'dataset' | 'depth' | 'seed'>): boolean {
  return (omit ?? []).some((o) => o.rule === r.rule && (o.mode === undefined || o.mode === r.mode) && (o.datasets === undefined || o.datasets.includes(r.dataset))
    && (o.depths === undefined || o.depths.includes(r.depth)) && (o.seeds === undefined || o.seeds.includes(r.seed)));
}

/** One omission in words: 'dendrites spiking at 1, 2, 4 hidden layers (why)'. */
export function describeOmission(o: SweepOmission): string {
  const where = [
    o.datasets ? o.datasets.join(', ') : '', o.depths ? `at ${o.depths.join(', ')} hidden layer${o.depths.length === 1 && o.depths[0] === 1 ? '' : 's'}` : '', o.seeds ? `seed${o.seeds.length > 1 ? 's' : ''} ${o.seeds.join(', ')}` : '',
  ].filter(Boolean).join(' ');
  return `${o.rule}${o.mode ? ` ${o.mode}` : ''}${where ? ` ${where}` : ' (every run)'}: ${o.why}`;
}

/** One planned run. */
export interface RunSpec {
  key: string;
  rule: string;
  dataset: DatasetId;
  depth: number;
  width: number;
  mode: Mode;
  seed: number;
  /** The `bioprop train` arguments (without --out). */
  argv: string[];
}

/** What a report needs to know about a rule (recorded in every results line, so reports do not need the registry). */
export interface RuleMeta {
  id: string;
  title: string;
  cite: string;
  removes: Objection[];
  partly: Objection[];
  spiking: boolean;
  /** The objections the rule's spiking form removes, when they differ from its rate form's. */
  spikingObjections?: { removes: Objection[]; partly: Objection[] };
}

export function ruleMeta(r: AnyRule): RuleMeta {
  const so = spikingObjections(r);
  const same = (a: readonly Objection[], b: readonly Objection[]) => a.length === b.length && a.every((o) => b.includes(o));
  const differs = so && !(same(so.removes, r.objections.removes) && same(so.partly, r.objections.partly ?? []));
  return {
    id: r.id, title: r.title, cite: r.cite, removes: [...r.objections.removes], partly: [...(r.objections.partly ?? [])], spiking: !!r.spiking,
    ...(differs ? { spikingObjections: so } : {}),
  };
}

export const DEFAULT_WORKS: Record<DatasetId, number> = { mnist: 0.9, 'fashion-mnist': 0.8 };
const DATASET_IDS: readonly DatasetId[] = ['mnist', 'fashion-mnist'];
const MODES: readonly Mode[] = ['rate', 'spiking'];

/**
 * `quick`: every registered rule, MNIST, 1 and 3 hidden layers of 256, one seed, 1 epoch on a slice of
 * the training set scaled so the sweep stays under ~10 minutes on 2 cores however many rules are
 * registered (about 240 000 training examples in total, at least 1 000 and at most 10 000 per run;
 * spiking runs get a fifth of that), 2 000 test examples, and a per-run time limit. Alignment to
 * backprop is measured every 10 batches (for the report's alignment chart).
 */
export function quickPreset(registered: readonly AnyRule[], cores: number): SweepConfig {
  const depths = [1, 3];
  const nSpiking = registered.filter((r) => r.spiking).length;
  const runs = Math.max(1, (registered.length + nSpiking) * depths.length);
  const limit = Math.max(1000, Math.min(10000, Math.round(240_000 / runs / 500) * 500));
  const workers = Math.max(1, Math.min(2, cores));
  // 600 s for the whole sweep on `workers` cores, less a margin for start-up and the report.
  const timeoutSeconds = Math.max(20, Math.floor((480 * workers) / runs));
  return {
    name: 'quick', rules: '*', datasets: ['mnist'], depths, width: 256, modes: ['rate', 'spiking'], seeds: [1],
    epochs: 1, limit, spikingLimit: Math.max(500, Math.round(limit / 5)), testLimit: 2000, workers, timeoutSeconds,
    referenceDepth: 3, works: { mnist: 0.8 }, args: ['--align-every', '10'],
  };
}

/**
 * `full`: every registered rule, three hidden layers and the depth scan (1, 2, 3, 5), MNIST and
 * Fashion-MNIST, three seeds, each rule's default epochs, full data, one worker per core. Alignment to
 * backprop is measured every 50 batches (a scratch backprop pass; its cost was within timing noise for fa
 * and spiking dfa at 784-256x3-10).
 */
export function fullPreset(): SweepConfig {
  return {
    name: 'full', rules: '*', datasets: ['mnist', 'fashion-mnist'], depths: [1, 2, 3, 5], width: 256, modes: ['rate', 'spiking'],
    seeds: [1, 2, 3], workers: 0, referenceDepth: 3, args: ['--align-every', '50'],
  };
}

const DENDRITES_COST = 'about 4.5 core-hours a run; its two three-hidden-layer seed-1 cells (MNIST, Fashion-MNIST) are kept';

/**
 * `report`: exactly the cells of the checked-in report (docs/report.md), each rule with its default epochs,
 * 256 units per hidden layer (the phase rules at the 500 of their papers' MNIST networks), rate and spiking wherever the rule has that form. Parts, in the order a sweep cut
 * short would want them done: three hidden layers on MNIST (seed 1), the same on Fashion-MNIST, the depth
 * scan (1, 2 and 4 hidden layers, MNIST), then seeds 2 and 3 of the three-layer MNIST cells. Omitted, with
 * the reason the report prints: the spiking segregated-dendrites runs outside their two seed-1 three-layer cells.
 */
export function reportPreset(): SweepConfig {
  return {
    name: 'report', rules: '*', datasets: ['mnist', 'fashion-mnist'], depths: [3, 1, 2, 4], width: 256, ruleWidths: { chl: 500, eqprop: 500, generec: 500 }, modes: ['rate', 'spiking'],
    seeds: [1, 2, 3], workers: 0, referenceDepth: 3, args: ['--align-every', '50'],
    parts: [
      { datasets: ['mnist'], depths: [3], seeds: [1] },
      { datasets: ['fashion-mnist'], depths: [3], seeds: [1] },
      { datasets: ['mnist'], depths: [1, 2, 4], seeds: [1] },
      { datasets: ['mnist'], depths: [3], seeds: [2, 3] },
    ],
    // Segregated dendrites on spiking neurons are the costliest runs by far (60 epochs of 5-example batches,
    // two 100-step phases per example and a 250-step test window; their cost is in docs/measurements.md), so
    // only the two cells the answer table needs are planned.
    omit: [
      { rule: 'dendrites', mode: 'spiking', depths: [1, 2, 4], why: DENDRITES_COST },
      { rule: 'dendrites', mode: 'spiking', seeds: [2, 3], why: DENDRITES_COST },
    ],
  };
}


export const PRESETS = ['quick', 'full', 'report'] as const;
export type PresetName = (typeof PRESETS)[number];

function fail(msg: string): never {
  throw new Error(`sweep config: ${msg}`);
}

const isStrList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const posInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** Checks a parsed config (from JSON) field by field; errors name the field, expected and actual value. */
export function validateConfig(c: unknown, registered: Record<string, AnyRule>): SweepConfig {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) fail(`expected a JSON object, got ${JSON.stringify(c)}`);
  const o = c as Record<string, unknown>;
  const known = new Set(['name', 'rules', 'datasets', 'depths', 'width', 'modes', 'seeds', 'epochs', 'limit', 'testLimit', 'spikingLimit',
    'args', 'modeArgs', 'ruleArgs', 'workers', 'timeoutSeconds', 'referenceDepth', 'works', 'plugins', 'parts', 'ruleWidths', 'omit', '$comment']);
  for (const k of Object.keys(o)) if (!known.has(k)) fail(`unknown field '${k}' (fields: ${[...known].join(', ')})`);
  if (o.rules !== '*') {
    if (!isStrList(o.rules) || o.rules.length === 0) fail(`rules must be '*' or a non-empty list of rule ids, got ${JSON.stringify(o.rules)}`);
    for (const id of o.rules) if (!Object.hasOwn(registered, id)) fail(`unknown rule '${id}' (registered: ${Object.keys(registered).join(', ')})`);
  }
  checkAxes(o, '');
  if (o.parts !== undefined) {
    if (!Array.isArray(o.parts) || o.parts.length === 0) fail(`parts must be a non-empty list of { datasets?, depths?, seeds?, modes? }, got ${JSON.stringify(o.parts)}`);
    o.parts.forEach((part: unknown, i) => {
      if (typeof part !== 'object' || part === null || Array.isArray(part)) fail(`parts[${i}] must be an object { datasets?, depths?, seeds?, modes? }, got ${JSON.stringify(part)}`);
      const q = part as Record<string, unknown>;
      for (const k of Object.keys(q)) if (!PART_KEYS.includes(k)) fail(`parts[${i}]: unknown field '${k}' (a part sets ${PART_KEYS.join(', ')})`);
      checkAxes({ ...o, ...q }, `parts[${i}].`);
      for (const k of ['datasets', 'depths', 'seeds'] as const) {
        const outside = ((q[k] ?? []) as unknown[]).filter((v) => !(o[k] as unknown[]).includes(v));
        if (outside.length) fail(`parts[${i}].${k} has ${outside.join(', ')}, not in the config's ${k} (${(o[k] as unknown[]).join(', ')}): list there everything the parts sweep`);
      }
    });
  }
  if (o.omit !== undefined) {
    if (!Array.isArray(o.omit)) fail(`omit must be a list of { rule, mode?, datasets?, depths?, seeds?, why }, got ${JSON.stringify(o.omit)}`);
    o.omit.forEach((x: unknown, i) => {
      if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(`omit[${i}] must be an object { rule, mode?, datasets?, depths?, seeds?, why }, got ${JSON.stringify(x)}`);
      const q = x as Record<string, unknown>;
      for (const k of Object.keys(q)) if (!['rule', 'mode', 'datasets', 'depths', 'seeds', 'why'].includes(k)) fail(`omit[${i}]: unknown field '${k}' (an omission sets rule, mode, datasets, depths, seeds, why)`);
      if (typeof q.rule !== 'string' || !Object.hasOwn(registered, q.rule)) fail(`omit[${i}].rule must be a registered rule id, got ${JSON.stringify(q.rule)}`);
      if (q.mode !== undefined && !MODES.includes(q.mode as Mode)) fail(`omit[${i}].mode must be rate or spiking, got ${JSON.stringify(q.mode)}`);
      if (typeof q.why !== 'string' || q.why.trim() === '') fail(`omit[${i}].why must say why the runs are left out, got ${JSON.stringify(q.why)}`);
      for (const k of ['datasets', 'depths', 'seeds'] as const) {
        if (q[k] === undefined) continue;
        const outside = Array.isArray(q[k]) ? (q[k] as unknown[]).filter((v) => !(o[k] as unknown[]).includes(v)) : [q[k]];
        if (!Array.isArray(q[k]) || q[k].length === 0 || outside.length) fail(`omit[${i}].${k} must be a non-empty list of the config's ${k} (${(o[k] as unknown[]).join(', ')}), got ${JSON.stringify(q[k])}`);
      }
    });
  }
  if (o.ruleWidths !== undefined) {
    if (typeof o.ruleWidths !== 'object' || o.ruleWidths === null || Array.isArray(o.ruleWidths)) fail(`ruleWidths must be an object { rule: units }, got ${JSON.stringify(o.ruleWidths)}`);
    for (const [id, v] of Object.entries(o.ruleWidths)) {
      if (!Object.hasOwn(registered, id)) fail(`ruleWidths: unknown rule '${id}' (registered: ${Object.keys(registered).join(', ')})`);
      if (!posInt(v)) fail(`ruleWidths.${id} must be a positive integer, got ${JSON.stringify(v)}`);
    }
  }
  for (const k of ['width', 'epochs', 'limit', 'testLimit', 'spikingLimit', 'timeoutSeconds', 'referenceDepth'] as const) {
    if (o[k] !== undefined && !posInt(o[k])) fail(`${k} must be a positive integer, got ${JSON.stringify(o[k])}`);
  }
  if (o.workers !== undefined && !(typeof o.workers === 'number' && Number.isInteger(o.workers) && o.workers >= 0)) {
    fail(`workers must be an integer ≥ 0 (0 = one per core), got ${JSON.stringify(o.workers)}`);
  }
  if (o.args !== undefined && !isStrList(o.args)) fail(`args must be a list of strings, got ${JSON.stringify(o.args)}`);
  if (o.plugins !== undefined && !isStrList(o.plugins)) fail(`plugins must be a list of file names, got ${JSON.stringify(o.plugins)}`);
  for (const k of ['modeArgs', 'ruleArgs'] as const) {
    const m = o[k];
    if (m === undefined) continue;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) fail(`${k} must be an object of string lists, got ${JSON.stringify(m)}`);
    for (const [key, v] of Object.entries(m)) {
      if (!isStrList(v)) fail(`${k}.${key} must be a list of strings, got ${JSON.stringify(v)}`);
      if (k === 'modeArgs' && !MODES.includes(key as Mode)) fail(`modeArgs.${key}: expected rate or spiking`);
    }
  }
  if (o.works !== undefined) {
    if (typeof o.works !== 'object' || o.works === null) fail(`works must be an object { dataset: accuracy }, got ${JSON.stringify(o.works)}`);
    for (const [d, v] of Object.entries(o.works)) {
      if (!DATASET_IDS.includes(d as DatasetId) || typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(`works.${d} must be an accuracy in [0, 1] for mnist or fashion-mnist, got ${JSON.stringify(v)}`);
    }
  }
  return o as unknown as SweepConfig;
}

const PART_KEYS = ['datasets', 'depths', 'seeds', 'modes'];

/** The swept axes of a config (or of a config with a part applied, `at` naming the part in errors). */
function checkAxes(o: Record<string, unknown>, at: string): void {
  if (!isStrList(o.datasets) || o.datasets.length === 0 || o.datasets.some((d) => !DATASET_IDS.includes(d as DatasetId))) {
    fail(`${at}datasets must be a non-empty list of ${DATASET_IDS.join(' | ')}, got ${JSON.stringify(o.datasets)}`);
  }
  if (!Array.isArray(o.depths) || o.depths.length === 0 || !o.depths.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    fail(`${at}depths must be a non-empty list of hidden-layer counts (integers ≥ 0), got ${JSON.stringify(o.depths)}`);
  }
  if (!Array.isArray(o.seeds) || o.seeds.length === 0 || !o.seeds.every((s) => Number.isInteger(s))) fail(`${at}seeds must be a non-empty list of integers, got ${JSON.stringify(o.seeds)}`);
  if (o.modes !== undefined && (!isStrList(o.modes) || o.modes.length === 0 || o.modes.some((m) => !MODES.includes(m as Mode)))) {
    fail(`${at}modes must be a non-empty list of rate | spiking, got ${JSON.stringify(o.modes)}`);
  }
}

/** The rule ids a config sweeps, in registry order for '*'. */
export function configRules(c: SweepConfig, registered: Record<string, AnyRule>): string[] {
  return c.rules === '*' ? Object.keys(registered) : [...c.rules];
}

/** The depth an answer table reports at: referenceDepth, else 3 when swept (or nothing is), else the deepest. */
export function referenceDepthOf(c: { depths: readonly number[]; referenceDepth?: number | undefined }): number {
  return c.referenceDepth ?? (c.depths.length === 0 || c.depths.includes(3) ? 3 : Math.max(...c.depths));
}

/**
 * Every run of a config, each with its full `bioprop train` argument list, in a fixed order chosen so
 * that a sweep cut short has the most useful part done: seed by seed (one complete seed before the
 * next), then dataset, then depth with the reference depth (the answer table's) first and the rest of
 * the scan in the config's order, then rule, then mode. Spiking runs only for spiking-capable rules; no
 * rate runs for rules that always run spiking.
 */
export function expandConfig(c: SweepConfig, registered: Record<string, AnyRule>): RunSpec[] {
  if (c.parts) {
    const seen = new Set<string>();
    return c.parts.flatMap((part) => expandConfig({ ...c, ...part, parts: undefined }, registered)).filter((r) => !seen.has(r.key) && !!seen.add(r.key));
  }
  const modes = c.modes ?? ['rate', 'spiking'];
  const ref = referenceDepthOf(c);
  const depths = [...c.depths.filter((d) => d === ref), ...c.depths.filter((d) => d !== ref)];
  const out: RunSpec[] = [];
  for (const seed of c.seeds) {
    for (const dataset of c.datasets) {
      for (const depth of depths) {
        for (const rule of configRules(c, registered)) {
          const meta = registered[rule];
          const width = c.ruleWidths?.[rule] ?? c.width ?? 256;
          for (const mode of modes) {
            if (mode === 'spiking' && !meta?.spiking) continue;
            if (omitted(c.omit, { rule, mode, dataset, depth, seed })) continue;
            // Rules that always run spiking (superspike, erbp, nef) have no rate run: it would be the spiking run again, mislabelled.
            if (mode === 'rate' && meta?.spiking?.only) continue;
            const limit = mode === 'spiking' ? (c.spikingLimit ?? c.limit) : c.limit;
            const argv = ['--rule', rule, '--dataset', dataset, '--hidden', depth === 0 ? 'none' : Array(depth).fill(width).join(','), '--seed', String(seed)];
            if (c.epochs !== undefined) argv.push('--epochs', String(c.epochs));
            if (limit !== undefined) argv.push('--limit', String(limit));
            if (c.testLimit !== undefined) argv.push('--test-limit', String(c.testLimit));
            argv.push(...(c.args ?? []), ...(c.modeArgs?.[mode] ?? (mode === 'spiking' ? ['--spiking'] : [])), ...(c.ruleArgs?.[rule] ?? []));
            out.push({ key: runKey(argv), rule, dataset, depth, width, mode, seed, argv });
          }
        }
      }
    }
  }
  return out;
}

/**
 * Flags that only observe a run and never change what it computes, with whether they take a value: left
 * out of a run's key. `--align-every` measures alignment on scratch buffers (tests/metrics/alignment.test.ts
 * checks every rule trains bit-identically with and without it), `--quiet` only silences the epoch lines.
 */
const OBSERVERS: Readonly<Record<string, boolean>> = { '--align-every': true, '--quiet': false };

/**
 * A run's identity: its command line (so changing any setting makes it a new run), without the flags that
 * only observe it (OBSERVERS), so a run measured with alignment is the same run as one measured without.
 */
export function runKey(argv: readonly string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!, eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (Object.hasOwn(OBSERVERS, flag)) {
      if (OBSERVERS[flag] && flag === a) i++; // skip the value too ('--align-every 50'; not '--align-every=50')
      continue;
    }
    kept.push(a);
  }
  return kept.map((a) => (/^[\w.,:=/+-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** A short label for progress lines: 'fa mnist 3×256 rate seed 1'. */
export function runLabel(r: Pick<RunSpec, 'rule' | 'dataset' | 'depth' | 'width' | 'mode' | 'seed'>): string {
  return `${r.rule} ${r.dataset} ${r.depth}×${r.width} ${r.mode} seed ${r.seed}`;
}
