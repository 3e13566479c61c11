// What a regenerated report changed: each cell (rule, dataset, depth, width, mode) of a new report set
// against the same cell of an earlier one, judged by the seed-to-seed spread. A report rerun on a new
// build is only worth trusting where a reader can see which answers moved and by how much.
import type { DatasetId, Mode } from './config.js';
import type { Group, Stat } from './summary.js';

export interface CellChange {
  rule: string;
  dataset: DatasetId;
  depth: number;
  width: number;
  mode: Mode;
  before: Stat;
  after: Stat;
  /** after.mean − before.mean (fractions, as the accuracies). */
  delta: number;
  /**
   * The seed spread the change is measured against: the larger sample sd of the two cells; for cells of one
   * seed, the larger sd of this rule and mode on this dataset at another depth (the same rule's spread
   * elsewhere). Null when no cell of the rule and mode has two seeds: the change is then not judged.
   */
  sd: number | null;
  sdFrom: 'cell' | 'rule' | null;
  /** |delta| > sd. */
  changed: boolean;
}

export interface CellKey { rule: string; dataset: DatasetId; depth: number; width: number; mode: Mode }

export interface Changes {
  /** Cells in both reports, in the new report's order. */
  cells: CellChange[];
  /** Cells only the earlier report has. */
  dropped: CellKey[];
  /** Cells only the new report has. */
  added: CellKey[];
}

const keyOf = (g: CellKey) => `${g.rule}|${g.dataset}|${g.depth}|${g.width}|${g.mode}`;
const spread = (s: Stat) => (s.n >= 2 && Number.isFinite(s.sd) ? s.sd : null);
const cellKey = (g: CellKey): CellKey => ({ rule: g.rule, dataset: g.dataset, depth: g.depth, width: g.width, mode: g.mode });

/** Sets every cell of `after` against the same cell of `before` (cells with no finished seed are left out). */
export function cellChanges(before: readonly Group[], after: readonly Group[]): Changes {
  const done = (gs: readonly Group[]) => gs.filter((g) => g.accuracy.n > 0);
  const b = new Map(done(before).map((g) => [keyOf(g), g]));
  const a = done(after);
  const aKeys = new Set(a.map(keyOf));
  // The largest seed spread of each rule and mode on each dataset, over both reports' cells.
  const ruleSd = new Map<string, number>();
  for (const g of [...done(before), ...a]) {
    const sd = spread(g.accuracy);
    const k = `${g.rule}|${g.dataset}|${g.mode}`;
    if (sd !== null) ruleSd.set(k, Math.max(sd, ruleSd.get(k) ?? 0));
  }
  const cells: CellChange[] = [];
  for (const g of a) {
    const old = b.get(keyOf(g));
    if (!old) continue;
    const own = [spread(g.accuracy), spread(old.accuracy)].filter((x): x is number => x !== null);
    const rule = ruleSd.get(`${g.rule}|${g.dataset}|${g.mode}`);
    const sd = own.length ? Math.max(...own) : rule ?? null;
    const delta = g.accuracy.mean - old.accuracy.mean;
    cells.push({ ...cellKey(g), before: old.accuracy, after: g.accuracy, delta, sd, sdFrom: own.length ? 'cell' : rule !== undefined ? 'rule' : null, changed: sd !== null && Math.abs(delta) > sd });
  }
  return {
    cells,
    dropped: [...b.values()].filter((g) => !aKeys.has(keyOf(g))).map(cellKey),
    added: a.filter((g) => !b.has(keyOf(g))).map(cellKey),
  };
}

const pct = (x: number) => (100 * x).toFixed(2);
const cellName = (c: CellKey) => `${c.rule} ${c.dataset} ${c.depth}×${c.width} ${c.mode}`;

/** The changes as a Markdown section: the cells that moved by more than their seed spread, then the rest in counts. */
export function changesMarkdown(ch: Changes, earlier: string): string {
  const moved = ch.cells.filter((c) => c.changed);
  const unjudged = ch.cells.filter((c) => c.sd === null);
  const out = [`## Changes from ${earlier}`, '',
    `${ch.cells.length} cells are in both reports: ${moved.length} moved by more than one standard deviation of their seeds, ` +
    `${ch.cells.length - moved.length - unjudged.length} did not, ${unjudged.length} could not be judged (one seed on each side and no seed spread of the rule measured). ` +
    `${ch.added.length} cells are new, ${ch.dropped.length} are no longer in the report.`, ''];
  if (moved.length) {
    out.push('| cell | before % | after % | change (points) | sd (points) | sd of |', '| --- | --- | --- | --- | --- | --- |');
    for (const c of [...moved].sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta))) {
      out.push(`| ${cellName(c)} | ${pct(c.before.mean)} (${c.before.n}) | ${pct(c.after.mean)} (${c.after.n}) | ${c.delta > 0 ? '+' : ''}${pct(c.delta)} | ${pct(c.sd!)} | ${c.sdFrom === 'cell' ? 'the cell\'s seeds' : 'the rule\'s seeds at another depth'} |`);
    }
    out.push('');
  }
  if (unjudged.length) out.push(`Not judged: ${unjudged.map((c) => `${cellName(c)} (${c.delta > 0 ? '+' : ''}${pct(c.delta)})`).join(', ')}.`, '');
  return out.join('\n');
}
