// Where a spiking window's time goes, for `npm run bench:spiking -- --train --profile`. A simulator
// holds `profile: StepProfile | null`; with null (the default) each hook is one null test, so the
// training loop pays nothing measurable. With a profile, start() marks a time and lap(part) charges the
// time since the last mark to `part`. Laps nest nothing: the caller marks before a section and laps after.

/** The parts a step is charged to (index = StepProfile.seconds index); 'other' is what the caller has left. */
export const PROFILE_PARTS = ['propagation', 'neuron', 'traces', 'learning', 'encoder'] as const;
export type ProfilePart = (typeof PROFILE_PARTS)[number];
export const PROPAGATION = 0, NEURON = 1, TRACES = 2, LEARNING = 3, ENCODER = 4;

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class StepProfile {
  /** Seconds charged to each of PROFILE_PARTS. */
  readonly seconds = new Float64Array(PROFILE_PARTS.length);
  private mark = 0;

  start(): void {
    this.mark = now();
  }

  lap(part: number): void {
    const t = now();
    this.seconds[part]! += (t - this.mark) / 1000;
    this.mark = t;
  }

  /** Charges `seconds` measured elsewhere (e.g. a rule's teach and update) to `part`. */
  add(part: number, seconds: number): void {
    this.seconds[part]! += seconds;
  }

  reset(): void {
    this.seconds.fill(0);
  }

  /** Seconds per part by name. */
  record(): Record<ProfilePart, number> {
    return Object.fromEntries(PROFILE_PARTS.map((p, i) => [p, this.seconds[i]!])) as Record<ProfilePart, number>;
  }
}
