#!/usr/bin/env node
// Spiking speed benchmark (`npm run bench:spiking`): 784 Poisson inputs -> 1000 LIF -> 10 LIF, dense
// weights, dt = 1 ms, 100 steps per image, 100 images. bioprop's SpikingSim (release build, one
// thread; event-driven propagation chosen per step by the measured crossover, and forced dense for comparison) beside the
// peers in bench/peers/ measured in the same run: a batched NumPy and PyTorch time-stepped simulation
// on one thread, and Brian2's cython target. A peer whose library is missing is skipped (reported).
// Flags: --reps N (default 3: the median of N timed runs of ours), --json FILE.
// --train [--profile]: training epochs of the spiking rules against rate bp instead (bench/spiking-train.js).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../dist/src/index.js';
import { SpikingNetwork } from '../dist/src/net/spiking.js';
import { Rng } from '../dist/src/core/rng.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
if (argv.includes('--train')) {
  await import('./spiking-train.js');
  process.exit(0);
}
const val = (f, d) => { const i = argv.indexOf(`--${f}`); return i >= 0 ? argv[i + 1] : d; };
const reps = Number(val('reps', 3));
const B = 100, F = 784, H = 1000, C = 10, T = 100;

const lib = await load({ build: 'release' });
console.log(`node ${process.version}, bioprop release build; ${B} images x ${T} steps, ${F} Poisson -> ${H} LIF -> ${C} LIF, dt 1 ms`);

function ours(eventDensity) {
  const net = new SpikingNetwork(lib, {
    sizes: [F, H, C], batch: B, seed: 1,
    spiking: { steps: T, dt: 1e-3, maxRate: 100, readout: 'count', rateScale: 0.01, vInit: 'zero', eventDensity,
      neuronParams: { tauMem: 20e-3, tauSyn: 5e-3, refractory: 1e-3 } },
  });
  const r = new Rng(1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r.uniform())) * Math.cos(2 * Math.PI * r.uniform());
  for (const l of net.layers) { const w = l.W.data; for (let i = 0; i < w.length; i++) w[i] = 0.1 * gauss(); l.b.data.fill(0); }
  const x = net.input.data;
  for (let i = 0; i < x.length; i++) x[i] = r.uniform() < 0.2 ? 0.5 + 0.5 * r.uniform() : 0; // MNIST-like: ~20 % lit pixels
  net.forward(); // warm-up
  const times = [];
  for (let i = 0; i < reps; i++) {
    net.sim.resetRates();
    const t0 = performance.now();
    net.forward();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const res = { seconds: times[Math.floor(times.length / 2)], rates: net.sim.meanRates(), eventFraction: net.sim.eventSteps[0] / (net.sim.eventSteps[0] + net.sim.denseSteps[0]) };
  net.dispose();
  return res;
}

const rows = [];
const ev = ours('auto'), dense = ours(0);
rows.push({ name: 'bioprop (event-driven input)', ...ev }, { name: 'bioprop (dense only)', ...dense });

const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
// Interpreters tried in turn (a pyenv python3 may lack the Debian packages that /usr/bin/python3 has).
const pythons = [...new Set([process.env.PYTHON ?? 'python3', '/usr/bin/python3'])];
for (const [script, args] of [['snn_numpy.py', []], ['snn_numpy.py', ['--torch']], ['snn_brian2.py', []]]) {
  let done = false, why = 'missing';
  for (const py of pythons) {
    const p = spawnSync(py, [join(here, 'peers', script), ...args], { encoding: 'utf8', env, timeout: 1800e3 });
    const line = (p.stdout || '').trim().split('\n').pop() || '{}';
    let rec;
    try { rec = JSON.parse(line); } catch { rec = { skip: `no output (${(p.stderr || '').trim().split('\n').pop()})` }; }
    if (p.status === 3 || rec.skip) { why = rec.skip ?? why; continue; }
    if (p.status !== 0) { why = `exit ${p.status}: ${(p.stderr || '').trim().split('\n').pop()}`; continue; }
    rows.push({ ...rec, name: `${rec.name} [${py}]` });
    done = true;
    break;
  }
  if (!done) console.log(`peer ${script} ${args.join(' ')}: skipped (${why})`);
}

const base = rows[0].seconds;
for (const r of rows) {
  const imgs = B / r.seconds;
  console.log(`${r.name.padEnd(36)} ${(1000 * r.seconds).toFixed(1).padStart(9)} ms / 100 images  ${imgs.toFixed(0).padStart(6)} images/s  ` +
    `rates ${r.rates.map((x) => (Number.isFinite(x) ? x.toFixed(1) : '-')).join(' / ')} Hz` +
    (r === rows[0] ? `  (input layer event-driven on ${(100 * r.eventFraction).toFixed(0)} % of steps)` : `  ours is ${(r.seconds / base).toFixed(2)}x faster`));
}
const jf = val('json', null);
if (jf) writeFileSync(jf, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
