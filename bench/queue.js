#!/usr/bin/env node
// The cost of the queue (`npm run bench:queue`), not a test: one small sweep (4 fast rules on MNIST
// slices, 2 epochs; --runs scales it by seeds) run four ways on this machine, side by side: locally with
// `--workers 1` and `--workers 2`, and through `bioprop compare --queue` with one and with two `bioprop
// worker` processes on a Redis of its own (Debian's redis-server). Prints each wall time, queued/local
// as a ratio, and the coordinator's own figures of the queue's overhead per run (enqueue → start, finish
// → record). Timings mean little on a loaded machine: the load average is printed beside them.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/bioprop.js', import.meta.url));
const argv = process.argv.slice(2);
const seeds = Number(argv[argv.indexOf('--seeds') + 1] ?? 0) || 2;
const dir = mkdtempSync(join(tmpdir(), 'bioprop-bench-queue-'));
const config = join(dir, 'bench.json');
writeFileSync(config, JSON.stringify({
  name: 'bench', rules: ['bp', 'fa', 'dfa', 'sign'], datasets: ['mnist'], depths: [1], width: 8, modes: ['rate'],
  seeds: Array.from({ length: seeds }, (_, i) => i + 1), epochs: 2, limit: 300, testLimit: 200,
}));

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const redis = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
redis.on('error', (e) => { console.error(`bench:queue needs redis-server (sudo apt-get install redis-server): ${e.message}`); process.exit(1); });
await new Promise((r) => setTimeout(r, 500));
const url = `redis://127.0.0.1:${port}`;

function run(args) {
  return new Promise((resolve, reject) => {
    let err = '';
    const c = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr.setEncoding('utf8').on('data', (s) => { err += s; });
    c.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(`bioprop ${args.join(' ')} exited ${code}:\n${err}`))));
  });
}
async function timed(label, fn) {
  const t0 = performance.now();
  const err = await fn();
  const s = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(34)} ${s.toFixed(1).padStart(6)} s   (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
  const overhead = /queue overhead per run (.*)/.exec(err)?.[1];
  if (overhead) console.log(`  queue overhead per run ${overhead}`);
  return s;
}

const runs = 4 * seeds;
console.log(`bench:queue — ${runs} runs (bp, fa, dfa, sign × ${seeds} seeds; 784-8-10, 2 epochs of 300 examples)`);
const t = {};
try {
  for (const w of [1, 2]) t[`local${w}`] = await timed(`local, --workers ${w}`, () => run(['compare', '--config', config, '--workers', String(w), '--results', join(dir, `local${w}`, 'results.jsonl')]));
  for (const w of [1, 2]) {
    // Workers start with the coordinator; the sweep's time is the coordinator's (workers then idle out).
    let workers;
    t[`queue${w}`] = await timed(`queue, ${w} worker${w > 1 ? 's' : ''}`, () => {
      workers = Array.from({ length: w }, () => run(['worker', '--queue', url, '--idle-exit', '1']));
      return run(['compare', '--config', config, '--queue', url, '--results', join(dir, `queue${w}`, 'results.jsonl')]);
    });
    await Promise.all(workers);
  }
  console.log(`queued / local wall time: 1 worker ${(t.queue1 / t.local1).toFixed(2)}, 2 workers ${(t.queue2 / t.local2).toFixed(2)}`);
} finally {
  redis.kill();
}
