// The results file of a sweep: one JSON line per finished run (ok or failed), appended as each run ends.
// A line is complete only with its trailing newline: a last line without one (the process was killed
// mid-write) is detected, ignored, and cut off before the next append so the file stays valid.
// Node only (file I/O).
import { openSync, closeSync, fstatSync, ftruncateSync, readSync, writeSync, readFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Mode, DatasetId, RuleMeta, RunSpec } from './config.js';

/** Per-layer gradient alignment of one epoch (filled by the alignment diagnostics when enabled). */
export interface AlignmentEntry {
  layer: number;
  /** Angle between the rule's weight update and backprop's, in degrees. */
  updateAngleDeg: number | null;
  /** Angle between the feedback path (e.g. B) and the forward weights' transpose, in degrees. */
  weightAngleDeg?: number | null;
  normRatio?: number | null;
}

export interface HistoryEntry {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  testLoss: number;
  lr: number;
  seconds: number;
  /** CPU seconds of the epoch, all threads (records made in Node since they were added). */
  cpuSeconds?: number;
  alignment?: AlignmentEntry[];
}

/** Spikes of a few neurons over one presentation: `spikes` is a list of [time step, neuron] pairs. */
export type { Raster } from '../net/raster.js';
import type { Raster } from '../net/raster.js';

/** The JSON record `bioprop train --out` writes (the fields a report reads; others pass through). */
export interface RunRecord {
  rule: string;
  dataset: string;
  hidden: number[];
  spiking: boolean;
  epochs: number;
  seed: number;
  testAccuracy: number | null;
  trainAccuracy: number | null;
  seconds: number;
  cancelled: boolean;
  history: HistoryEntry[];
  raster?: Raster;
  [field: string]: unknown;
}

/** What the sweep asked for (the RunSpec without its key). */
export type RunInfo = Omit<RunSpec, 'key'>;

/** Where a line came from: absent = a run of a sweep; 'import' = a record imported by `compare --import`
 *  (importedFrom names its file, and line for JSON lines). */
interface LineOrigin { source?: 'import'; importedFrom?: string }

export type ResultLine =
  | ({ key: string; status: 'ok'; run: RunInfo; meta?: RuleMeta; record: RunRecord; wallSeconds: number; finishedAt: string } & LineOrigin)
  | ({ key: string; status: 'error'; run: RunInfo; meta?: RuleMeta; error: string; wallSeconds: number; finishedAt: string } & LineOrigin);

export interface ReadResults {
  lines: ResultLine[];
  /** Bytes of a last line without its newline (0 when the file ends cleanly). */
  truncatedBytes: number;
}

/** Parses results text. A last line without a newline is ignored; any other bad line is an error naming its number. */
export function parseResults(text: string, name = 'results'): ReadResults {
  const lines: ResultLine[] = [];
  const end = text.lastIndexOf('\n') + 1;
  const parts = text.slice(0, end).split('\n');
  parts.pop(); // after the last '\n'
  parts.forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new Error(`${name}: line ${i + 1} is not valid JSON (${(e as Error).message}); fix or delete that line`);
    }
    const o = v as Partial<ResultLine>;
    if (typeof o?.key !== 'string' || (o.status !== 'ok' && o.status !== 'error') || typeof o.run !== 'object') {
      throw new Error(`${name}: line ${i + 1} is not a sweep result (expected fields key, status ok|error, run)`);
    }
    lines.push(v as ResultLine);
  });
  return { lines, truncatedBytes: text.length - end };
}

export function readResults(path: string): ReadResults {
  if (!existsSync(path)) return { lines: [], truncatedBytes: 0 };
  return parseResults(readFileSync(path, 'utf8'), path);
}

/** Cuts a half-written last line (no trailing newline) off the file. Returns the bytes removed. */
export function repairResults(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    // Walk back from the end to the last '\n'.
    const chunk = Buffer.alloc(64 * 1024);
    let pos = size;
    while (pos > 0) {
      const n = Math.min(chunk.length, pos);
      pos -= n;
      readSync(fd, chunk, 0, n, pos);
      const at = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (at >= 0) {
        const keep = pos + at + 1;
        if (keep < size) ftruncateSync(fd, keep);
        return size - keep;
      }
    }
    ftruncateSync(fd, 0);
    return size;
  } finally {
    closeSync(fd);
  }
}

/** Appends one result as a single write of one line. */
export function appendResult(path: string, line: ResultLine): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, JSON.stringify(line) + '\n');
  } finally {
    closeSync(fd);
  }
}

/** The last line per key (a re-run of a failed run supersedes its error line). */
export function latestByKey(lines: readonly ResultLine[]): Map<string, ResultLine> {
  const m = new Map<string, ResultLine>();
  for (const l of lines) m.set(l.key, l);
  return m;
}
