// SpikingSim with convolutional layers and average pooling (src/net/spiking.ts): the window against its
// plain twin (tests/reference/spiking.ts) on awkward shapes, event-driven and dense propagation and 1 and
// 2 threads bit-identical, the rate buffers the rules read, max pooling refused clearly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { load } from '../../src/index.js';
import { backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { mulberry32 } from '../helpers/fill.js';
import type { Backend } from '../../src/backend.js';
import { SpikingNetwork, type SpikingOptions } from '../../src/net/spiking.js';
import * as refConv from '../reference/conv.js';
import { spikingWindow, type RefLayer } from '../reference/spiking.js';
import { Trainer } from '../../src/train/trainer.js';
import { loadBatch } from '../helpers/batch.js';
import type { FaState } from '../../src/rules/fa.js';

const U = 2 ** -24;

interface Case { name: string; shape: [number, number, number]; arch: string; classes: number; batch: number; rows: number }
// 1×1 kernel, average pooling of odd maps, stride 2 with padding, one channel, a kernel as large as its
// input, two convolutions in a row, batch 1, a window over fewer rows than the batch.
const CASES: Case[] = [
  { name: '1×1 kernel, pooled 7×7, stride-2 padded conv, dense', shape: [7, 7, 1], arch: 'c3k1-a2-c2k3s2p1-f5', classes: 3, batch: 3, rows: 3 },
  { name: 'two convs in a row, 2 channels in, odd sizes, rows < batch', shape: [5, 6, 2], arch: 'c4k3p1-c3k2s2', classes: 4, batch: 3, rows: 2 },
  { name: 'kernel as large as the input, batch 1', shape: [5, 5, 1], arch: 'c6k5-f6', classes: 2, batch: 1, rows: 1 },
  { name: 'overlapping average pooling (stride 1) into a conv', shape: [6, 6, 1], arch: 'c2k3-a2s1-c2k2-a2', classes: 3, batch: 2, rows: 2 },
];

function build(lib: Backend, c: Case, spiking: SpikingOptions, seed = 5) {
  const n = new SpikingNetwork(lib, {
    sizes: [c.shape[0] * c.shape[1] * c.shape[2], c.classes], arch: c.arch, inputShape: c.shape, batch: c.batch, seed,
    spiking: { steps: 30, maxRate: 300, gain: 5, vInit: 'zero', ...spiking },
  });
  const r = mulberry32(seed + 1);
  n.input.set(Array.from({ length: n.input.size }, () => r()));
  // biases away from 0 so the per-channel bias drive is exercised
  for (const l of n.layers) l.b.set(Array.from({ length: l.b.size }, () => 0.3 * (r() - 0.5)));
  return n;
}

test('a window over conv layers equals its plain twin (products within their rounding bound, all else to the bit)', async () => {
  const lib = await backend();
  for (const c of CASES) {
    const n = build(lib, c, { eventDensity: 0 }), sim = n.sim, L = n.layers.length, rows = c.rows;
    const inputs: Float32Array[] = [], curs: Float32Array[][] = [];
    sim.resetRates();
    sim.run(rows, () => {
      inputs.push(sim.inSpikes.head(rows).data.slice());
      curs.push(sim.sl.map((s) => s.cur.head(rows).data.slice()));
    });
    const layers: RefLayer[] = n.layers.map((l) => ({
      n: l.outSize, channels: l.b.size, b: l.b.data.slice(),
      pool: l.pool ? { h: l.pool.geom.h, w: l.pool.geom.w, c: l.pool.geom.c, k: l.pool.geom.k, s: l.pool.geom.stride } : null,
    }));
    let checked = 0;
    const current = (i: number, t: number, x: Float32Array) => {
      const l = n.layers[i]!, got = curs[t]![i]!;
      if (x.every((v) => v === 0)) return new Float32Array(got.length); // no input: the simulator skips the product
      let want: Float64Array, bound: Float64Array;
      if (l.conv) {
        const g = l.conv.geom, r = refConv.conv2d(x, l.W.data, null, l.W.shape[0]!, { n: rows, h: g.h, w: g.w, c: g.c, k: g.k, s: g.stride, p: g.pad });
        want = r.want; bound = r.mag.map((m) => (g.patch + 2) * U * m);
      } else {
        want = new Float64Array(rows * l.outSize); bound = new Float64Array(want.length);
        for (let r = 0; r < rows; r++) for (let o = 0; o < l.outSize; o++) {
          let s = 0, m = 0;
          for (let k = 0; k < l.inSize; k++) { const p = x[r * l.inSize + k]! * l.W.data[o * l.inSize + k]!; s += p; m += Math.abs(p); }
          want[r * l.outSize + o] = s; bound[r * l.outSize + o] = (l.inSize + 2) * U * m;
        }
      }
      close(got, want, { abs: bound }, `${c.name}: layer ${i} current at step ${t}`);
      checked++;
      return got;
    };
    const np = sim.np, k = sim.r.kernel as { decay: number; refSteps: number };
    const out = spikingWindow({
      steps: sim.steps, dt: sim.dt, rateScale: sim.rateScale, gain: sim.gain, offset: sim.offset, lm: sim.r.decay, ls: sim.r.synDecay,
      lo: Math.exp(-sim.dt / sim.tauOut), t0c: sim.readoutStart, ampIn: sim.enc.amplitude,
      lif: { decay: k.decay, vTh: np.vTh, vReset: np.vReset, resetMode: np.reset === 'subtract' ? 1 : 0, refSteps: k.refSteps, k: np.surrogateK as number, rho: 0, beta: 0, shape: np.surrogate as 'super' },
    }, layers, rows, (t) => inputs[t]!, current);
    assert.ok(checked > sim.steps, `${c.name}: the products were checked`);
    for (let i = 0; i < L; i++) {
      const l = n.layers[i]!;
      assert.equal(Array.from(l.post.head(rows).data), Array.from(out[i]!.post), `${c.name}: layer ${i} post`);
      assert.equal(Array.from(l.deriv.head(rows).data), Array.from(out[i]!.deriv), `${c.name}: layer ${i} deriv`);
      assert.equal(Array.from(l.a.head(rows).data), Array.from(out[i]!.a), `${c.name}: layer ${i} a`);
      if (i < L - 1) {
        assert.is(sim.spikeCount[i], out[i]!.spikes, `${c.name}: layer ${i} spike count`);
        assert.ok(out[i]!.spikes > 0 && out[i]!.spikes < rows * l.outSize * sim.steps, `${c.name}: layer ${i} fires, not saturated`);
      }
      if (l.conv) { // the weight gradient's patches are those of the rates below
        const g = l.conv.geom;
        assert.equal(Array.from(l.conv.cols.head(rows * g.positions).data),
          Array.from(refConv.im2col(l.pre.head(rows).data, { n: rows, h: g.h, w: g.w, c: g.c, k: g.k, s: g.stride, p: g.pad })), `${c.name}: layer ${i} patches of the rates`);
      }
    }
    n.dispose();
  }
});

const snapshot = (n: SpikingNetwork) => n.layers.map((l) => [Array.from(l.post.data), Array.from(l.deriv.data), Array.from(l.a.data)]);

test('conv nets: event-driven (scattered convolutions, pooled spikes and spike lists into dense layers) and dense propagation, and 1 and 2 threads, give the same bits', async () => {
  const lib = await backend();
  const cases: Case[] = [{ name: 'conv then dense', shape: [8, 8, 1], arch: 'c4k3-f12', classes: 3, batch: 4, rows: 4 }, ...CASES];
  for (const c of cases) {
    const ev = build(lib, c, { eventDensity: 1, vInit: 'random' }), de = build(lib, c, { eventDensity: 0, vInit: 'random' });
    for (let w = 0; w < 2; w++) { ev.forward(c.rows); de.forward(c.rows); }
    ev.layers.forEach((l, i) => {
      if (l.conv || i > 0) assert.ok(ev.sim.eventSteps[i]! > 0 && de.sim.denseSteps[i]! > 0, `${c.name}: each path ran on layer ${i}`);
    });
    assert.equal(snapshot(ev), snapshot(de), c.name);
    ev.dispose(); de.dispose();
  }
  const two = await load({ threads: 2 });
  const big: Case = { name: 'lenet5avg', shape: [28, 28, 1], arch: 'lenet5avg', classes: 10, batch: 12, rows: 12 };
  const nets = [lib, two].map((b) => build(b, big, { steps: 8, gain: 20, vInit: 'random' }));
  for (const n of nets) n.forward();
  assert.ok(nets[0]!.sim.spikeCount.slice(0, 3).every((x) => x > 0), 'every conv layer fired');
  assert.equal(snapshot(nets[1]!), snapshot(nets[0]!), '2 threads: the bits of 1');
  for (const n of nets) n.dispose();
});

/** fa's update in float64 from a window's buffers: δ_L = e ⊙ f'_L, δ_l = (δ_{l+1}·B_{l+1}, through the
 *  convolution's input gradient and back through the average pooling) ⊙ deriv_l, dW_l = δ_lᵀ·pre_l / rows. */
function faFromWindow(n: SpikingNetwork, B: Float32Array[], rows: number): Float64Array[] {
  const L = n.layers.length, dW: Float64Array[] = new Array(L);
  const geomOf = (i: number): refConv.Geom => { const g = n.layers[i]!.conv!.geom; return { n: rows, h: g.h, w: g.w, c: g.c, k: g.k, s: g.stride, p: g.pad }; };
  let delta = Float64Array.from(n.error.head(rows).data, (e, i) => e * n.output.deriv.data[i]!);
  for (let i = L - 1; i >= 0; i--) {
    const l = n.layers[i]!, pre = l.pre.head(rows).data, O = l.W.shape[0]!, K = l.W.shape[1]!;
    if (l.conv) dW[i] = refConv.conv2dWeightGrad(delta, pre, O, geomOf(i), 1 / rows, 0, [], []).dW.want;
    else {
      dW[i] = new Float64Array(O * K);
      for (let r = 0; r < rows; r++) for (let o = 0; o < O; o++) for (let k = 0; k < K; k++) dW[i]![o * K + k]! += delta[r * O + o]! * pre[r * K + k]! / rows;
    }
    if (i === 0) break;
    let g: Float64Array; // the signal at layer i−1's post
    if (l.conv) g = refConv.conv2dInputGrad(delta, B[i]!, O, geomOf(i)).want;
    else {
      g = new Float64Array(rows * K);
      for (let r = 0; r < rows; r++) for (let k = 0; k < K; k++) for (let o = 0; o < O; o++) g[r * K + k]! += delta[r * O + o]! * B[i]![o * K + k]!;
    }
    const below = n.layers[i - 1]!, pg = below.pool?.geom;
    if (pg) { // average pooling backward: each window's units get a 1/k² share
      const up = new Float64Array(rows * pg.inSize);
      for (let r = 0; r < rows; r++) for (let oy = 0; oy < pg.ho; oy++) for (let ox = 0; ox < pg.wo; ox++) for (let c = 0; c < pg.c; c++)
        for (let ky = 0; ky < pg.k; ky++) for (let kx = 0; kx < pg.k; kx++) {
          up[r * pg.inSize + ((oy * pg.stride + ky) * pg.w + ox * pg.stride + kx) * pg.c + c]! += g[r * pg.outSize + (oy * pg.wo + ox) * pg.c + c]! / (pg.k * pg.k);
        }
      g = up;
    }
    delta = g.map((v, j) => v * below.deriv.data[j]!);
  }
  return dW;
}

test('fa --spiking on conv LIF layers: its update is fa\'s on the window\'s rates and mean surrogates (float64 from the same buffers), with its own B and with B := W', async () => {
  const lib = await backend();
  const c: Case = { name: 'fa conv', shape: [8, 8, 1], arch: 'c3k3p1-a2-c4k2-a2-f6', classes: 4, batch: 5, rows: 5 };
  const opts = { optimizer: 'sgd' as const, lr: 0.05, momentum: 0, weightDecay: 0, schedule: 'constant' as const, epochs: 1 };
  for (const mirror of [false, true]) {
    const n = build(lib, c, { vInit: 'random' }), tr = new Trainer(lib, n, 'fa', opts), B = (tr.state as FaState).B;
    if (mirror) B.forEach((b, i) => b.data.set(n.layers[i]!.W.data));
    for (const rows of [5, 2]) {
      loadBatch(n, 70 + rows, rows);
      n.input.data.set(n.input.data.map(Math.abs)); // pixels in [0, 1]
      tr.ctx.rows = rows;
      n.forward(rows);
      n.computeLoss(rows);
      tr.rule.teach(tr.ctx, tr.state, tr.ruleParams);
      tr.rule.update(tr.ctx, tr.state, tr.ruleParams);
      const want = faFromWindow(n, B.map((b) => b.data), rows);
      // sums of fewer than 300 f32 products per layer through four layers: 1e-4 of the largest entry
      n.layers.forEach((l, i) => {
        const max = Math.max(...want[i]!.map(Math.abs));
        assert.ok(max > 1e-6, `layer ${i}: the update is not trivially zero`);
        close(l.dW.data, want[i]!, { abs: 1e-4 * max }, `${mirror ? 'B := W' : 'own B'}: dW${i} (rows ${rows})`);
      });
    }
    n.dispose();
  }
});

test('fa --spiking on conv LIF layers: a few training steps give the same weights run to run and whichever propagation path each step takes', async () => {
  const lib = await backend();
  const c: Case = { name: 'fa conv run', shape: [10, 10, 1], arch: 'c3k3p1-a2-c4k2-a2-f6', classes: 4, batch: 6, rows: 6 };
  const weights = (['auto', 'auto', 0, 1] as const).map((eventDensity) => {
    const n = build(lib, c, { eventDensity, vInit: 'random' }), tr = new Trainer(lib, n, 'fa', { optimizer: 'adam', lr: 5e-3, epochs: 1 });
    for (let b = 0; b < 3; b++) {
      loadBatch(n, 90 + b, c.rows);
      n.input.data.set(n.input.data.map(Math.abs));
      tr.step(c.rows);
    }
    const w = n.layers.map((l) => Array.from(l.W.data));
    if (eventDensity === 1) assert.ok(n.sim.eventSteps[0]! > 0 && n.sim.eventSteps[1]! > 0, 'the scattered convolutions ran');
    n.dispose();
    return w;
  });
  const fresh = build(lib, c, {});
  assert.not.equal(weights[0], fresh.layers.map((l) => Array.from(l.W.data)), 'the steps changed the weights');
  fresh.dispose();
  for (let i = 1; i < weights.length; i++) assert.equal(weights[i], weights[0], `run ${i}: the bits of run 0`);
});

test('spiking networks refuse max pooling, naming the spec and its average-pooled form', async () => {
  const lib = await backend();
  throwsClearly(() => new SpikingNetwork(lib, { sizes: [784, 10], arch: 'lenet5', inputShape: [28, 28, 1], batch: 2, seed: 1 }),
    /max-pools after layer 1/, /c6k5p2-p2-c16k5-p2-f120-f84/, /c6k5p2-a2-c16k5-a2-f120-f84 \(preset lenet5avg\)/);
  throwsClearly(() => new SpikingNetwork(lib, { sizes: [36, 2], arch: 'c2k3-a2-c2k1-p2', inputShape: [6, 6, 1], batch: 2, seed: 1 }),
    /max-pools after layer 2/, /c2k3-a2-c2k1-a2/);
});

test.run();
