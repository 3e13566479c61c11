// `npm run bench:spiking -- --train [--profile] [--rules a,b] [--json FILE]`: one training epoch of each
// spiking rule on a fixed 5,000-example MNIST slice (the first 5,000 training images), one thread,
// each rule at its CLI defaults (784-256x3-10; dendrites --spiking: its 500-100 network and batch 5),
// beside a rate bp epoch of 784-256x3-10 on the same slice in the same run, reported as the ratio
// spiking / rate-bp. Times are the process's CPU seconds (user + system; one thread, so this is the
// training thread's) as well as wall seconds: on a machine shared with other jobs, CPU time is what the
// epoch costs, wall time what it took. bp is timed before the first rule and after every rule, and the
// ratio divides by the median of those bp epochs (their spread is printed).
// --profile: seconds per rule in propagation, neuron step, traces, learning (the rule's per-step work,
// teach, update and the optimiser step), encoder, and other (batch loading, the loss, window set-up),
// from the simulators' StepProfile hooks. A layer whose input arrives as spike lists sums its input
// current inside the fused step: that propagation is counted in 'neuron' ('propagation' keeps the GEMMs,
// the readout's and the dense-input layers').
// The "before" column is bench/spiking-train-before.json (the same benchmark on the build before the
// fused, event-driven time step), measured on this machine; compare it only at a similar load average.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, loadDataset, Network, SpikingNetwork, Trainer, getRule } from '../dist/src/index.js';
import { ruleForm } from '../dist/src/rules/form.js';
import { StepProfile, PROFILE_PARTS, LEARNING } from '../dist/src/net/profile.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const has = (f) => argv.includes(`--${f}`);
const val = (f, d) => { const i = argv.indexOf(`--${f}`); return i >= 0 && argv[i + 1] ? argv[i + 1] : d; };
const profile = has('profile');
const N = Number(val('examples', 5000));
const RUNS = [
  { label: 'fa --spiking', rule: 'fa', spiking: true },
  { label: 'dfa --spiking', rule: 'dfa', spiking: true },
  { label: 'superspike', rule: 'superspike', spiking: true },
  { label: 'erbp', rule: 'erbp', spiking: true },
  { label: 'dendrites --spiking', rule: 'dendrites', spiking: true, params: { spiking: true } },
];
const TARGET = { fa: 4, dfa: 4, superspike: 8, erbp: 8, dendrites: 12 };
const only = val('rules', null)?.split(',');
const runs = only ? RUNS.filter((r) => only.includes(r.rule)) : RUNS;
const beforeFile = join(here, 'spiking-train-before.json');
const before = existsSync(beforeFile) ? JSON.parse(readFileSync(beforeFile, 'utf8')) : null;

const threads = Number(val('threads', 1)); // --threads N: the same epochs on a pool of N threads
const lib = await load({ build: 'release', threads });
const data = await loadDataset(lib, 'mnist', { limit: { train: N, test: 1 } });
const now = () => performance.now();
const load1 = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`node ${process.version}, release build, ${threads} thread(s); one epoch of ${data.train.size} MNIST examples; load average at start ${load1()}`);

/** The rule with its teach and update timed into prof's 'learning' (rules are plain objects). */
function timed(rule, prof) {
  const wrap = (fn) => fn && ((...a) => { const t = now(); const r = fn(...a); prof.add(LEARNING, (now() - t) / 1000); return r; });
  return { ...rule, teach: wrap(rule.teach), update: wrap(rule.update) };
}

function epoch({ rule: id, spiking, params = {} }) {
  const rule = getRule(id), form = ruleForm(rule, spiking, params), d = form.train;
  const opts = { sizes: [784, ...d.hidden, 10], activation: d.activation, init: d.init, batch: d.batch, seed: 1 };
  const net = form.sim ? new SpikingNetwork(lib, { ...opts, spiking: { ...form.sim, seed: 1 } }) : new Network(lib, opts);
  const prof = profile ? new StepProfile() : null;
  const trainer = new Trainer(lib, net, prof ? timed(rule, prof) : rule, {
    ruleParams: form.ruleParams, optimizer: d.optimizer, lr: d.lr, momentum: d.momentum, weightDecay: d.weightDecay, schedule: d.schedule, epochs: 1, seed: 1,
  });
  const sim = net instanceof SpikingNetwork ? net.sim : trainer.state?.sim ?? null;
  if (prof) {
    const step = trainer.optimizer.step.bind(trainer.optimizer);
    trainer.optimizer.step = (lr) => { const t = now(); step(lr); prof.add(LEARNING, (now() - t) / 1000); };
  }
  for (let i = 0; i < 2; i++) trainer.step(); // warm-up: JIT and caches, on whatever the input holds
  if (prof && sim) { sim.profile = prof; prof.reset(); }
  sim?.resetRates?.();
  const c0 = process.cpuUsage();
  const r = trainer.fit(data.train, { epochs: 1 });
  const c = process.cpuUsage(c0), h = r.history[0];
  const rec = { rule: id, spiking: !!form.spiking, sizes: opts.sizes, batch: d.batch, cpu: (c.user + c.system) / 1e6, seconds: h.seconds, trainAccuracy: h.trainAccuracy, rates: sim?.meanRates?.() ?? null };
  if (prof) rec.profile = { ...prof.record(), other: h.seconds - prof.seconds.reduce((a, b) => a + b, 0) };
  net.dispose();
  return rec;
}

const bp = [], out = [];
bp.push(epoch({ rule: 'bp', spiking: false }));
for (const run of runs) {
  out.push({ ...epoch(run), label: run.label, load: load1() });
  bp.push(epoch({ rule: 'bp', spiking: false }));
}
const median = (a) => { const s = [...a].sort((x, y) => x - y), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const bpCpu = median(bp.map((b) => b.cpu)), bpWall = median(bp.map((b) => b.seconds));
const fmt = (x, w = 7, p = 2) => (Number.isFinite(x) ? x.toFixed(p) : '-').padStart(w);
console.log(`rate bp 784-256x3-10 batch ${bp[0].batch}: ${bpCpu.toFixed(3)} CPU s/epoch (median of ${bp.length}: ${bp.map((b) => b.cpu.toFixed(3)).join(', ')}), wall ${bpWall.toFixed(3)} s`);
console.log(`${'rule'.padEnd(20)} ${'net'.padEnd(19)} ${'CPU s'.padStart(8)} ${'wall s'.padStart(8)} ${'ratio'.padStart(7)} ${'before'.padStart(7)} ${'target'.padStart(7)}  hidden rates (Hz)`);
for (const r of out) {
  r.ratio = r.cpu / bpCpu;
  const b = before?.runs?.find((x) => x.label === r.label);
  console.log(`${r.label.padEnd(20)} ${r.sizes.join('-').padEnd(19)} ${fmt(r.cpu, 8)} ${fmt(r.seconds, 8)} ${fmt(r.ratio, 6, 1)}x ${fmt(b?.ratio, 6, 1)}x ${('<= ' + TARGET[r.rule] + 'x').padStart(7)}  ` +
    `${(r.rates ?? []).filter(Number.isFinite).map((x) => x.toFixed(0)).join(' / ')}   (load ${r.load})`);
}
if (profile) {
  const parts = [...PROFILE_PARTS, 'other'];
  console.log(`\nprofile, wall s per epoch (% of the epoch): ${parts.map((p) => p.padStart(15)).join(' ')}`);
  for (const r of out) console.log(`  ${r.label.padEnd(42)}${parts.map((p) => `${fmt(r.profile[p], 7, 2)} (${fmt(100 * r.profile[p] / r.seconds, 3, 0)} %)`).join(' ')}`);
}
console.log(`load average at end ${load1()}`);
const jf = val('json', null);
if (jf) writeFileSync(jf, JSON.stringify({ bpCpu, bpWall, bp, runs: out, load: load1() }, null, 1) + '\n');
