// `node bench/dtp-spiking-probe.js [--rule dtp|dtp-inference] [--epochs N] [--param k=v ...]`: what dtp's
// spiking form works with, layer by layer. Trains the rule's spiking form with its defaults (784-256x3-10,
// one thread, seed 1) for N epochs (default 1) on the first 10,000 MNIST training images, then takes the
// first 100 test images through one window and the rule's teach, and prints per hidden layer:
//   post      the window's rates (rateScale·Hz): mean, rms, max, fraction silent; deriv: the mean surrogates
//   relu / lif  two rate models of the layer from its input rates a = W·post_below + b: relu(a) (the ReLU
//             activation) and rateScale·softlif(J'), the LIF curve at the simulator's constants: rms, cosine
//             with post and rms of the difference
//   target    rms of ĥ − h (and relative to rms of h)
//   J·Δ       consistency of the targets: cosine between diag(deriv_{i+1})·W_{i+1}·(ĥ_i − h_i) and ĥ_{i+1} − h_{i+1}
//   decoder   ‖g_i(h_i) − h_{i−1}‖ / ‖h_{i−1}‖ and cosine: how well the decoders invert the spiking rates
// A diagnostic, not a benchmark: JS loops over 100 rows; figures in docs/measurements.md.
import { load, loadDataset, SpikingNetwork } from '../dist/src/index.js';
import { Trainer } from '../dist/src/train/trainer.js';
import { Batcher } from '../dist/src/data/batcher.js';
import { rules } from '../dist/src/rules/index.js';
import { ruleForm } from '../dist/src/rules/form.js';
import { parseArgs } from 'node:util';

const { values: f } = parseArgs({ options: { rule: { type: 'string', default: 'dtp' }, epochs: { type: 'string', default: '1' }, param: { type: 'string', multiple: true, default: [] } } });
const ruleId = f.rule, epochs = Number(f.epochs);
if (!['dtp', 'dtp-inference'].includes(ruleId)) throw new Error(`dtp-spiking-probe: --rule must be dtp or dtp-inference, got '${ruleId}'`);
if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`dtp-spiking-probe: --epochs must be an integer >= 0, got '${f.epochs}'`);
const ruleParams = Object.fromEntries(f.param.map((kv) => {
  const [k, v] = kv.split('=');
  if (v === undefined) throw new Error(`dtp-spiking-probe: --param takes KEY=VALUE, got '${kv}'`);
  return [k, Number.isFinite(Number(v)) ? Number(v) : v];
}));

const lib = await load({ threads: 1 });
const data = await loadDataset(lib, 'mnist', { seed: 1, limit: { train: 10000, test: 100 } });
const form = ruleForm(rules[ruleId], true);
const net = new SpikingNetwork(lib, { sizes: [784, 256, 256, 256, 10], activation: form.train.activation, init: form.train.init, batch: 100, seed: 1, spiking: form.sim });
const tr = new Trainer(lib, net, ruleId, { ...form.train, epochs: Math.max(epochs, 1), seed: 1, ruleParams });
const sim = net.sim, np = sim.np, span = np.vTh - np.vReset;

const rowsOf = (t, rows, n) => t.data.slice(0, rows * n);
const rms = (a) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
const cos = (a, b) => { let ab = 0, aa = 0, bb = 0; for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; } return ab / Math.sqrt(aa * bb); };
const minus = (a, b) => a.map((v, i) => v - b[i]);
const p3 = (x) => x.toPrecision(3);
const lifRate = (a) => {
  const j = 0.02 * Math.log1p(Math.exp(((sim.offset + sim.gain * a - np.vReset) / span - 1) / 0.02));
  return j > 0 ? sim.rateScale / (np.refractory + np.tauMem * Math.log1p(1 / j)) : 0;
};

function probe(tag) {
  const b = new Batcher(lib, data.test, 100, { shuffle: false, into: { x: net.input, y: net.target } });
  const rows = b.load(0);
  tr.ctx.rows = rows;
  net.forward(rows);
  net.computeLoss(rows);
  const s = tr.state;
  rules[ruleId].teach(tr.ctx, s, tr.ruleParams);
  console.log(`--- ${tag}`);
  const H = net.layers.length - 1;
  for (let i = 0; i < H; i++) {
    const l = net.layers[i], n = l.outSize, m = l.inSize;
    const h = rowsOf(l.post, rows, n), d = rowsOf(l.deriv, rows, n), dh = minus(rowsOf(s.targets[i], rows, n), h);
    const pre = rowsOf(l.pre, rows, m), W = l.W.data, bias = l.b.data;
    const relu = new Float64Array(rows * n), lif = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) {
      let a = bias[j];
      for (let k = 0; k < m; k++) a += W[j * m + k] * pre[r * m + k];
      relu[r * n + j] = Math.max(0, a);
      lif[r * n + j] = lifRate(a);
    }
    let sum = 0, mx = 0, silent = 0;
    for (const v of h) { sum += v; mx = Math.max(mx, v); if (v === 0) silent++; }
    console.log(`L${i} post mean ${p3(sum / h.length)} rms ${p3(rms(h))} max ${p3(mx)} silent ${p3(silent / h.length)} | deriv mean ${p3(d.reduce((x, v) => x + v, 0) / d.length)}`);
    console.log(`   relu rms ${p3(rms(relu))} cos ${p3(cos(relu, h))} rmsDiff ${p3(rms(minus(relu, h)))} | lif rms ${p3(rms(lif))} cos ${p3(cos(lif, h))} rmsDiff ${p3(rms(minus(lif, h)))}`);
    console.log(`   target ĥ−h rms ${p3(rms(dh))} (rel ${p3(rms(dh) / rms(h))})`);
    if (i < H - 1) {
      const u = net.layers[i + 1], k2 = u.outSize, du = rowsOf(u.deriv, rows, k2), want = minus(rowsOf(s.targets[i + 1], rows, k2), rowsOf(u.post, rows, k2));
      const pred = new Float64Array(rows * k2);
      for (let r = 0; r < rows; r++) for (let j = 0; j < k2; j++) {
        let a = 0;
        for (let k = 0; k < n; k++) a += u.W.data[j * n + k] * dh[r * n + k];
        pred[r * k2 + j] = a * du[r * k2 + j];
      }
      console.log(`   J·Δ${i} vs Δ${i + 1}: cos ${p3(cos(pred, want))}`);
    }
    if (i >= 1) {
      const below = net.layers[i - 1], g = s.inv.layers[i];
      const hb = rowsOf(below.post, rows, below.outSize), g0 = rowsOf(g.g0h, rows, below.outSize);
      console.log(`   decoder g${i}(h${i}) vs h${i - 1}: relErr ${p3(rms(minus(g0, hb)) / rms(hb))} cos ${p3(cos(g0, hb))}`);
    }
  }
}

console.log(`${ruleId} --spiking ${JSON.stringify(tr.ruleParams)}`);
probe('at init');
if (epochs > 0) {
  tr.fit(data.train, { epochs });
  probe(`after ${epochs} epoch(s) on 10,000 examples`);
}
net.dispose();
