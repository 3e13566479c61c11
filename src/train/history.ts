// What a training run records after each epoch (Trainer.fit's history, the --out record, a training state).
import type { AlignmentRecord } from './alignment.js';

/** One finished epoch. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  lr: number;
  seconds: number;
  /**
   * CPU seconds of the epoch (user + system, all the process's threads; Node only). With one training
   * thread this is the epoch's cost whatever else shares the machine; pool workers waiting for work
   * count too, so with several threads it exceeds the work done.
   */
  cpuSeconds?: number;
  /** Per-layer alignment to backprop, averaged over the epoch's measured batches (only with alignEvery). */
  alignment?: AlignmentRecord[];
}
