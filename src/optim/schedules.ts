// Learning-rate schedules, as a function of the epoch (0-based) and the fraction of it done.
export type ScheduleName = 'constant' | 'step' | 'cosine';
export const SCHEDULES: readonly ScheduleName[] = ['constant', 'step', 'cosine'];

export interface ScheduleOptions {
  /** step: multiply by `gamma` every `stepEvery` epochs (defaults 0.1 and a third of the run). */
  gamma?: number;
  stepEvery?: number;
  /** cosine: the floor as a fraction of the base rate (default 0). */
  floor?: number;
}

/** Returns lr(epoch, progress in [0,1) within the epoch) for a run of `epochs` epochs. */
export function schedule(name: ScheduleName, base: number, epochs: number, o: ScheduleOptions = {}): (epoch: number, frac: number) => number {
  switch (name) {
    case 'constant':
      return () => base;
    case 'step': {
      const every = o.stepEvery ?? Math.max(1, Math.round(epochs / 3));
      const gamma = o.gamma ?? 0.1;
      return (e) => base * gamma ** Math.floor(e / every);
    }
    case 'cosine': {
      const floor = (o.floor ?? 0) * base;
      return (e, f) => floor + (base - floor) * 0.5 * (1 + Math.cos((Math.PI * (e + f)) / Math.max(1, epochs)));
    }
    default:
      throw new Error(`schedule: unknown schedule '${String(name)}' (expected one of ${SCHEDULES.join(', ')})`);
  }
}
