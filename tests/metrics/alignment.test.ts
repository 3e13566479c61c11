// The gradient-alignment diagnostic: angles between flattened tensors, backprop's update measured in
// scratch buffers (never disturbing the rule), the feedback-path angle and the norm ratio.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { loadBatch } from '../helpers/batch.js';
import { blobs } from '../helpers/synthetic.js';
import { seeded } from '../helpers/fill.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';
import { angleDeg, normRatio } from '../../src/metrics/alignment.js';
import type { FaState } from '../../src/rules/fa.js';
import type { DfaState } from '../../src/rules/dfa.js';
import { ruleCases, buildCase, params } from '../helpers/rule-cases.js';

const opts = { optimizer: 'sgd' as const, lr: 0.05, momentum: 0.9, weightDecay: 0, schedule: 'constant' as const, epochs: 1 };

/** float64 angle in degrees, the reference. */
function angle64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i]! * b[i]!; aa += a[i]! * a[i]!; bb += b[i]! * b[i]!; }
  return (Math.acos(Math.max(-1, Math.min(1, ab / Math.sqrt(aa * bb)))) * 180) / Math.PI;
}

test('angleDeg: 0°, 90°, 180°, 45°, a random pair against float64; NaN for a zero vector', async () => {
  const lib = await backend();
  const h = lib.heap;
  const t = (v: number[]) => h.from([v.length], v);
  const x = t([1, 0, 0, 0, 0]), y = t([0, 2, 0, 0, 0]), z = t([-3, 0, 0, 0, 0]), d = t([1, 1, 0, 0, 0]), o = t([0, 0, 0, 0, 0]);
  // Exact dot products of small integers: cos is exact, acos within ~1 ulp of double (≈1e-14°).
  assert.ok(Math.abs(angleDeg(lib, x, x)) < 1e-9);
  assert.ok(Math.abs(angleDeg(lib, x, y) - 90) < 1e-9);
  assert.ok(Math.abs(angleDeg(lib, x, z) - 180) < 1e-9);
  assert.ok(Math.abs(angleDeg(lib, x, d) - 45) < 1e-6); // √2 in f32/f64 sqrt: ~1e-8 relative
  assert.ok(Number.isNaN(angleDeg(lib, x, o)));
  const n = 1000, a = h.from([n], seeded(n, 1)), b = h.from([n], seeded(n, 2));
  // f32 sums of n products: relative error of dot and norms ≤ ~n·ε ≈ 1e-4, cos near 0 here (random
  // vectors), dθ = dcos / sin θ ≈ 1e-4 rad·|terms| → well under 0.05°.
  assert.ok(Math.abs(angleDeg(lib, a, b) - angle64(a.data, b.data)) < 0.05);
  assert.ok(Math.abs(normRatio(lib, a, b) - Math.sqrt(a.data.reduce((s, v) => s + v * v, 0) / b.data.reduce((s, v) => s + v * v, 0))) < 1e-4);
  assert.throws(() => angleDeg(lib, a, x), /alignment: angle between tensors of 1000 and 5 elements/);
  for (const q of [x, y, z, d, o, a, b]) q.dispose();
});

test('measuring alignment never disturbs training: same weights with and without alignEvery', async () => {
  const lib = await backend();
  const train = blobs(lib, 300, 1);
  for (const rule of ['fa', 'dfa', 'sign', 'synthgrad']) {
    const run = (alignEvery: number) => {
      const net = new Network(lib, { sizes: [20, 24, 24, 4], batch: 30, seed: 5 });
      const tr = new Trainer(lib, net, rule, { epochs: 2, alignEvery });
      const r = tr.fit(train, { epochs: 2 });
      const w = net.layers.map((l) => Array.from(l.W.data));
      net.dispose();
      return { w, r };
    };
    const plain = run(0), measured = run(1);
    assert.equal(measured.w, plain.w, `${rule}: bit-identical weights`);
    assert.is(plain.r.history[0]!.alignment, undefined);
    const a = measured.r.history[1]!.alignment!;
    assert.is(a.length, 3);
    assert.equal(a.map((x) => x.layer), [0, 1, 2]);
    assert.ok(a[2]!.updateAngleDeg! < 1e-3 || rule === 'synthgrad', `${rule}: the output layer learns as in backprop`);
    assert.is(a[2]!.weightAngleDeg, null, 'no feedback into the output layer');
    if (rule === 'synthgrad') assert.is(a[0]!.weightAngleDeg, null, 'synthgrad has no feedback matrix');
    else assert.ok(a[0]!.weightAngleDeg! > 0 && a[0]!.weightAngleDeg! < 180);
    for (const x of a) assert.ok(x.normRatio! > 0);
  }
  train.dispose();
});

// The sweep's run keys leave --align-every out (src/report/config.ts), so a run measured with alignment must
// be the same run as one without: for every rule in every form, weights, biases and every epoch's figures
// bit-identical, measuring after every batch (the heaviest cadence).
for (const c of ruleCases()) {
  test(`${c.name}: measuring alignment after every batch leaves the run bit-identical`, async () => {
    const lib = await backend();
    const train = blobs(lib, 90, 1), testSet = blobs(lib, 40, 2);
    const run = (alignEvery: number) => {
      const { net, trainer } = buildCase(lib, c, 2, { alignEvery });
      const r = trainer.fit(train, { epochs: 2, test: testSet });
      const w = params(net);
      net.dispose();
      return { w, history: r.history.map(({ seconds: _s, cpuSeconds: _c, alignment: _a, ...h }) => h), measured: r.history.map((h) => h.alignment?.length ?? 0) };
    };
    const plain = run(0), measured = run(1);
    assert.equal(measured.w, plain.w, 'weights and biases');
    assert.equal(measured.history, plain.history, 'losses and accuracies of every epoch');
    assert.equal(plain.measured, [0, 0]);
    assert.equal(measured.measured, [3, 3], 'one alignment record per layer, every epoch');
    train.dispose();
    testSet.dispose();
  });
}

test('the alignment step allocates nothing', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [20, 16, 12, 4], batch: 8, seed: 2 });
  const tr = new Trainer(lib, net, 'dfa', { alignEvery: 1 });
  loadBatch(net, 1);
  tr.step();
  const live = lib.heap.live, mem = lib.heap.memory.buffer;
  for (let i = 0; i < 10; i++) tr.step();
  assert.is(lib.heap.live, live);
  assert.ok(lib.heap.memory.buffer === mem);
  assert.is(tr.alignment!.count, 11);
  net.dispose();
});

test('values: update angle vs a float64 backprop, weight angle of B vs W (fa) and of B vs W_L·W_{l+1} (dfa), norm ratio', async () => {
  const lib = await backend();
  // fa: the weight angle of hidden layer l is ∠(B_{l+1}, W_{l+1}); the update angle of the top hidden layer
  // is ∠(dW_fa, dW_bp) computed here in float64 from the same δ chain.
  const net = new Network(lib, { sizes: [6, 5, 4, 3], activation: 'tanh', batch: 7, seed: 3 });
  const lr = 0.05;
  const tr = new Trainer(lib, net, 'fa', { ...opts, lr, alignEvery: 1 });
  const B = (tr.state as FaState).B;
  loadBatch(net, 4);
  const W = net.layers.map((l) => Float64Array.from(l.W.data));
  tr.step();
  const rec = tr.alignment!.take();
  // Weight angles: exact up to f32 dot products of ≤ 20 terms (≈1e-6 relative → < 1e-3°).
  for (const l of [0, 1]) assert.ok(Math.abs(rec[l]!.weightAngleDeg! - angle64(B[l + 1]!.data, W[l + 1]!)) < 1e-3, `layer ${l}`);
  // Backprop in float64 on the network's own forward state (a fresh forward with the pre-step weights).
  const rows = 7, L = net.layers, post = L.map((l) => Float64Array.from(l.post.data)), deriv = L.map((l) => Float64Array.from(l.deriv.data));
  const e = Float64Array.from(net.error.data);
  // δ_2 = e (linear output), δ_1 = δ_2 W_2 ⊙ f'_1, dW_1 = δ_1ᵀ post_0 / rows; fa's dW_1 uses B_2 instead of W_2.
  const dW1 = (F: ArrayLike<number>) => {
    const d1 = new Float64Array(rows * 4);
    for (let r = 0; r < rows; r++) for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let c = 0; c < 3; c++) s += e[r * 3 + c]! * F[c * 4 + j]!;
      d1[r * 4 + j] = s * deriv[1]![r * 4 + j]!;
    }
    const g = new Float64Array(4 * 5);
    for (let j = 0; j < 4; j++) for (let i = 0; i < 5; i++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += d1[r * 4 + j]! * post[0]![r * 5 + i]!;
      g[j * 5 + i] = s / rows;
    }
    return g;
  };
  const gFa = dW1(B[2]!.data), gBp = dW1(W[2]!);
  // f32 forward/backward vs float64 on a 7-row batch: relative errors ~1e-6, angles to within 1e-3°.
  assert.ok(Math.abs(rec[1]!.updateAngleDeg! - angle64(gFa, gBp)) < 1e-2, `${rec[1]!.updateAngleDeg} vs ${angle64(gFa, gBp)}`);
  const n = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));
  assert.ok(Math.abs(rec[1]!.normRatio! - (lr * n(gFa)) / n(W[1]!)) < 1e-5 * (lr * n(gFa)) / n(W[1]!) + 1e-9);
  net.dispose();

  // dfa: hidden layer l's weight angle is ∠(B_l, W_L···W_{l+1}).
  const net2 = new Network(lib, { sizes: [6, 5, 4, 3], batch: 7, seed: 9 });
  const tr2 = new Trainer(lib, net2, 'dfa', { ...opts, alignEvery: 1 });
  const Bd = (tr2.state as DfaState).B;
  loadBatch(net2, 2);
  const W2 = net2.layers[2]!.W.data.slice(), W1 = net2.layers[1]!.W.data.slice();
  tr2.step();
  const r2 = tr2.alignment!.take();
  const P0 = new Float64Array(3 * 5); // W_2 [3,4] · W_1 [4,5]
  for (let c = 0; c < 3; c++) for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) P0[c * 5 + i] = P0[c * 5 + i]! + W2[c * 4 + j]! * W1[j * 5 + i]!;
  assert.ok(Math.abs(r2[1]!.weightAngleDeg! - angle64(Bd[1]!.data, W2)) < 1e-3);
  assert.ok(Math.abs(r2[0]!.weightAngleDeg! - angle64(Bd[0]!.data, P0)) < 1e-3);
  net2.dispose();
});

test('bp against itself: update angles 0 (to f32 dot-product rounding)', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [20, 16, 12, 4], batch: 8, seed: 2 });
  const tr = new Trainer(lib, net, 'bp', { alignEvery: 1 });
  for (let s = 0; s < 3; s++) { loadBatch(net, s); tr.step(); }
  // Identical dW: cos = dot/√(aa·bb) = 1 up to the f32 rounding of the sums (≤ ~1e-6), acos(1 − 1e-6) ≈ 0.08°.
  for (const r of tr.alignment!.take()) { assert.ok(r.updateAngleDeg! < 0.1, `${r.updateAngleDeg}`); assert.is(r.weightAngleDeg, null); }
  net.dispose();
});

test.run();
