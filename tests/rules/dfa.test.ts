// Direct feedback alignment against its theory (Nøkland 2016): with one hidden layer, a linear output and
// B_1 := W_2 it is backprop; in deeper nets each hidden layer's teaching signal depends only on the output
// error, its own B_l and its own f' (no forward weight above it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { close } from '../helpers/close.js';
import { loadBatch } from '../helpers/batch.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';
import type { DfaState } from '../../src/rules/dfa.js';

const opts = { optimizer: 'sgd' as const, lr: 0.05, momentum: 0.9, weightDecay: 0, schedule: 'constant' as const, epochs: 1 };

for (const build of ['release', 'scalar'] as const) {
  test(`dfa with one hidden layer and B_1 := W_2 takes backprop's steps, bit for bit (${build})`, async () => {
    const lib = await backend(build);
    const mk = () => new Network(lib, { sizes: [13, 17, 5], activation: 'tanh', batch: 11, seed: 6 });
    const a = mk(), b = mk();
    const dfa = new Trainer(lib, a, 'dfa', opts), bp = new Trainer(lib, b, 'bp', opts);
    const B = (dfa.state as DfaState).B;
    for (let s = 0; s < 4; s++) {
      B[0]!.data.set(a.layers[1]!.W.data); // [classes, n_1]: W_2's shape
      const rows = s % 2 ? 11 : 3;
      loadBatch(a, 50 + s, rows);
      loadBatch(b, 50 + s, rows);
      dfa.step(rows);
      bp.step(rows);
      // 0 ulps: the output is linear (xent), so δ_L = e ⊙ 1 = e bit for bit, and e·B_1 with B_1 = W_2 is
      // the same gemm on bit-identical operands as backprop's δ_L·W_2.
      a.layers.forEach((l, i) => close(l.W.data, b.layers[i]!.W.data, { ulps: 0 }, `W${i} after step ${s}`));
    }
    a.dispose();
    b.dispose();
  });
}

test('dfa: a hidden layer\'s teaching signal ignores every forward weight above it', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [12, 16, 16, 16, 4], batch: 7, seed: 8 });
  const tr = new Trainer(lib, net, 'dfa', opts);
  loadBatch(net, 2);
  net.forward();
  net.computeLoss();
  tr.rule.teach(tr.ctx, tr.state, tr.ruleParams);
  const d0 = Array.from(net.layers[0]!.delta.data);
  // Scramble W_2 and W_3 (above layer 0) without touching the forward state: δ_0 must not move.
  for (const l of [net.layers[1]!, net.layers[2]!]) l.W.data.fill(123);
  tr.rule.teach(tr.ctx, tr.state, tr.ruleParams);
  assert.equal(Array.from(net.layers[0]!.delta.data), d0);
  net.dispose();
});

test('dfa feedback: one [classes, n_l] matrix per hidden layer, U(±1/√n_l) by default, fixed', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [12, 64, 25, 4], batch: 5, seed: 8 });
  const tr = new Trainer(lib, net, 'dfa', opts);
  const B = (tr.state as DfaState).B;
  assert.is(B.length, 2);
  const before = B.map((t) => Array.from(t.data));
  B.forEach((t, l) => {
    const n = net.layers[l]!.outSize;
    assert.equal(t.shape, [4, n]);
    let max = 0;
    for (const v of t.data) max = Math.max(max, Math.abs(v));
    assert.ok(max <= 1 / Math.sqrt(n) && max > 0.8 / Math.sqrt(n), `max |B| ${max} for n ${n}`);
  });
  for (let s = 0; s < 3; s++) { loadBatch(net, s); tr.step(); }
  assert.equal(B.map((t) => Array.from(t.data)), before);
  assert.throws(() => new Trainer(lib, net, 'dfa', { ruleParams: { feedbackScale: 'big' } }), /dfa: parameter feedbackScale must be 'auto' or a positive number, got "big"/);
  net.dispose();
});

test.run();
