// `node bench/spiking-floor.js [--batches N] [--blocks N]`: where fa --spiking's time step stands against
// the work its spikes make. One thread, the fa --spiking defaults (784-256x3-10, batch 100, its window and
// encoder), the network at its seed-1 initialisation, the first N·100 MNIST training images.
//   window   forward windows of the simulator (what a training epoch runs per batch, without learning),
//            split by its StepProfile into encoder, fused step (the neuron part: propagation from the
//            spike lists, synapse, membrane, sums) and the rest; the spikes per row and step it saw
//   events   f32_event_list_nn alone (the same sums as the fused step's propagation) on random spike
//            lists of those densities, per layer: the input-side part of the step
//   state    f32_lif_step alone over the hidden layers' state (the neuron update without propagation)
// Then per step: fused-step time against events + state (the two parts measured apart), and each part
// against its arithmetic (ns per f32 add of the row sums, bytes per neuron of the update). Interleaved
// blocks; the medians, CPU time of this one-thread process; the load average beside them.
import { loadavg } from 'node:os';
import { load, loadDataset, SpikingNetwork, getRule } from '../dist/src/index.js';
import { ruleForm } from '../dist/src/rules/form.js';
import { StepProfile, PROFILE_PARTS } from '../dist/src/net/profile.js';

const argv = process.argv.slice(2);
const val = (f, d) => { const i = argv.indexOf(`--${f}`); return i >= 0 && argv[i + 1] ? Number(argv[i + 1]) : d; };
const BATCHES = val('batches', 5), BLOCKS = val('blocks', 5);
const lib = await load({ build: 'release', threads: 1 });
const form = ruleForm(getRule('fa'), true, {}), d = form.train;
const sizes = [784, ...d.hidden, 10], B = d.batch;
const data = await loadDataset(lib, 'mnist', { limit: { train: BATCHES * B, test: 1 } });
const net = new SpikingNetwork(lib, { sizes, activation: d.activation, init: d.init, batch: B, seed: 1, spiking: { ...form.sim, seed: 1 } });
const sim = net.sim, T = sim.steps, F = sizes[0];
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const load1 = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];

// The input spikes per row and step the encoder draws in expectation: Σ_i min(1, q_i), q_i its per-step probability.
const q = sim.maxRate * sim.dt;
let inPerRow = 0;
for (let i = 0; i < BATCHES * B * F; i++) inPerRow += Math.min(1, q * data.train.images.data[i]);
inPerRow /= BATCHES * B;

function windows() { // every batch once; returns [cpu s, profile seconds by part]
  const prof = new StepProfile(); sim.profile = prof;
  const t = cpu();
  for (let b = 0; b < BATCHES; b++) {
    net.input.data.set(data.train.images.data.subarray(b * B * F, (b + 1) * B * F));
    net.forward(B);
  }
  const c = cpu() - t; sim.profile = null;
  return { cpu: c, parts: Object.fromEntries(PROFILE_PARTS.map((p, i) => [p, prof.seconds[i]])) };
}
windows(); // warm-up; also measures the densities below
sim.resetRates(); windows();
const rates = sim.meanRates(); // Hz per layer
const spikesPerRow = [inPerRow, ...rates.slice(0, -1).map((hz, i) => hz * sim.dt * sizes[i + 1])]; // into layer i, per row and step

let seed = 1; const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const layers = sizes.slice(1).map((n, i) => {
  const k = sizes[i], p = spikesPerRow[i] / k, list = lib.ints('i32', B * k), counts = lib.ints('i32', B);
  for (let r = 0; r < B; r++) { let c = 0; for (let j = 0; j < k; j++) if (rnd() < p) list.data[r * k + c++] = j; counts.data[r] = c; }
  const wt = lib.tensor([k, n]); for (let x = 0; x < wt.size; x++) wt.data[x] = rnd() - 0.5;
  return { k, n, list, counts, wt, out: lib.tensor([B, n]) };
});
const lifState = (rows) => sizes.slice(1, -1).map((n) => {
  const h = { n, input: lib.tensor([rows, n]), v: lib.tensor([rows, n]), refrac: lib.tensor([rows, n]), spikes: lib.tensor([rows, n]), deriv: lib.tensor([rows, n]) };
  for (let x = 0; x < h.input.size; x++) h.input.data[x] = 0.3 * rnd(); // below threshold mostly, as the layers run
  return h;
});
// the batch's state (about 1 MB per step over the hidden layers) and a few rows' (inside the first-level cache)
const hidden = lifState(B), SMALL = 4, hiddenSmall = lifState(SMALL);
const lifP = sim.r.kernel;
const STEPS = 20 * T;
function events() { const t = cpu(); for (let s = 0; s < STEPS; s++) for (const l of layers) lib.eventListMatmul(l.out, l.list, l.counts, l.wt); return (cpu() - t) / STEPS; }
function state(hs = hidden, reps = 1) {
  const t = cpu();
  for (let s = 0; s < STEPS * reps; s++) for (const h of hs) lib.lifStep(h.input, h.v, h.refrac, h.spikes, h.deriv, lifP);
  return (cpu() - t) / (STEPS * reps);
}

const res = { win: [], enc: [], step: [], ev: [], st: [], small: [] };
for (let b = 0; b < BLOCKS; b++) {
  const w = windows(), steps = BATCHES * T, wall = Object.values(w.parts).reduce((a, x) => a + x, 0);
  res.win.push(w.cpu / steps);
  // the profile is wall time: its shares split the CPU time (one thread, so they agree on a quiet core)
  res.enc.push(w.cpu / steps * w.parts.encoder / wall); res.step.push(w.cpu / steps * w.parts.neuron / wall);
  res.ev.push(events()); res.st.push(state()); res.small.push(state(hiddenSmall, B / SMALL) * B / SMALL);
}
const us = (x) => (1e6 * x).toFixed(1).padStart(7);
const adds = layers.reduce((a, l, i) => a + B * spikesPerRow[i] * l.n, 0), neurons = B * sizes.slice(1).reduce((a, n) => a + n, 0);
console.log(`fa --spiking ${sizes.join('-')}, batch ${B}, ${T} steps, one thread; network at initialisation; load ${load1()}`);
console.log(`spikes per row and step into each layer: ${spikesPerRow.map((x) => x.toFixed(1)).join(' / ')} (rates ${rates.map((x) => x.toFixed(0)).join(' / ')} Hz)`);
console.log(`per time step of the batch, µs CPU (median of ${BLOCKS} blocks):`);
console.log(`  whole step ${us(med(res.win))}   encoder ${us(med(res.enc))}   fused layer steps ${us(med(res.step))}`);
console.log(`  events alone ${us(med(res.ev))} (${adds.toFixed(0)} f32 adds: ${(1e9 * med(res.ev) / adds).toFixed(3)} ns each)   state alone ${us(med(res.st))} (hidden LIF update, ${(1e9 * med(res.st) / (B * hidden.reduce((a, h) => a + h.n, 0))).toFixed(2)} ns per neuron)`);
console.log(`  state alone on ${SMALL} rows at a time (cache-resident), scaled to ${B} rows: ${us(med(res.small))} (${(1e9 * med(res.small) / (B * hidden.reduce((a, h) => a + h.n, 0))).toFixed(2)} ns per neuron)`);
console.log(`  fused step / (events + state): ${(med(res.step) / (med(res.ev) + med(res.st))).toFixed(2)}; ${neurons} neurons updated per step; load ${load1()}`);
net.dispose();
