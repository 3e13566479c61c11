// Two-site neurons (Körding & König 2001, J. Comput. Neurosci. 11:207): the gating rule on a hand-worked example,
// exactness against backprop with V = W, and XOR learned by a small rate network as in the paper.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';
import { Dataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/core/rng.js';
import { twosite } from '../../src/rules/twosite.js';
import type { StepContext } from '../../src/rules/types.js';

const sig = (x: number) => 1 / (1 + Math.exp(-x));

test('twosite: hand-worked gating — burst D_j = (apical input) · A_j(1 − A_j), ΔW_ji = D_j A_i', async () => {
  // 2 inputs → 2 sigmoid hidden units → 1 sigmoid output, mse loss (D_out = (t − A)·A(1 − A)).
  const lib = await backend();
  const net = new Network(lib, { sizes: [2, 2, 1], activation: 'sigmoid', loss: 'mse', outputActivation: 'sigmoid', bias: false, batch: 1, seed: 1 });
  net.layers[0]!.W.set([2, 0, 0, -30]); // unit 0: a = 2·x0; unit 1: a = −30·x1 (silent: A ≈ 0, no burst)
  net.layers[1]!.W.set([1, 1]);
  net.input.set([1, 1]);
  net.target.set([1]);
  const p = { ...twosite.defaults, apical: 'own' };
  const s = twosite.init(net, p, net.ws, new Rng(1));
  s.V![1]!.set([0.5, 0.5]); // apical weights from the output onto both hidden units
  const ctx: StepContext = { net, rows: 1, rng: new Rng(2) };
  net.forward(1);
  net.computeLoss(1);
  twosite.teach(ctx, s, p);
  twosite.update(ctx, s, p);
  // By hand: A0 = σ(2) = 0.880797, A1 = σ(−30) = 9.36e−14, A_out = σ(A0 + A1) = σ(0.880797) = 0.706994.
  const A0 = sig(2), A1 = sig(-30), Ao = sig(A0 + A1);
  const Dout = (1 - Ao) * Ao * (1 - Ao); // 0.060730
  const D0 = 0.5 * Dout * A0 * (1 - A0); // 0.003178: apical drive × somatic gate
  const D1 = 0.5 * Dout * A1 * (1 - A1); // ≈ 2.8e−15: same apical drive, silent soma → no burst
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  close(-net.output.delta.data[0]!, Dout, 'output burst');
  close(-net.layers[0]!.delta.data[0]!, D0, 'hidden burst 0');
  assert.ok(Math.abs(net.layers[0]!.delta.data[1]!) < 1e-12, 'silent unit: no burst');
  close(-net.layers[0]!.dW.data[0]!, D0 * 1, 'ΔW_00 = D_0 x_0');
  close(-net.layers[0]!.dW.data[3]!, D1 * 1, 'ΔW_11 ≈ 0 (gated off)');
  close(-net.layers[1]!.dW.data[0]!, Dout * A0, 'ΔW_out,0 = D_out A_0');
  // No apical drive → no burst either, however active the soma.
  s.V![1]!.set([0, 0.5]);
  twosite.teach(ctx, s, p);
  assert.is(net.layers[0]!.delta.data[0]!, 0);
  net.dispose();
});

test('twosite: with apical weights equal to W the update is backprop exactly (bit for bit)', async () => {
  const lib = await backend();
  const mk = () => {
    const net = new Network(lib, { sizes: [6, 5, 4, 3], activation: 'sigmoid', batch: 4, seed: 3 });
    const r = new Rng(4);
    net.input.set(Array.from({ length: 24 }, () => r.uniform()));
    net.target.set([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0]);
    return net;
  };
  const run = (fb: string) => {
    const net = mk();
    const p = { ...twosite.defaults, apical: fb };
    const s = twosite.init(net, p, net.ws, new Rng(1));
    if (s.V) for (let l = 1; l < 3; l++) s.V[l]!.set(net.layers[l]!.W.toArray());
    net.forward(4);
    net.computeLoss(4);
    twosite.teach({ net, rows: 4, rng: new Rng(1) }, s, p);
    twosite.update({ net, rows: 4, rng: new Rng(1) }, s, p);
    const out = net.layers.map((l) => Array.from(l.dW.data));
    net.dispose();
    return out;
  };
  const own = run('own'), tr = run('transpose');
  assert.equal(own, tr);
  const { bp } = await import('../../src/rules/bp.js');
  const net = mk();
  net.forward(4);
  net.computeLoss(4);
  const ctx = { net, rows: 4, rng: new Rng(1) };
  bp.teach(ctx, null, {});
  bp.update(ctx, null, {});
  assert.equal(net.layers.map((l) => Array.from(l.dW.data)), tr);
  net.dispose();
});

test('twosite: a 2-4-2 sigmoid network learns XOR (5 seeds)', async () => {
  const lib = await backend();
  const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), y = new Uint8Array([0, 1, 1, 0]);
  const ds = Dataset.fromArrays(lib, 'xor', x, y, 2, 2);
  for (let seed = 1; seed <= 5; seed++) {
    const net = new Network(lib, { sizes: [2, 4, 2], activation: 'sigmoid', init: 'xavier', batch: 4, seed });
    const tr = new Trainer(lib, net, twosite, { optimizer: 'sgd', lr: 0.5, momentum: 0.9, weightDecay: 0, schedule: 'constant', epochs: 1500, seed });
    tr.fit(ds, { epochs: 1500 });
    const acc = tr.evaluate(ds).accuracy;
    assert.is(acc, 1, `seed ${seed}: XOR accuracy ${acc}`);
    net.dispose();
  }
  ds.dispose();
});

test('twosite: bad parameters throw clear errors', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [3, 4, 2], batch: 2, seed: 1 });
  assert.throws(() => twosite.init(net, { ...twosite.defaults, apical: 'x' }, net.ws, new Rng(1)), /twosite: parameter apical must be 'own' or 'transpose', got 'x'/);
  net.dispose();
});

test.run();
