// nef on a convolutional network (Hunsberger & Eliasmith 2016): with noise 0 its update is the gradient
// of the soft-LIF rate network's loss (central finite differences of a float64 forward pass written here
// from the definitions), and the spiking network run on the same weights approaches the rate network's
// outputs as the window grows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { loadBatch } from '../helpers/batch.js';
import { mulberry32 } from '../helpers/fill.js';
import { Network } from '../../src/net/network.js';
import { SpikingSim } from '../../src/net/spiking.js';
import { Trainer } from '../../src/train/trainer.js';
import { nef } from '../../src/rules/nef.js';
import { resolveActParams } from '../../src/activations.js';
import { ACT_REF } from '../reference/act.js';
import * as ref from '../reference/conv.js';

const ARCH = 'c2k3p1-a2-c3k2-a2-f4', SHAPE = [6, 6, 1] as const, C = 3;

async function mk(batch: number, seed: number) {
  const lib = await backend();
  return new Network(lib, { sizes: [36, C], arch: ARCH, inputShape: SHAPE, activation: 'softlif', batch, seed });
}

/** Mean softmax cross-entropy of the soft-LIF rate network in float64 (nef's rate form with noise 0). */
function loss64(W: Float64Array[], b: Float64Array[], x: ArrayLike<number>, t: ArrayLike<number>, n: number, rateScale: number, gain: number): number {
  const sp = resolveActParams('test', 'softlif', { tauRef: nef.defaults.tauRef, tauRC: nef.defaults.tauRC, gamma: nef.defaults.gamma });
  const rate = (a: Float64Array) => a.map((v) => rateScale * ACT_REF.softlif!.f(1 + gain * v, sp));
  const avg2 = (v: Float64Array, h: number, w: number, c: number) => { // 2×2 windows, stride 2
    const ho = Math.floor((h - 2) / 2) + 1, wo = Math.floor((w - 2) / 2) + 1, out = new Float64Array(n * ho * wo * c);
    for (let r = 0; r < n; r++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let ky = 0; ky < 2; ky++) for (let kx = 0; kx < 2; kx++) s += v[((r * h + oy * 2 + ky) * w + ox * 2 + kx) * c + ch]!;
      out[((r * ho + oy) * wo + ox) * c + ch] = s / 4;
    }
    return out;
  };
  const dense = (inp: Float64Array, Wl: Float64Array, bl: Float64Array, nin: number, nout: number) => {
    const out = new Float64Array(n * nout);
    for (let r = 0; r < n; r++) for (let j = 0; j < nout; j++) {
      let s = bl[j]!;
      for (let i = 0; i < nin; i++) s += inp[r * nin + i]! * Wl[j * nin + i]!;
      out[r * nout + j] = s;
    }
    return out;
  };
  const h1 = avg2(rate(ref.conv2d(x, W[0]!, b[0]!, 2, { n, h: 6, w: 6, c: 1, k: 3, s: 1, p: 1 }).want), 6, 6, 2);
  const h2 = avg2(rate(ref.conv2d(h1, W[1]!, b[1]!, 3, { n, h: 3, w: 3, c: 2, k: 2, s: 1, p: 0 }).want), 2, 2, 3);
  const h3 = rate(dense(h2, W[2]!, b[2]!, 3, 4));
  const y = dense(h3, W[3]!, b[3]!, 4, C);
  let L = 0;
  for (let r = 0; r < n; r++) {
    const row = Array.from(y.subarray(r * C, r * C + C)), mx = Math.max(...row), lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
    for (let j = 0; j < C; j++) L -= t[r * C + j]! * (row[j]! - lse);
  }
  return L / n;
}

test('nef on a conv net, noise 0: its update is the gradient of the soft-LIF rate network (central differences, float64)', async () => {
  const net = await mk(4, 3);
  const tr = new Trainer(net.lib, net, 'nef', { ruleParams: { noise: 0 }, seed: 3 });
  const p = tr.ruleParams as typeof nef.defaults, rs = (tr.state as { sim: SpikingSim }).sim.rateScale;
  // weights large enough that every soft-LIF layer works above and below its threshold
  const r = mulberry32(11);
  for (const l of net.layers) { l.W.data.set(l.W.data.map((w) => 4 * w)); l.b.data.set(l.b.data.map(() => 0.4 * (r() - 0.5))); }
  for (const rows of [4, 1]) {
    loadBatch(net, 40 + rows, rows);
    for (let i = 0; i < rows * 36; i++) net.input.data[i] = Math.abs(net.input.data[i]!); // pixels in [0, 1]
    tr.ctx.rows = rows;
    tr.rule.forward!(tr.ctx, tr.state, tr.ruleParams, true);
    net.computeLoss(rows);
    tr.rule.teach(tr.ctx, tr.state, tr.ruleParams);
    tr.rule.update(tr.ctx, tr.state, tr.ruleParams);
    const W = net.layers.map((l) => Float64Array.from(l.W.data)), b = net.layers.map((l) => Float64Array.from(l.b.data));
    const x = net.input.data.slice(0, rows * 36), t = net.target.data.slice(0, rows * C);
    const fd = (ps: Float64Array[], li: number) => Float64Array.from(ps[li]!, (v, i) => {
      const h = 1e-6;
      ps[li]![i] = v + h; const up = loss64(W, b, x, t, rows, rs, p.gain);
      ps[li]![i] = v - h; const dn = loss64(W, b, x, t, rows, rs, p.gain);
      ps[li]![i] = v;
      return (up - dn) / (2 * h);
    });
    // The f32 gradient passes through four layers of fewer than 40-term sums and the soft-LIF kernel's
    // derivative (relative error a few 1e-6: tests/reference/act.ts); the float64 differences are exact
    // to about 1e-9 at h = 1e-6. Allowed: 1e-4 of each tensor's largest entry.
    net.layers.forEach((l, i) => {
      const gW = fd(W, i), gb = fd(b, i), maxW = Math.max(...gW.map(Math.abs)), maxB = Math.max(...gb.map(Math.abs));
      assert.ok(maxW > 1e-4 && maxB > 1e-5, `layer ${i}: the gradient is not trivially zero (${maxW}, ${maxB})`);
      close(l.dW.data, gW, { abs: 1e-4 * maxW }, `dW${i} (rows ${rows})`);
      close(l.db.data, gb, { abs: 1e-4 * maxB }, `db${i} (rows ${rows})`);
    });
  }
  net.dispose();
});

test('nef on a conv net: the spiking network approaches the rate network\'s outputs as the window grows', async () => {
  const net = await mk(16, 7);
  const tr = new Trainer(net.lib, net, 'nef', { ruleParams: { noise: 0 }, seed: 7 });
  const r = mulberry32(5);
  for (const l of net.layers) l.b.data.set(l.b.data.map(() => 0.4 * (r() - 0.5))); // the per-channel bias drive too
  net.input.data.set(Array.from({ length: net.input.size }, () => r()));
  tr.ctx.rows = net.batch;
  tr.rule.record!.evaluations!.rate!(tr.ctx, tr.state, tr.ruleParams);
  const yRate = net.output.post.data.slice(), scale = Math.sqrt(yRate.reduce((s, v) => s + v * v, 0) / yRate.length);
  const sd = nef.spiking!.sim!, np = { ...sd.neuronParams, tauMem: nef.defaults.tauRC, refractory: nef.defaults.tauRef };
  const errs = [100, 400, 1600].map((steps) => {
    const sim = new SpikingSim(net, net.ws, { ...sd, neuronParams: np, offset: 1, steps, readoutStart: steps / 5, seed: 9 });
    let e2 = 0;
    for (let w = 0; w < 2; w++) { // two windows, for fewer accidents of a single draw
      sim.run(net.batch);
      e2 += net.output.post.data.reduce((s, v, i) => s + (v - yRate[i]!) ** 2, 0) / yRate.length / 2;
    }
    sim.dispose();
    return Math.sqrt(e2);
  });
  // The Poisson input's count error falls as 1/√T (×¼ over 16× the window) and a neuron's spike rounding
  // as 1/T; what stays is the gap between the discrete-time LIF and the soft-LIF (near threshold, γ; at
  // high rates, the 1 ms step). So the error falls at each step, and by at least half over the 16-fold
  // window; and it is below the outputs' own size from the shortest window on.
  assert.ok(errs[1]! < errs[0]! && errs[2]! < errs[1]!, `errors fall as the window grows: ${errs.join(', ')}`);
  assert.ok(errs[2]! <= 0.5 * errs[0]!, `16× the window at least halves the error: ${errs.join(', ')}`);
  assert.ok(errs[0]! < scale, `error ${errs[0]} at 100 steps below the outputs' rms ${scale}`);
  net.dispose();
});

test('nef refuses a max-pooled conv net, naming the average-pooled spec', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [784, 10], arch: 'lenet5', inputShape: [28, 28, 1], activation: 'softlif', batch: 2, seed: 1 });
  throwsClearly(() => new Trainer(lib, net, 'nef', {}), /max-pools/, /c6k5p2-a2-c16k5-a2-f120-f84 \(preset lenet5avg\)/);
  net.dispose();
});

test.run();
