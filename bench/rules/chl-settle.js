#!/usr/bin/env node
// Settling diagnostics of a phase rule over a run: per epoch, the free phase's mean sweeps, the fraction of
// batches that stopped at maxIter unconverged, the mean and largest leftover change of their last sweep,
// the loop gain γ·‖W_top‖₂² of the hidden↔output feedback loop (the free phase is a contraction only while
// γ·‖W‖²·max f′ < 1), and test accuracy. Usage:
//   node bench/rules/chl-settle.js [--rule chl] [--limit N] [--test-limit N] [--epochs N] [--param k=v ...]
import os from 'node:os';
const argv = process.argv.slice(2);
const val = (f, d) => { const i = argv.indexOf(`--${f}`); return i >= 0 && argv[i + 1] ? argv[i + 1] : d; };
const params = {};
argv.forEach((a, i) => { if (a === '--param') { const [k, v] = argv[i + 1].split('='); params[k] = v === 'true' ? true : v === 'false' ? false : Number(v); } });
const m = await import(new URL('../../dist/src/index.js', import.meta.url).href);
const lib = await m.load({ build: 'release' });
const ruleId = val('rule', 'chl'), rule = m.getRule(ruleId);
const limit = Number(val('limit', 10000)), testLimit = Number(val('test-limit', 2000));
const epochs = Number(val('epochs', rule.train.epochs)), hidden = val('hidden', rule.train.hidden.join(',')).split(',').map(Number);
const d = await m.loadDataset(lib, 'mnist', { limit: { train: limit, test: testLimit } });
const net = new m.Network(lib, { sizes: [784, ...hidden, 10], activation: rule.train.activation, init: rule.train.init, batch: rule.train.batch, seed: 1 });
const t = new m.Trainer(lib, net, rule, { epochs, ruleParams: params, lr: val('lr') ? Number(val('lr')) : undefined });
const p = t.ruleParams, st = t.state.settler;
let acc = null;
const orig = st.settle.bind(st);
st.settle = (rows, mode, o, label) => {
  const n = orig(rows, mode, o, label);
  if (acc && label === 'free' || acc && label === 'minus' && ruleId === 'generec') {
    acc.batches++; acc.sweeps += n; acc.change += st.lastChange; acc.maxChange = Math.max(acc.maxChange, st.lastChange);
    if (n === o.maxIter && st.lastChange > o.tol) acc.capped++;
  }
  return n;
};
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
console.log('epoch  test%   trainLoss  sweeps  capped%  meanResid  maxResid   γ‖W_top‖₂²  γ of the last batch');
acc = { batches: 0, sweeps: 0, change: 0, maxChange: 0, capped: 0 };
t.fit(d.train, { test: d.test, onEpoch: (r) => {
  const W = net.layers[net.layers.length - 1].W;
  console.log(`${String(r.epoch).padStart(5)}  ${(100 * r.testAccuracy).toFixed(2)}  ${r.trainLoss.toFixed(5)}  ${(acc.sweeps / acc.batches).toFixed(2).padStart(6)}  ${(100 * acc.capped / acc.batches).toFixed(1).padStart(6)}  ${(acc.change / acc.batches).toExponential(2)}  ${acc.maxChange.toExponential(2)}  ${((t.state.opts?.gamma ?? p.gamma) * spectral2(W)).toFixed(3)}  γ=${(t.state.opts?.gamma ?? p.gamma).toExponential(2)}  ${r.seconds.toFixed(0)}s`);
  acc = { batches: 0, sweeps: 0, change: 0, maxChange: 0, capped: 0 };
} });
