// What a training run records after each epoch (Trainer.fit's history, the --out record, a training state).
import type { AlignmentRecord } from '../metrics/alignment.js';

/** One finished epoch. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  lr: number;
  seconds: number;
  /** Per-layer alignment to backprop, averaged over the epoch's measured batches (only with alignEvery). */
  alignment?: AlignmentRecord[];
}
