// Kickback against its theory (Balduzzi et al. 2015): on a coherent network, every hidden unit's
// kickback signal has the sign of its backprop signal; on spiking neurons, the sign of backprop's signal
// through the mean surrogate derivatives (the spiking form's f' and kick both read which units spiked).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { seeded } from '../helpers/fill.js';
import { throwsClearly } from '../helpers/close.js';
import { Network } from '../../src/net/network.js';
import { SpikingNetwork } from '../../src/net/spiking.js';
import { Trainer } from '../../src/train/trainer.js';
import { rules } from '../../src/rules/index.js';
import { chain } from '../../src/rules/shared/common.js';
import { kickbackTeach, polarity, type KickbackState } from '../../src/rules/kickback.js';

const B = 16;

/** Signs of kickback vs backprop for every hidden unit and row: [agree, disagree] among both non-zero. */
async function signs(seed: number, coherent: boolean, spiking = false): Promise<[number, number, number, number]> {
  const lib = await backend();
  // the paper's setting: rectifiers, one output, squared error
  const o = { sizes: [6, 12, 12, 12, 1], activation: 'relu', loss: 'mse' as const, batch: B, seed };
  const net = spiking ? new SpikingNetwork(lib, { ...o, spiking: { ...rules.kickback!.spiking!.sim, steps: 30 } }) : new Network(lib, o);
  const tr = new Trainer(lib, net, rules.kickback!, { ruleParams: { coherent } });
  if (coherent) {
    // the constraint holds: sign(W_l[k, j]) = p_k p_j between hidden layers, p_j into the single output
    for (let l = 1; l < net.layers.length; l++) {
      const L = net.layers[l]!, W = L.W.data;
      for (let k = 0; k < L.outSize; k++) for (let j = 0; j < L.inSize; j++) {
        const want = (l === net.layers.length - 1 ? 1 : polarity(k)) * polarity(j);
        assert.ok(W[k * L.inSize + j]! * want >= 0, `W${l}[${k},${j}] breaks coherence`);
      }
    }
  }
  net.input.set(seeded(B * 6, seed + 1, 0, 1));
  net.target.set(seeded(B, seed + 2, -3, 3));
  rules.kickback!.forward!(tr.ctx, tr.state, tr.ruleParams, true);
  net.computeLoss(B);
  kickbackTeach(tr.ctx, tr.state as KickbackState);
  const kb = net.layers.map((l) => l.delta.toArray());
  // silent units (no spike in the window) whose surrogate is non-zero: kickback must give them no signal
  let silent = 0;
  for (let l = 0; l < net.layers.length - 1; l++) {
    const post = net.layers[l]!.post.toArray(), deriv = net.layers[l]!.deriv.toArray();
    for (let i = 0; i < post.length; i++) if (post[i] === 0 && deriv[i]! > 0) {
      assert.is(kb[l]![i], 0, `layer ${l} unit-row ${i}: silent in the window, yet a kickback signal`);
      silent++;
    }
  }
  chain(tr.ctx, (l) => net.layers[l]!.W);
  const bp = net.layers.map((l) => l.delta.toArray());
  let agree = 0, disagree = 0, oneZero = 0;
  for (let l = 0; l < net.layers.length - 1; l++) {
    for (let i = 0; i < kb[l]!.length; i++) {
      const a = kb[l]![i]!, b = bp[l]![i]!;
      if (a === 0 || b === 0) { if (a !== b) oneZero++; continue; }
      if (Math.sign(a) === Math.sign(b)) agree++; else disagree++;
    }
  }
  net.dispose();
  return [agree, disagree, oneZero, silent];
}

test('kickback on a coherent network: each hidden unit\'s signal has backprop\'s sign (seeded cases)', async () => {
  let total = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    const [agree, disagree] = await signs(seed, true);
    // exact: both signals are sums of terms of one sign (the coherence argument), so rounding cannot flip them
    assert.is(disagree, 0, `seed ${seed}: ${disagree} sign disagreements (${agree} agreements)`);
    total += agree;
  }
  assert.ok(total > 200, `enough non-zero signals compared: ${total}`);
});

test('kickback spiking on a coherent network: each hidden unit\'s signal has the sign of backprop through the surrogates, and a unit silent in the window gets none', async () => {
  let total = 0, silent = 0;
  for (const seed of [1, 2, 3]) {
    const [agree, disagree, , quiet] = await signs(seed, true, true);
    silent += quiet;
    // exact as above: the surrogates are positive and "spiked" is 0 or 1, so every term keeps its sign
    assert.is(disagree, 0, `seed ${seed}: ${disagree} sign disagreements (${agree} agreements)`);
    total += agree;
  }
  assert.ok(total > 100, `enough non-zero signals compared: ${total}`);
  assert.ok(silent > 10, `enough silent units with a non-zero surrogate checked: ${silent}`);
});

test('kickback without the constraint: signs disagree (the coherence condition matters)', async () => {
  let disagree = 0;
  for (const seed of [1, 2, 3]) disagree += (await signs(seed, false))[1];
  assert.ok(disagree > 10, `expected sign disagreements on an incoherent net, got ${disagree}`);
});

test('kickback: a non-rectifier network gives a clear error naming the constraint', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [6, 8, 8, 2], activation: 'tanh', batch: 2, seed: 1 });
  throwsClearly(() => new Trainer(lib, net, rules.kickback!), /kickback: hidden layer 0 uses 'tanh', expected 'relu'/, /rectifier/);
  net.dispose();
});

test('kickback: the projection keeps the sign constraint through training steps', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [6, 8, 8, 8, 3], activation: 'relu', batch: 4, seed: 3 });
  const tr = new Trainer(lib, net, rules.kickback!, { lr: 0.5, optimizer: 'sgd' });
  net.input.set(seeded(4 * 6, 9, 0, 1));
  net.target.set(Float32Array.from({ length: 12 }, (_, i) => (i % 4 === 0 ? 1 : 0)));
  for (let t = 0; t < 5; t++) tr.step();
  rules.kickback!.forward!(tr.ctx, tr.state, tr.ruleParams, true);
  for (const l of [1, 2]) {
    const L = net.layers[l]!, W = L.W.data;
    for (let k = 0; k < L.outSize; k++) for (let j = 0; j < L.inSize; j++) {
      assert.ok(W[k * L.inSize + j]! * polarity(k) * polarity(j) >= 0, `W${l}[${k},${j}]`);
    }
  }
  net.dispose();
});

test.run();
