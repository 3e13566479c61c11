// Sign-symmetry against its theory: with every |W| equal to the feedback scale, s·sign(W) = W and the rule
// is backprop; frSF/brSF feedback is sign-concordant with random magnitudes (fixed / redrawn per batch);
// Batch Manhattan steps along the sign of the gradient.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { close } from '../helpers/close.js';
import { loadBatch } from '../helpers/batch.js';
import { mulberry32 } from '../helpers/fill.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';
import type { SignState } from '../../src/rules/sign.js';

const opts = { optimizer: 'sgd' as const, lr: 0.05, momentum: 0, weightDecay: 0, schedule: 'constant' as const, epochs: 1 };
const sizes = [13, 17, 9, 5];

for (const build of ['release', 'scalar'] as const) {
  test(`sign (usf) equals backprop when every |W| equals the feedback scale (${build})`, async () => {
    const lib = await backend(build);
    const s = 0.125;
    const mk = () => {
      const net = new Network(lib, { sizes, activation: 'tanh', batch: 11, seed: 4 });
      const r = mulberry32(9);
      for (const l of net.layers) l.W.data.set(Float32Array.from({ length: l.W.size }, () => (r() < 0.5 ? -s : s)));
      return net;
    };
    for (const rows of [11, 4]) {
      const a = mk(), b = mk();
      const sg = new Trainer(lib, a, 'sign', { ...opts, ruleParams: { scale: s } }), bp = new Trainer(lib, b, 'bp', opts);
      loadBatch(a, rows, rows);
      loadBatch(b, rows, rows);
      sg.step(rows);
      bp.step(rows);
      // 0 ulps: s·sign(±s) is exactly ±s = W, so chain() runs the same kernels on bit-identical operands.
      a.layers.forEach((l, i) => {
        close(l.dW.data, b.layers[i]!.dW.data, { ulps: 0 }, `dW${i}`);
        close(l.W.data, b.layers[i]!.W.data, { ulps: 0 }, `W${i}`);
      });
      a.dispose();
      b.dispose();
    }
  });
}

test('usf feedback is s·sign(W) of the current W; frsf has fixed random magnitudes; brsf redraws them', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes, batch: 6, seed: 2 });
  const feedbacks = (variant: string) => {
    const tr = new Trainer(lib, net, 'sign', { ...opts, ruleParams: { variant } });
    const st = tr.state as SignState, seen: number[][][] = [];
    for (let k = 0; k < 3; k++) {
      loadBatch(net, k);
      tr.step();
      seen.push(st.F.map((F) => Array.from(F.data)));
    }
    return { st, seen };
  };
  // Magnitudes only here (F was computed from W before the step moved it); signs: the next test.
  for (const variant of ['usf', 'frsf', 'brsf']) {
    const { st, seen } = feedbacks(variant);
    for (let l = 1; l < net.layers.length; l++) {
      const W = net.layers[l]!, F = seen[2]![l]!, half = st.s[l]!;
      const xavier = Math.sqrt(2 / (W.inSize + W.outSize));
      for (const v of F) assert.ok(v !== 0 && Math.abs(v) <= (variant === 'usf' ? xavier : Math.sqrt(3) * xavier) * (1 + 1e-6), `|F| ${v}`);
      if (variant === 'usf') for (const v of F) assert.is(Math.fround(Math.abs(v)), Math.fround(xavier));
      const mags = (k: number) => seen[k]![l]!.map(Math.abs);
      if (variant === 'frsf') assert.equal(mags(0), mags(2), 'frsf magnitudes are fixed');
      if (variant === 'brsf') assert.not.equal(mags(0), mags(2), 'brsf magnitudes are redrawn');
      assert.ok(half > 0);
    }
  }
  net.dispose();
});

test('sign feedback is sign-concordant with the W it was computed from (every variant)', async () => {
  const lib = await backend();
  for (const variant of ['usf', 'frsf', 'brsf']) {
    const net = new Network(lib, { sizes, batch: 6, seed: 5 });
    const tr = new Trainer(lib, net, 'sign', { ...opts, ruleParams: { variant } });
    loadBatch(net, 1);
    net.forward();
    net.computeLoss();
    tr.rule.teach(tr.ctx, tr.state, tr.ruleParams);
    const st = tr.state as SignState;
    for (let l = 1; l < net.layers.length; l++) {
      const W = net.layers[l]!.W.data, F = st.F[l]!.data;
      for (let i = 0; i < W.length; i++) assert.is(Math.sign(F[i]!), Math.sign(W[i]!), `${variant} layer ${l} entry ${i}`);
    }
    net.dispose();
  }
});

test('batch Manhattan: every gradient entry is −1, 0 or +1 with the sign of the plain estimate', async () => {
  const lib = await backend();
  const mk = () => new Network(lib, { sizes, batch: 6, seed: 5 });
  const a = mk(), b = mk();
  const bm = new Trainer(lib, a, 'sign', { ...opts, ruleParams: { manhattan: true } });
  const plain = new Trainer(lib, b, 'sign', opts);
  loadBatch(a, 3);
  loadBatch(b, 3);
  bm.step();
  plain.step();
  a.layers.forEach((l, i) => {
    const g = l.dW.data, p = b.layers[i]!.dW.data;
    for (let j = 0; j < g.length; j++) assert.is(g[j], Math.sign(p[j]!) + 0, `dW${i}[${j}]`);
    const gb = l.db.data, pb = b.layers[i]!.db.data;
    for (let j = 0; j < gb.length; j++) assert.is(gb[j], Math.sign(pb[j]!) + 0, `db${i}[${j}]`);
  });
  a.dispose();
  b.dispose();
});

test('sign: bad parameters are clear errors', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes, batch: 4, seed: 1 });
  assert.throws(() => new Trainer(lib, net, 'sign', { ruleParams: { variant: 'xsf' } }), /sign: parameter variant must be one of usf, frsf, brsf, got "xsf"/);
  assert.throws(() => new Trainer(lib, net, 'sign', { ruleParams: { scale: 0 } }), /sign: parameter scale must be 'auto' or a positive number, got 0/);
  assert.throws(() => new Trainer(lib, net, 'sign', { ruleParams: { manhattan: 'yes' } }), /sign: parameter manhattan must be true or false/);
  net.dispose();
});

test.run();
