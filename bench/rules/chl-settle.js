#!/usr/bin/env node
// Settling diagnostics of a phase rule over a run. Per epoch: test accuracy, the free phase's mean sweeps,
// the share of batches that stopped at maxIter unconverged, the mean and largest leftover change of their
// last sweep, the largest loop gain γ·‖W_l‖₂² over the feedback loops (the free phase is a contraction only
// while it is below 1) and the range of γ over the epoch's batches. With --probe N (rules with a per-layer
// gain scale, chl), every N batches and per layer l: the phase difference Δ_l = s⁺_l − s⁻_l the update used
// against Xie & Seung's prediction −γ^{top−l}·δ_l (δ_l: backprop's error at the same state) as the ratio of
// rms sizes and their cosine, the predicted rms size itself (to set against the states' float32 rounding
// unit, ~3e-8 for states near 0.5), and the angle of the layer's update with backprop's gradient. Usage:
//   node bench/rules/chl-settle.js [--rule chl] [--hidden 500,500,500] [--limit N] [--test-limit N]
//     [--epochs N] [--probe N] [--param k=v ...]
import os from 'node:os';
import { val, params } from './args.js';
const m = await import(new URL('../../dist/src/index.js', import.meta.url).href);
const lib = await m.load({ build: 'release' });
const ruleId = val('rule', 'chl'), rule = m.getRule(ruleId);
const limit = Number(val('limit', 10000)), testLimit = Number(val('test-limit', 2000)), probe = Number(val('probe', 0));
const epochs = Number(val('epochs', rule.train.epochs)), hidden = val('hidden', rule.train.hidden.join(',')).split(',').map(Number);
const d = await m.loadDataset(lib, 'mnist', { limit: { train: limit, test: testLimit } });
const net = new m.Network(lib, { sizes: [784, ...hidden, 10], activation: rule.train.activation, init: rule.train.init, batch: rule.train.batch, seed: 1 });
const t = new m.Trainer(lib, net, rule, { epochs, ruleParams: params, lr: val('lr') ? Number(val('lr')) : undefined, alignEvery: probe });
const p = t.ruleParams, st = t.state.settler, top = net.layers.length - 1;
const gammaNow = () => t.state.opts?.gamma ?? p.gamma;
const fresh = () => ({ batches: 0, sweeps: 0, change: 0, maxChange: 0, capped: 0, gMin: Infinity, gMax: 0, probes: 0, layer: net.layers.map(() => ({ ratio: 0, cos: 0, pred: 0, angle: 0 })) });
let acc = null;
const orig = st.settle.bind(st);
st.settle = (rows, mode, o, label) => {
  const n = orig(rows, mode, o, label);
  if (acc && label === 'free' || acc && label === 'minus' && ruleId === 'generec') {
    acc.batches++; acc.sweeps += n; acc.change += st.lastChange; acc.maxChange = Math.max(acc.maxChange, st.lastChange);
    if (n === o.maxIter && st.lastChange > o.tol) acc.capped++;
    acc.gMin = Math.min(acc.gMin, o.gamma); acc.gMax = Math.max(acc.gMax, o.gamma);
  }
  return n;
};
const f64 = (x, n) => Float64Array.from(x.data.subarray(0, n));
if (probe > 0) { // after the trainer's alignment measurement: its backprop δ_l and dW_l are in its scratch
  const al = t.alignment, measure = al.measure.bind(al);
  al.measure = (ctx, lr) => {
    measure(ctx, lr);
    const g = gammaNow();
    acc.probes++;
    net.layers.forEach((L, l) => {
      const n = ctx.rows * L.outSize, D = f64(t.state.diff[l], n), dl = f64(al.delta[l], n), k = g ** (top - l);
      let dd = 0, pp = 0, dp = 0;
      for (let i = 0; i < n; i++) { const q = -k * dl[i]; dd += D[i] ** 2; pp += q * q; dp += D[i] * q; }
      const s = acc.layer[l];
      s.ratio += Math.sqrt(dd / pp); s.cos += dp / Math.sqrt(dd * pp || NaN); s.pred += Math.sqrt(pp / n);
      s.angle += m.angleDeg(lib, L.dW, al.dW[l]);
    });
  };
}
function spectral2(W) { // ‖W‖₂² by power iteration on WᵀW (float64)
  const [r, c] = W.shape, w = W.data; let v = new Float64Array(c).fill(1 / Math.sqrt(c)), s = 0;
  for (let it = 0; it < 100; it++) {
    const u = new Float64Array(r); for (let i = 0; i < r; i++) { let z = 0; for (let j = 0; j < c; j++) z += w[i * c + j] * v[j]; u[i] = z; }
    const nv = new Float64Array(c); for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) nv[j] += w[i * c + j] * u[i];
    s = Math.hypot(...nv); v = nv.map((x) => x / s);
  }
  return s;
}
console.log(`${ruleId} ${JSON.stringify(p)} hidden ${hidden} limit ${limit} epochs ${epochs} | load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('epoch  test%   trainLoss  sweeps  capped%  meanResid  maxResid   max_l γ‖W_l‖₂²  γ over the batches');
acc = fresh();
t.fit(d.train, { test: d.test, onEpoch: (r) => {
  const g = gammaNow(), loop = Math.max(...net.layers.slice(1).map((L) => g * spectral2(L.W)));
  console.log(`${String(r.epoch).padStart(5)}  ${(100 * r.testAccuracy).toFixed(2)}  ${r.trainLoss.toFixed(5)}  ${(acc.sweeps / acc.batches).toFixed(2).padStart(6)}  ${(100 * acc.capped / acc.batches).toFixed(1).padStart(6)}  ${(acc.change / acc.batches).toExponential(2)}  ${acc.maxChange.toExponential(2)}  ${loop.toFixed(3)}  γ ${acc.gMin.toExponential(2)}..${acc.gMax.toExponential(2)}  ${r.seconds.toFixed(0)}s`);
  if (acc.probes) {
    for (const [l, s] of acc.layer.entries()) {
      const k = acc.probes;
      console.log(`       layer ${l}: |Δ|/|γ^{top−l}δ| ${(s.ratio / k).toExponential(2)}  cos(Δ, −γ^{top−l}δ) ${(s.cos / k).toFixed(4)}  rms γ^{top−l}δ ${(s.pred / k).toExponential(2)}  ∠(dW, bp) ${(s.angle / k).toFixed(1)}°`);
    }
  }
  acc = fresh();
} });
