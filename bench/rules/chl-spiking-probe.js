#!/usr/bin/env node
// The phase difference of a phase rule's spiking form (chl) layer by layer, against its noise. Every
// --probe N batches (with the trainer's alignment measurement, whose backprop δ_l is taken through the free
// window's rates and mean surrogate) and per layer l:
//   spikes: the share of units whose spike count over the counted steps differs between the free and the
//     clamped window, and the rms of that count difference in spikes;
//   cos(ΔN, −δ): the count difference against backprop's error at that layer (the signal in the spikes);
//   |Δ|/|γ^{top−l}δ|, cos(Δ, −δ): the difference the update reads (σ̄'⊙ΔJ̄ for hidden layers, the output's
//     state difference at the top) against Xie & Seung's prediction −γ^{top−l}·δ_l;
//   ∠(dW, bp): the layer's update against backprop's gradient.
// Usage: node bench/rules/chl-spiking-probe.js [--hidden 500,500,500] [--limit N] [--test-limit N]
//   [--epochs N] [--probe N] [--param k=v ...]
import os from 'node:os';
import { val, params } from './args.js';
const m = await import(new URL('../../dist/src/index.js', import.meta.url).href);
const lib = await m.load({ build: 'release' });
const rule = m.getRule(val('rule', 'chl'));
const limit = Number(val('limit', 2000)), testLimit = Number(val('test-limit', 1000)), probe = Number(val('probe', 10));
const epochs = Number(val('epochs', 1)), hidden = val('hidden', '500,500,500').split(',').map(Number);
const d = await m.loadDataset(lib, 'mnist', { limit: { train: limit, test: testLimit } });
const net = new m.SpikingNetwork(lib, { sizes: [784, ...hidden, 10], activation: rule.train.activation, init: rule.train.init, batch: rule.train.batch, seed: 1, spiking: rule.spiking.sim });
const t = new m.Trainer(lib, net, rule, { epochs, ruleParams: params, alignEvery: probe });
const s = t.state, top = net.layers.length - 1, B = net.batch;
// spike counts of the hidden layers over the counted steps of the free (0) and the clamped (1) window
const counts = [0, 1].map(() => hidden.map((n) => new Float64Array(B * n)));
const onStep = s.onStep;
s.onStep = (step) => {
  onStep(step);
  const k = s.run.phase;
  if (step === 0) for (const c of counts[k] ?? []) c.fill(0);
  if (step < s.skip || k > 1) return;
  hidden.forEach((n, l) => { const sp = s.sim.sl[l].spikes.data, c = counts[k][l]; for (let i = 0; i < s.run.rows * n; i++) c[i] += sp[i]; });
};
const f64 = (x, n) => Float64Array.from(x.data.subarray(0, n));
const cos = (a, b) => { let ab = 0, aa = 0, bb = 0; for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] ** 2; bb += b[i] ** 2; } return ab / Math.sqrt(aa * bb); };
const fresh = () => ({ k: 0, layer: net.layers.map(() => ({ flip: 0, rmsN: 0, cosN: 0, ratio: 0, cos: 0, angle: 0, nN: 0 })) });
let acc = fresh();
const al = t.alignment, measure = al.measure.bind(al);
al.measure = (ctx, lr) => {
  measure(ctx, lr);
  const g = s.opts.gamma, rows = ctx.rows;
  acc.k++;
  net.layers.forEach((L, l) => {
    const n = rows * L.outSize, D = f64(s.diff[l], n), dl = f64(al.delta[l], n), q = dl.map((x) => -(g ** (top - l)) * x), a = acc.layer[l];
    let dd = 0, qq = 0;
    for (let i = 0; i < n; i++) { dd += D[i] ** 2; qq += q[i] ** 2; }
    a.ratio += Math.sqrt(dd / qq); a.cos += cos(D, q); a.angle += m.angleDeg(lib, L.dW, al.dW[l]);
    if (l < top) {
      const dN = counts[1][l].subarray(0, n).map((c, i) => c - counts[0][l][i]);
      let f = 0, r = 0;
      for (const x of dN) { if (x !== 0) f++; r += x * x; }
      a.flip += f / n; a.rmsN += Math.sqrt(r / n);
      if (f > 0) { a.cosN += cos(dN, q); a.nN++; }
    }
  });
};
console.log(`${rule.id} spiking ${JSON.stringify(params)} hidden ${hidden} limit ${limit} epochs ${epochs} probe every ${probe} | load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
t.fit(d.train, { test: d.test, onEpoch: (r) => {
  console.log(`epoch ${r.epoch}: test ${(100 * r.testAccuracy).toFixed(2)} %, train loss ${r.trainLoss.toFixed(4)}, ${r.seconds.toFixed(0)} s, γ ${s.opts.gamma}`);
  for (const [l, a] of acc.layer.entries()) {
    const k = acc.k, spikes = l < top ? `units with a count change ${(100 * a.flip / k).toFixed(2)} %, rms ΔN ${(a.rmsN / k).toFixed(3)} spikes, cos(ΔN, −δ) ${a.nN ? (a.cosN / a.nN).toFixed(3) : '-'}  ` : '';
    console.log(`  layer ${l}: ${spikes}|Δ|/|γ^{top−l}δ| ${(a.ratio / k).toExponential(2)}, cos(Δ, −δ) ${(a.cos / k).toFixed(3)}, ∠(dW, bp) ${(a.angle / k).toFixed(1)}°`);
  }
  acc = fresh();
} });
