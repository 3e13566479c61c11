// The report's answer, as data: a statistic over seeds, a cell of the answer table, and a rule's row. The
// summary builds them (src/report/summary.ts) and the comparison with published figures reads them
// (src/report/published.ts). Browser-safe.
import type { DatasetId, Mode } from './config.js';
import type { Objection } from '../rules/types.js';

export interface Stat {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); NaN for one seed. */
  sd: number;
}

/** An answer cell: the accuracy over seeds, failures, a width note, and the runs not verified on this build. */
export interface AccuracyCell { stat: Stat; failed: number; note?: string; unverified?: number }

export interface AnswerRow {
  rule: string;
  title: string;
  spiking: boolean;
  /** Deepest swept depth that works, per mode, on the first dataset (null: none works; undefined: not run). */
  deepest: Partial<Record<Mode, number | null>>;
  /** Accuracy at the reference depth, per dataset and mode. */
  accuracy: Partial<Record<DatasetId, Partial<Record<Mode, AccuracyCell>>>>;
  /** Epoch time relative to bp (geometric mean over matching dataset/depth cells), per mode. */
  relTime: Partial<Record<Mode, number>>;
  /**
   * Mean test accuracy minus bp's (rate) at the reference depth on the first dataset, per mode: what a
   * report whose budget is too small to judge gives instead of `deepest` (same budget, same cell).
   */
  vsBp: Partial<Record<Mode, number>>;
  removes: Objection[];
  partly: Objection[];
  /** Those of the spiking form, when they differ from the rate form's. */
  spikingObjections?: { removes: Objection[]; partly: Objection[] };
}
