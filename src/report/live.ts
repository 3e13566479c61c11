// The live view of a sweep on a terminal: one line for the whole sweep (bar, runs done, elapsed, ETA)
// and one per running run, redrawn in place four times a second; finished-run lines scroll above it.
// Off a terminal only the finished-run lines are written. Shared by the local sweep (src/report/sweep.ts)
// and the queued one (src/queue/coordinator.ts), so both look the same.

export const fmtTime = (s: number) => {
  if (!Number.isFinite(s)) return '?';
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
};
const bar = (f: number, width = 20) => {
  const fill = Math.max(0, Math.min(width, Math.round(width * f)));
  return '█'.repeat(fill) + '░'.repeat(width - fill);
};

/** A running run as the view shows it. */
export interface LiveRun {
  label: string;
  /** performance.now() when it started. */
  started: number;
  /** Fraction done, 0..1. */
  fraction: number;
  stage: string;
}

/** Fraction of a run done, from a child's progress label 'epoch e/E' and its batch counts. */
export function fractionOf(label: string, done: number, total: number): number {
  const m = /epoch (\d+)\/(\d+)/.exec(label);
  if (!m) return total > 0 ? done / total : 0;
  const e = Number(m[1]), E = Number(m[2]);
  return (e - 1 + (total > 0 ? done / total : 0)) / E;
}

export class LiveView {
  readonly active = new Set<LiveRun>();
  finished = 0;
  private drawn = 0;
  private readonly t0 = performance.now();
  private readonly tty: boolean;
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly stream: NodeJS.WriteStream, private readonly total: number) {
    this.tty = !!stream.isTTY;
    this.timer = this.tty ? setInterval(() => this.draw(), 250) : undefined;
  }

  draw(): void {
    if (!this.tty) return;
    const elapsed = (performance.now() - this.t0) / 1000;
    const partial = [...this.active].reduce((s, a) => s + a.fraction, 0);
    const f = (this.finished + partial) / this.total;
    const eta = f > 0 ? (elapsed * (1 - f)) / f : NaN;
    const lines = [`sweep ${bar(f, 24)} ${this.finished}/${this.total} runs  ${fmtTime(elapsed)} elapsed  ETA ${fmtTime(eta)}`];
    for (const a of this.active) {
      const t = (performance.now() - a.started) / 1000;
      const etaRun = a.fraction > 0.01 ? (t * (1 - a.fraction)) / a.fraction : NaN;
      lines.push(`  ${a.label.padEnd(32)} ${bar(a.fraction, 12)} ${String(Math.round(100 * a.fraction)).padStart(3)}%  ${fmtTime(t)}  ETA ${fmtTime(etaRun)}  ${a.stage}`);
    }
    let out = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    out += lines.map((l) => `\x1b[2K${l.slice(0, (this.stream.columns ?? 160) - 1)}`).join('\n') + '\n';
    // Clear lines left over from a taller previous frame.
    for (let i = lines.length; i < this.drawn; i++) out += '\x1b[2K\n';
    if (this.drawn > lines.length) out += `\x1b[${this.drawn - lines.length}F`;
    this.stream.write(out);
    this.drawn = lines.length;
  }

  /** Writes a line above the live part. */
  say(s: string): void {
    if (this.tty && this.drawn > 0) this.stream.write(`\x1b[${this.drawn}F\x1b[J`);
    this.drawn = 0;
    this.stream.write(s + '\n');
    this.draw();
  }

  /** Stops redrawing and erases the live part. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty && this.drawn > 0) this.stream.write(`\x1b[${this.drawn}F\x1b[J`);
    this.drawn = 0;
  }
}
