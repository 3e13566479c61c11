#!/usr/bin/env node
// Spiking LeNet-5 (lenet5avg) presentation windows on real MNIST digits, with the window fa/dfa --spiking
// use (75 steps, Poisson input at 800/3 Hz per unit pixel): event-driven propagation (the scattered
// convolution and the event kernels below their measured crossover densities) beside the dense path
// (eventDensity 0: im2col + GEMM every step), in the same run, alternating A B A B on one thread.
// Both give the same bits (checked here too); the CPU time per example and the ratio are reported.
// Flags: --reps N (default 3 pairs), --batch B (default 100).
import { load } from '../dist/src/index.js';
import { SpikingNetwork } from '../dist/src/net/spiking.js';
import { loadMnist } from '../dist/src/data/mnist.js';
import { FA_WINDOW } from '../dist/src/rules/shared/spiking.js';
import { loadavg } from 'node:os';

const argv = process.argv.slice(2);
const val = (f, d) => { const i = argv.indexOf(`--${f}`); return i >= 0 ? Number(argv[i + 1]) : d; };
const reps = val('reps', 3), B = val('batch', 100);
const lib = await load({ build: 'release', threads: 1 });
const { train } = await loadMnist(lib, { limit: B });
const nets = [0, 'auto'].map((eventDensity) => {
  const n = new SpikingNetwork(lib, { sizes: [784, 10], arch: 'lenet5avg', inputShape: [28, 28, 1], batch: B, seed: 1, spiking: { ...FA_WINDOW, eventDensity } });
  n.input.set(train.images.data.subarray(0, B * 784));
  return n;
});
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (const n of nets) n.forward(); // warm-up, and the crossover calibration
const times = [[], []];
for (let r = 0; r < reps; r++) {
  nets.forEach((n, i) => { const t0 = cpu(); n.forward(); times[i].push(cpu() - t0); });
}
const same = nets[0].layers.every((l, i) => l.post.data.every((v, j) => Object.is(v, nets[1].layers[i].post.data[j])));
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const [dense, event] = times.map(med);
const ev = nets[1].sim;
console.log(`lenet5avg spiking window, ${B} MNIST digits x ${FA_WINDOW.steps} steps, one thread, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`dense (im2col + GEMM every step): ${(1000 * dense / B).toFixed(2)} ms CPU per example`);
console.log(`event-driven (measured crossover): ${(1000 * event / B).toFixed(2)} ms CPU per example; dense/event = ${(dense / event).toFixed(2)}`);
console.log(`event-driven steps per layer: ${Array.from(ev.eventSteps, (e, i) => `${(100 * e / (e + ev.denseSteps[i])).toFixed(0)} %`).join(', ')}; mean rates ${ev.meanRates().map((x) => (Number.isNaN(x) ? '-' : x.toFixed(1))).join(', ')} Hz`);
console.log(`same bits: ${same}`);
for (const n of nets) n.dispose();
train.dispose();
