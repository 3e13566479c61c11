#!/usr/bin/env node
// npm run bench:steps (after npm run build): the cost of one training step per rule, side by side with bp. Interleaved step timing: each rule's Trainer.step on the same network shape, rotated round-robin so the
// shared machine's load hits every rule alike. Reports median step time relative to bp.
import { load } from '../dist/src/index.js';
import { Network } from '../dist/src/net/network.js';
import { Trainer } from '../dist/src/train/trainer.js';
const lib = await load();
for (const depth of [3, 6]) {
  const hidden = Array(depth).fill(256);
  const ids = ['bp', 'fa', 'sign', 'dfa', 'synthgrad'];
  const trs = ids.map((id) => {
    const net = new Network(lib, { sizes: [784, ...hidden, 10], activation: 'relu', batch: 100, seed: 1 });
    const rng = new Rng(1), x = net.input.data;
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
    const t = net.target.data; for (let r = 0; r < 100; r++) t[r * 10 + (r % 10)] = 1;
    return new Trainer(lib, net, id, { optimizer: 'sgd', lr: 1e-4, momentum: 0 }); // same optimiser for all: rule cost only
  });
  const times = ids.map(() => []);
  for (let round = 0; round < 40; round++) {
    ids.forEach((_, i) => { const t0 = performance.now(); for (let s = 0; s < 3; s++) trs[i].step(); times[i].push((performance.now() - t0) / 3); });
  }
  const med = times.map((a) => a.sort((p, q) => p - q)[a.length >> 1]);
  console.log(`784-${hidden.join('-')}-10 batch 100: ` + ids.map((id, i) => `${id} ${med[i].toFixed(1)} ms (${(med[i] / med[0]).toFixed(2)}x)`).join(', '));
}
