// The contract every registered rule meets: iterate the registry so that
// registering a rule gives it baseline coverage.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { blobs } from '../helpers/synthetic.js';
import { rules } from '../../src/rules/index.js';
import { OBJECTIONS } from '../../src/rules/types.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';
import { ACT_NAMES } from '../../src/activations.js';
import { OPTIMIZERS } from '../../src/optim/optimizers.js';
import { SCHEDULES } from '../../src/optim/schedules.js';
import { INIT_SCHEMES } from '../../src/net/init.js';

for (const [id, rule] of Object.entries(rules)) {
  test(`${id}: metadata is complete and consistent`, () => {
    assert.is(rule.id, id, 'registered under its own id');
    assert.match(rule.id, /^[a-z][a-z0-9-]*$/);
    assert.ok(rule.title.length > 0 && rule.cite.length > 0);
    for (const o of [...rule.objections.removes, ...(rule.objections.partly ?? [])]) assert.ok(OBJECTIONS.includes(o), `unknown objection ${o}`);
    for (const o of rule.objections.removes) assert.not.ok(rule.objections.partly?.includes(o), `${o} both removed and partly removed`);
    assert.is(rule.objections.removes.includes('spiking'), !!rule.spiking && rule.objections.removes.includes('spiking'), 'removing the spiking objection needs spiking support');
    const d = rule.train;
    assert.ok((ACT_NAMES as string[]).includes(d.activation), `default activation ${d.activation}`);
    assert.ok(OPTIMIZERS.includes(d.optimizer) && SCHEDULES.includes(d.schedule) && INIT_SCHEMES.includes(d.init));
    assert.ok(d.lr > 0 && d.epochs >= 1 && d.batch >= 1 && d.hidden.every((h) => Number.isInteger(h) && h > 0));
  });

  test(`${id}: with its defaults the loss falls on a seeded task; same seed, same weights`, async () => {
    const lib = await backend();
    const train = blobs(lib, 600, 1);
    const run = () => {
      const net = new Network(lib, { sizes: [20, 24, 24, 4], activation: rule.train.activation, init: rule.train.init, batch: 30, seed: 5 });
      const tr = new Trainer(lib, net, rule, { epochs: 3 });
      const r = tr.fit(train, { epochs: 3 });
      const w = net.layers.map((l) => Array.from(l.W.data));
      net.dispose();
      return { r, w };
    };
    const a = run(), b = run();
    assert.ok(a.r.history[2]!.trainLoss < a.r.history[0]!.trainLoss, `loss ${a.r.history[0]!.trainLoss} → ${a.r.history[2]!.trainLoss}`);
    assert.equal(a.w, b.w, 'bit-identical weights for the same seed');
    train.dispose();
  });

  test(`${id}: ${rule.conv ? 'trains a conv net (a few steps, finite weights, the loss falls)' : 'refuses a conv net, saying why'}`, async () => {
    const lib = await backend();
    // a rule that always runs spiking (nef) takes average pooling: spiking layers cannot max-pool
    const net = new Network(lib, { sizes: [20, 4], arch: rule.spiking?.only ? 'c4k3p1-a2-f12' : 'c4k3p1-p2-f12', inputShape: [4, 5, 1], activation: rule.train.activation, init: rule.train.init, batch: 30, seed: 5 });
    if (!rule.conv) {
      assert.ok(typeof rule.noConv === 'string' && rule.noConv.length > 30, 'a rule without a convolutional form says why in noConv');
      const live = lib.heap.live;
      assert.throws(() => new Trainer(lib, net, rule, {}), (e: Error) => e.message.includes(`rule '${id}' has no convolutional form`) && e.message.includes(rule.noConv!));
      assert.is(lib.heap.live, live, 'refused before any buffer is made');
    } else {
      assert.is(rule.noConv, undefined, 'a rule with a convolutional form gives no reason for lacking one');
      const train = blobs(lib, 600, 1); // blobs' 20 features as 4×5 one-channel images
      const r = new Trainer(lib, net, rule, { epochs: 3 }).fit(train, { epochs: 3 });
      assert.is(net.nonFiniteWeights(), 0);
      assert.ok(r.history[2]!.trainLoss < r.history[0]!.trainLoss, `loss ${r.history[0]!.trainLoss} → ${r.history[2]!.trainLoss}`);
      train.dispose();
    }
    net.dispose();
  });

  test(`${id}: a training step allocates nothing`, async () => {
    const lib = await backend();
    const net = new Network(lib, { sizes: [20, 16, 4], activation: rule.train.activation, batch: 8, seed: 2 });
    const tr = new Trainer(lib, net, rule, {});
    tr.step();
    const live = lib.heap.live, mem = lib.heap.memory.buffer;
    for (let i = 0; i < 20; i++) tr.step();
    assert.is(lib.heap.live, live);
    assert.ok(lib.heap.memory.buffer === mem);
    net.dispose();
  });
}

test.run();
