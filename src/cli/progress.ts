// Progress output: a live bar with batches/s and ETA on a terminal; plain lines when not a TTY.
// With BIOPROP_PROGRESS=json in the environment (set by `bioprop compare` for its child runs), it
// writes one JSON line `{"progress":{"label","done","total"}}` at most five times a second instead.
export class Progress {
  private last = 0;
  private start = 0;
  readonly tty: boolean;
  private readonly json: boolean;

  constructor(private stream: NodeJS.WriteStream = process.stderr, private quiet = false) {
    this.json = process.env.BIOPROP_PROGRESS === 'json';
    this.tty = !!stream.isTTY && !quiet && !this.json;
  }

  beginEpoch(): void {
    this.start = performance.now();
    this.last = 0;
  }

  batch(label: string, done: number, total: number, extra: string): void {
    if (this.json) {
      const t = performance.now();
      if (t - this.last < 200 && done < total) return;
      this.last = t;
      this.stream.write(JSON.stringify({ progress: { label, done, total } }) + '\n');
      return;
    }
    if (!this.tty) return;
    const t = performance.now();
    if (t - this.last < 100 && done < total) return; // redraw at most 10 times a second
    this.last = t;
    const secs = (t - this.start) / 1000;
    const rate = done / Math.max(secs, 1e-9);
    const eta = rate > 0 ? (total - done) / rate : 0;
    const width = 24, fill = Math.round((width * done) / total);
    const bar = '█'.repeat(fill) + '░'.repeat(width - fill);
    this.stream.write(`\r\x1b[K${label} ${bar} ${done}/${total} ${rate.toFixed(1)} batch/s ETA ${eta.toFixed(0)}s ${extra}`);
  }

  clear(): void {
    if (this.tty) this.stream.write('\r\x1b[K');
  }
}
