// dtp's rate model on spiking networks (rateModel, src/rules/shared/inverses.ts): with 'lif' the decoders
// and the denoising loss use the LIF rate curve of the simulator's neurons (soft-LIF, Hunsberger & Eliasmith
// 2015) in the units of the window's rates; a rate network always uses its activation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { seeded } from '../helpers/fill.js';
import { close, throwsClearly } from '../helpers/close.js';
import { blobs } from '../helpers/synthetic.js';
import { ACT_REF, U, condition } from '../reference/act.js';
import { Network } from '../../src/net/network.js';
import { SpikingNetwork } from '../../src/net/spiking.js';
import { Trainer } from '../../src/train/trainer.js';
import { rules } from '../../src/rules/index.js';
import { ruleForm } from '../../src/rules/form.js';
import { rateOf } from '../../src/rules/shared/inverses.js';
import type { DtpState } from '../../src/rules/dtp.js';

// Neuron constants away from the defaults, so that every one of them has to reach the curve: threshold
// 1.25, reset −0.25, τRC 30 ms, τref 3 ms, gain 2, offset 0.5, rateScale 0.02 (J' = (0.5 + 2a + 0.25)/1.5).
const SIM = { steps: 10, maxRate: 200, gain: 2, offset: 0.5, rateScale: 0.02, neuronParams: { vTh: 1.25, vReset: -0.25, tauMem: 0.03, refractory: 0.003 } };

test('dtp --spiking, rateModel lif: f is rateScale·softlif(J\'), J\' = (offset + gain·a − vReset)/(vTh − vReset), and its derivative', async () => {
  const lib = await backend();
  const form = ruleForm(rules.dtp!, true);
  const net = new SpikingNetwork(lib, { sizes: [3, 8, 8, 8, 2], activation: form.train.activation, init: 'he', batch: 5, seed: 2, spiking: SIM });
  const tr = new Trainer(lib, net, rules.dtp!, {});
  const lif = (tr.state as DtpState).inv.layers[1]!.lif;
  assert.ok(lif, 'the default spiking dtp decoders model the LIF rate curve');
  const l = net.layers[1]!, rows = 5, n = l.outSize;
  // a spans silence, the threshold (a = 0.25: J' = 1) and rates near saturation
  const av = seeded(rows * n, 11, -0.5, 3);
  const a = lib.tensor([rows, n], av), post = lib.tensor([rows, n]), d = lib.tensor([rows, n]);
  rateOf(net, lif, l, post, a, d);
  // f64 twin; p: the softlif kernel's constants as f32
  const r = ACT_REF.softlif!, p = [0.003, 0.03, 0.02].map(Math.fround);
  const shift = 0.75 / 1.5, slope = 2 / 1.5, scale = 0.02;
  const Jof = (x: number) => shift + slope * x;
  const f2 = (J: number) => { const h = 1e-5; return (r.df(J + h, p) - r.df(J - h, p)) / (2 * h); };
  const wantF: number[] = [], wantD: number[] = [], tolF: number[] = [], tolD: number[] = [];
  for (const x of av) {
    const J = Jof(x), F = r.f(J, p), D = r.df(J, p);
    // J' in f32: shift and slope rounded, then slope·a and the sum (axpy): |δJ'| ≤ U·(|shift| + 2|slope·a| + |J'|)
    const dJ = U * (Math.abs(shift) + 2 * Math.abs(slope * x) + Math.abs(J));
    wantF.push(scale * F);
    wantD.push(scale * slope * D);
    // the kernel's budget at J' (tests/reference/act.ts), the slope of f times δJ', and the final scal's rounding
    tolF.push(scale * ((r.relF + 2 * U * condition(r, J, p, false)) * F + Math.abs(D) * dJ) + 2 * U * scale * F + r.abs);
    tolD.push(scale * slope * ((r.relDf + 2 * U * condition(r, J, p, true)) * Math.abs(D) + Math.abs(f2(J)) * dJ) + 3 * U * scale * slope * Math.abs(D) + r.abs);
  }
  close(post.data, wantF, { abs: tolF }, 'post');
  close(d.data, wantD, { abs: tolD }, 'deriv');
  [a, post, d].forEach((t) => t.dispose());
  net.dispose();
});

test('dtp and dtp-inference rateModel: lif on spiking networks by default, the activation with rateModel=activation, and on rate networks', async () => {
  const lib = await backend();
  const lifOf = (id: string, spiking: boolean, ruleParams: Record<string, unknown> = {}) => {
    const net = spiking
      ? new SpikingNetwork(lib, { sizes: [3, 4, 4, 2], batch: 2, seed: 1, spiking: SIM })
      : new Network(lib, { sizes: [3, 4, 4, 2], batch: 2, seed: 1 });
    const tr = new Trainer(lib, net, rules[id]!, { ruleParams });
    const lif = (tr.state as DtpState).inv.layers[1]!.lif;
    net.dispose();
    return lif;
  };
  const on = lifOf('dtp', true)!;
  assert.ok(on, 'dtp --spiking');
  assert.equal([on.scale, on.shift, on.slope], [0.02, 0.75 / 1.5, 2 / 1.5]);
  assert.equal(lifOf('dtp', true, { rateModel: 'activation' }), null);
  assert.ok(lifOf('dtp-inference', true), 'dtp-inference --spiking');
  assert.equal(lifOf('dtp-inference', true, { rateModel: 'activation' }), null);
  assert.equal(lifOf('dtp', false), null);
});

test('dtp on a rate network: rateModel changes nothing (same seed, bit-identical weights)', async () => {
  const lib = await backend();
  const train = blobs(lib, 120, 1, 6, 3);
  const weights = (rateModel: string) => {
    const net = new Network(lib, { sizes: [6, 7, 7, 3], activation: 'tanh', batch: 20, seed: 4 });
    new Trainer(lib, net, rules.dtp!, { ruleParams: { rateModel } }).fit(train, { epochs: 2 });
    const w = net.layers.map((l) => Array.from(l.W.data));
    net.dispose();
    return w;
  };
  assert.equal(weights('lif'), weights('activation'));
  train.dispose();
});

test('dtp rateModel: bad values and neurons without the LIF curve give clear errors', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [4, 5, 5, 3], batch: 2, seed: 1 });
  throwsClearly(() => new Trainer(lib, net, rules.dtp!, { ruleParams: { rateModel: 'relu' } }), /dtp: rateModel must be 'activation' or 'lif', got 'relu'/);
  throwsClearly(() => new Trainer(lib, net, rules['dtp-inference']!, { ruleParams: { rateModel: 'x' } }), /dtp-inference: rateModel must be/);
  net.dispose();
  const sub = new SpikingNetwork(lib, { sizes: [4, 5, 5, 3], batch: 2, seed: 1, spiking: { steps: 5, neuronParams: { reset: 'subtract' } } });
  throwsClearly(() => new Trainer(lib, sub, rules.dtp!, {}), /dtp: rateModel 'lif' .*reset 'subtract'.*--param rateModel=activation/);
  new Trainer(lib, sub, rules.dtp!, { ruleParams: { rateModel: 'activation' } });
  sub.dispose();
});

test.run();
