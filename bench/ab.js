#!/usr/bin/env node
// A/B timing of this checkout against another built checkout of bioprop, in one process:
//   node bench/ab.js --old DIR [--rounds N] [--epoch-limit N]
// GEMM (the network's shapes, batch 128) and one MNIST epoch of bp (784-256-256-10, batch 100, SGD),
// the two builds alternating round by round so a shared machine's load falls on both alike. Prints
// medians and the ratio new/old (1 = same speed; < 1 = the new build is faster).
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import os from 'node:os';

const argv = process.argv.slice(2);
const val = (f, d) => { const i = argv.indexOf(`--${f}`); return i >= 0 && argv[i + 1] ? argv[i + 1] : d; };
const oldDir = val('old', null);
if (!oldDir) { console.error('usage: node bench/ab.js --old DIR (a built bioprop checkout) [--rounds N] [--epoch-limit N]'); process.exit(2); }
const rounds = Number(val('rounds', 5)), limit = Number(val('epoch-limit', 60000));
const builds = [
  { name: 'old', m: await import(pathToFileURL(join(resolve(oldDir), 'dist/src/index.js')).href) },
  { name: 'new', m: await import(new URL('../dist/src/index.js', import.meta.url).href) },
];
for (const b of builds) {
  b.lib = await b.m.load({ build: 'release' });
  const d = await b.m.loadDataset(b.lib, 'mnist', { limit: { train: limit, test: 100 } });
  b.train = d.train;
  d.test.dispose();
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`bench/ab | node ${process.version} | ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length} | load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);

// GEMM through the kernel API (the object form of the options exists in both builds).
const GEMMS = [
  { name: 'forward a = x·Wᵀ 128x784x256', out: [128, 256], a: [128, 784], b: [256, 784], o: { transB: true } },
  { name: 'dW = δᵀ·x 256x128x784', out: [256, 784], a: [128, 256], b: [128, 784], o: { transA: true } },
  { name: 'δ = δ·W 128x256x784', out: [128, 784], a: [128, 256], b: [256, 784], o: {} },
];
for (const g of GEMMS) {
  const flops = 2 * g.out[0] * g.out[1] * (g.o.transA ? g.a[0] : g.a[1]);
  for (const b of builds) {
    const fill = (shape) => b.lib.tensor(shape, Float32Array.from({ length: shape[0] * shape[1] }, (_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5));
    b.g = { out: fill(g.out), a: fill(g.a), b: fill(g.b), t: [] };
    for (let i = 0; i < 20; i++) b.lib.gemm(b.g.out, b.g.a, b.g.b, g.o);
  }
  for (let r = 0; r < rounds * 4; r++) {
    for (const b of r % 2 ? builds : [...builds].reverse()) {
      const n = 50, t0 = performance.now();
      for (let i = 0; i < n; i++) b.lib.gemm(b.g.out, b.g.a, b.g.b, g.o);
      b.g.t.push((performance.now() - t0) / n);
    }
  }
  const [o, c] = builds.map((b) => median(b.g.t));
  console.log(`GEMM ${g.name.padEnd(32)} old ${(flops / o / 1e6).toFixed(2)} GFLOP/s, new ${(flops / c / 1e6).toFixed(2)} GFLOP/s, time new/old ${(c / o).toFixed(3)}`);
  for (const b of builds) for (const k of ['out', 'a', 'b']) b.g[k].dispose();
}

// One epoch of bp.
for (const b of builds) b.ep = [];
for (let r = 0; r < rounds; r++) {
  for (const b of r % 2 ? builds : [...builds].reverse()) {
    const { Network, Trainer } = b.m;
    const net = new Network(b.lib, { sizes: [784, 256, 256, 10], activation: 'relu', init: 'xavier', batch: 100, seed: 1 });
    const t = new Trainer(b.lib, net, 'bp', { optimizer: 'sgd', lr: 0.05, momentum: 0, schedule: 'constant', epochs: 1 });
    b.ep.push(t.fit(b.train, { epochs: 1 }).seconds);
    net.dispose();
  }
}
const [o, c] = builds.map((b) => median(b.ep));
console.log(`bp epoch (${builds[0].train.size} examples, 784-256-256-10, batch 100)  old ${o.toFixed(2)} s, new ${c.toFixed(2)} s, time new/old ${(c / o).toFixed(3)}  [old ${builds[0].ep.map((x) => x.toFixed(2)).join(' ')} | new ${builds[1].ep.map((x) => x.toFixed(2)).join(' ')}]`);
console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const b of builds) b.train.dispose();
