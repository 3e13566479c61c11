// Q-AGREL on convolutional layers (BrainProp's convolutional networks, Pozzi, Bohté & Roelfsema 2020): the
// attention tag from the selected unit travels down a convolution as its input gradient and back through
// pooling, so with feedback W and a given action the update is backprop of ½(r − Q_a)² on the conv net
// (whose conv gradients tests/net/conv.test.ts checks against float64); own feedback kernels are W's
// shape and carry the tags exactly as W would; and the rule learns a small image task.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { close } from '../helpers/close.js';
import { loadBatch } from '../helpers/batch.js';
import { blobs } from '../helpers/synthetic.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';
import type { AttentionState } from '../../src/rules/shared/attention.js';

// 8×8×2 input → conv 3ch k3 p1 → max pool 2 → conv 4ch k3 s2 p1 → average pool 2 → dense 6 → 5 classes.
const ARCH = 'c3k3p1-p2-c4k3s2p1-a2-f6';
const mk = async (batch: number) => new Network(await backend(), { sizes: [128, 5], arch: ARCH, inputShape: [8, 8, 2], activation: 'tanh', batch, seed: 5 });
const opts = (ruleParams: Record<string, unknown>) => ({ optimizer: 'sgd' as const, lr: 0.05, momentum: 0, weightDecay: 0, schedule: 'constant' as const, epochs: 1, ruleParams });

test("qagrel on a conv net, feedback W, greedy: its update is backprop's for the output error −(r − Q_a)·e_a", async () => {
  const net = await mk(7);
  const q = new Trainer(net.lib, net, 'qagrel', opts({ feedback: 'transpose', epsilon: 0 }));
  const bp = new Trainer(net.lib, net, 'bp', opts({}));
  for (const rows of [7, 2]) {
    loadBatch(net, 40 + rows, rows);
    net.forward(rows);
    q.ctx.rows = rows;
    q.rule.teach(q.ctx, q.state, q.ruleParams);
    q.rule.update(q.ctx, q.state, q.ruleParams);
    const got = net.layers.map((l) => [Float32Array.from(l.dW.data), Float32Array.from(l.db.data)] as const);
    // The same forward state, backprop's sweep from the output error Q-AGREL's selection defines.
    const s = q.state as AttentionState, C = net.classes, Q = net.output.post.data;
    net.error.data.fill(0);
    for (let r = 0; r < rows; r++) net.error.data[r * C + s.action[r]!] = -(s.reward[r]! - Q[r * C + s.action[r]!]!);
    bp.ctx.rows = rows;
    bp.rule.teach(bp.ctx, bp.state, bp.ruleParams);
    bp.rule.update(bp.ctx, bp.state, bp.ruleParams);
    // The two differ only in where the per-row factor −(r − Q_a) is applied (at the top for backprop, after
    // the sweep for the tags): each product carries at most one more rounding per layer (4 layers), a
    // relative 4·2⁻²⁴ ≈ 2.4e-7 of each term; sums over fewer than 200 terms: allowed 1e-5 of the largest entry.
    net.layers.forEach((l, i) => {
      const [dW, db] = got[i]!, maxW = Math.max(...Array.from(l.dW.data, Math.abs)), maxB = Math.max(...Array.from(l.db.data, Math.abs));
      assert.ok(maxW > 0, `layer ${i}: a non-trivial gradient`);
      close(dW, l.dW.data, { abs: 1e-5 * maxW }, `dW${i} (rows ${rows})`);
      close(db, l.db.data, { abs: 1e-5 * maxB }, `db${i} (rows ${rows})`);
    });
  }
  net.dispose();
});

test('qagrel own feedback on a conv net: kernels shaped like W, learned with W; set to W they give the transpose run bit for bit', async () => {
  const a = await mk(6), b = await mk(6);
  const own = new Trainer(a.lib, a, 'qagrel', opts({ epsilon: 0 })), tr = new Trainer(b.lib, b, 'qagrel', opts({ feedback: 'transpose', epsilon: 0 }));
  const s = own.state as AttentionState;
  a.layers.forEach((l, i) => (i === 0 ? assert.is(s.B![0], null) : assert.equal(s.B![i]!.shape, l.W.shape)));
  assert.equal(s.params.map((p) => [p.name, p.grad === a.layers[Number(p.name.slice(1))]!.dW]), [['B1', true], ['B2', true], ['B3', true]]);
  for (let step = 0; step < 3; step++) {
    a.layers.forEach((l, i) => { if (i > 0) s.B![i]!.data.set(l.W.data); });
    loadBatch(a, 60 + step);
    loadBatch(b, 60 + step);
    own.step();
    tr.step();
    // 0 ulps: the same kernels, the same action draws (trainer Rng from the same seed), the same sweep.
    a.layers.forEach((l, i) => close(l.W.data, b.layers[i]!.W.data, { ulps: 0 }, `W${i} after step ${step}`));
  }
  a.dispose();
  b.dispose();
});

test("qagrel's start on a conv net: outputInit scales the output layer's draw, feedbackInit the own feedback's; no other draw changes", async () => {
  const at = async (outputInit: number, feedbackInit: number) => {
    const net = await mk(4);
    const tr = new Trainer(net.lib, net, 'qagrel', opts({ outputInit, feedbackInit }));
    const s = tr.state as AttentionState;
    const out = { W: net.layers.map((l) => Float32Array.from(l.W.data)), B: s.B!.map((b) => (b ? Float32Array.from(b.data) : null)) };
    net.dispose();
    return out;
  };
  const one = await at(1, 1), scaled = await at(0.25, 0.5), zero = await at(0, 0);
  const times = (a: Float32Array, k: number) => a.map((v) => Math.fround(k * v));
  const L = one.W.length - 1;
  one.W.forEach((w, i) => {
    // 0 ulps: one f32 product per weight; the hidden layers and the rule's other draws untouched.
    close(scaled.W[i]!, i === L ? times(w, 0.25) : w, { ulps: 0 }, `W${i}`);
    close(zero.W[i]!, i === L ? times(w, 0) : w, { ulps: 0 }, `W${i}, outputInit 0`);
    if (i === 0) return;
    assert.ok(one.B[i]!.some((v) => v !== 0), `B${i} drawn`);
    close(scaled.B[i]!, times(one.B[i]!, 0.5), { ulps: 0 }, `B${i}`);
    assert.ok(zero.B[i]!.every((v) => v === 0), `B${i} silent with feedbackInit 0`);
  });
});

test("qagrel on a conv net takes its convolutional defaults (convDefaults); given parameters win, and a dense net keeps the dense ones", async () => {
  const conv = await mk(4);
  const q = new Trainer(conv.lib, conv, 'qagrel', { epochs: 1 });
  const cd = q.rule.convDefaults!;
  assert.is(q.ruleParams.outputInit, cd.params!.outputInit);
  assert.is(q.ruleParams.feedbackInit, cd.params!.feedbackInit);
  assert.is(q.optimizer.name, cd.train!.optimizer);
  assert.is(q.lr, cd.train!.lr);
  assert.is(new Trainer(conv.lib, conv, 'qagrel', { ruleParams: { feedbackInit: 1 }, lr: 0.5 }).ruleParams.feedbackInit, 1);
  conv.dispose();
  const dense = new Network(await backend(), { sizes: [128, 6, 5], batch: 4, seed: 5 });
  const d = new Trainer(dense.lib, dense, 'qagrel', { epochs: 1 });
  assert.equal(d.ruleParams, d.rule.defaults);
  assert.is(d.lr, d.rule.train.lr);
  assert.is(d.optimizer.name, d.rule.train.optimizer);
  dense.dispose();
});

test('qagrel learns a small image task on a conv net from rewards alone, with its convolutional defaults', async () => {
  const lib = await backend();
  // blobs' 20 features as 4×5 one-channel images.
  const train = blobs(lib, 600, 1), test = blobs(lib, 200, 2);
  const net = new Network(lib, { sizes: [20, 4], arch: 'c6k3p1-p2-f16', inputShape: [4, 5, 1], activation: 'relu', init: 'xavier', batch: 20, seed: 3 });
  const tr = new Trainer(lib, net, 'qagrel', { epochs: 16 }); // its convolutional defaults
  const r = tr.fit(train, { epochs: 16, test });
  const acc = r.history[r.history.length - 1]!.testAccuracy!;
  // Chance is 0.25; starting Q near 0 with silent feedback, the defaults pass 0.85 by epoch 5 and stay
  // near 0.9 (the blobs overlap): 0.8 leaves room for the draws of another build, not for a rule that
  // does not learn.
  assert.ok(acc > 0.8, `test accuracy ${acc} (chance 0.25): ${r.history.map((h) => h.testAccuracy?.toFixed(3)).join(' ')}`);
  net.dispose();
  train.dispose();
  test.dispose();
});

test.run();
