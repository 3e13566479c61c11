import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { blobs } from '../helpers/synthetic.js';
import { Network } from '../../src/net/network.js';
import { Trainer, DivergenceError } from '../../src/train/trainer.js';

async function setup(seed = 1, lr?: number, activation = 'tanh') {
  const lib = await backend();
  const train = blobs(lib, 800, 1), test = blobs(lib, 400, 2);
  const net = new Network(lib, { sizes: [20, 32, 32, 4], activation, init: 'xavier', batch: 32, seed });
  const trainer = new Trainer(lib, net, 'bp', { lr: lr ?? 0.05, optimizer: 'sgd', momentum: 0.9, schedule: 'constant', epochs: 5 });
  const done = () => { net.dispose(); train.dispose(); test.dispose(); };
  return { lib, train, test, net, trainer, done };
}

test('bp learns the blobs problem: test accuracy ≥ 95 % in 5 epochs, loss falls', async () => {
  const s = await setup();
  const r = s.trainer.fit(s.train, { epochs: 5, test: s.test });
  assert.is(r.history.length, 5);
  const first = r.history[0]!, last = r.history[4]!;
  assert.ok(last.testAccuracy >= 0.95, `test accuracy ${last.testAccuracy}`);
  assert.ok(last.trainLoss < first.trainLoss, `loss ${first.trainLoss} → ${last.trainLoss}`);
  for (const h of r.history) for (const key of ['trainLoss', 'trainAccuracy', 'testAccuracy', 'seconds'] as const) assert.ok(Number.isFinite(h[key]), key);
  // In Node every epoch records the CPU time it cost; a 5-epoch run of real work costs some.
  assert.ok(r.history.every((h) => typeof h.cpuSeconds === 'number' && h.cpuSeconds >= 0), 'cpuSeconds per epoch');
  assert.ok(r.history.reduce((a, h) => a + h.cpuSeconds!, 0) > 0, 'the epochs cost CPU time');
  s.done();
});

test('same seed, same build: bit-identical weights; another seed differs', async () => {
  const weights = async (seed: number) => {
    const s = await setup(seed);
    s.trainer.fit(s.train, { epochs: 2 });
    const w = s.net.layers.map((l) => Array.from(l.W.data));
    s.done();
    return w;
  };
  const a = await weights(3), b = await weights(3), c = await weights(4);
  assert.equal(a, b);
  assert.not.equal(a, c);
});

test('the steady-state step allocates nothing in WASM memory', async () => {
  const s = await setup();
  s.trainer.fit(s.train, { epochs: 1 }); // warm
  const live = s.lib.heap.live, bytes = s.lib.heap.bytes, mem = s.lib.heap.memory.buffer;
  for (let i = 0; i < 50; i++) s.trainer.step(i % 2 ? 32 : 17);
  assert.is(s.lib.heap.live, live);
  assert.is(s.lib.heap.bytes, bytes);
  assert.ok(s.lib.heap.memory.buffer === mem, 'memory did not grow');
  s.done();
});

test('divergence stops the run with an error naming rule, epoch and batch', async () => {
  const s = await setup(1, 1e12, 'relu'); // unbounded units: weights overflow to Inf, then NaN
  let err: unknown;
  try {
    s.trainer.fit(s.train, { epochs: 3, test: s.test });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof DivergenceError, String(err));
  assert.match((err as Error).message, /^bp diverged at epoch \d+, batch \d+: /);
  s.done();
});

test('cancellation through an AbortSignal returns the epochs finished so far', async () => {
  const s = await setup();
  const ac = new AbortController();
  const r = s.trainer.fit(s.train, { epochs: 5, onBatch: (b) => { if (b.epoch === 1 && b.batch === 3) ac.abort(); }, signal: ac.signal });
  assert.ok(r.cancelled);
  assert.is(r.history.length, 1);
  s.done();
});

test('unknown rule and rule parameter are clear errors', async () => {
  const s = await setup();
  assert.throws(() => new Trainer(s.lib, s.net, 'nope'), /unknown rule 'nope' \(registered: bp/);
  assert.throws(() => new Trainer(s.lib, s.net, 'bp', { ruleParams: { beta: 1 } }), /rule 'bp' has no parameter 'beta'/);
  s.done();
});

test('network construction errors are clear', async () => {
  const lib = await backend();
  assert.throws(() => new Network(lib, { sizes: [10], batch: 4, seed: 1 }), /network: sizes must list at least two/);
  assert.throws(() => new Network(lib, { sizes: [10, 5], batch: 0, seed: 1 }), /network: batch must be a positive integer/);
  assert.throws(() => new Network(lib, { sizes: [10, 5, 2], activation: 'swish', batch: 4, seed: 1 }), /activation/);
});

test.run();
