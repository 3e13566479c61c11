// dtp-inference against its theory: the relaxation's fixed point is the difference target, and for a
// short window the weight change is dtp's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { seeded } from '../helpers/fill.js';
import { relErr } from '../helpers/linalg.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';
import { rules } from '../../src/rules/index.js';
import { relaxTeach, type DtpInferenceState, type DtpInferenceParams } from '../../src/rules/dtp-inference.js';
import { dtpTeach } from '../../src/rules/dtp.js';

const B = 6;

async function setup(params: Partial<DtpInferenceParams>) {
  const lib = await backend();
  const net = new Network(lib, { sizes: [5, 7, 7, 7, 3], activation: 'tanh', init: 'xavier', batch: B, seed: 2 });
  const tr = new Trainer(lib, net, rules['dtp-inference']!, { ruleParams: params });
  net.input.set(seeded(B * 5, 3));
  net.target.set(Float32Array.from({ length: B * 3 }, (_, i) => (i % 4 === 0 ? 1 : 0)));
  net.forward(B);
  net.computeLoss(B);
  return { net, tr, s: tr.state as DtpInferenceState, p: tr.ruleParams as unknown as DtpInferenceParams };
}

test('dtp-inference: the relaxed states converge to the difference targets', async () => {
  const { net, tr, s, p } = await setup({ steps: 400, rate: 0.2, targetStep: 0.1 });
  relaxTeach(tr.ctx, s, p);
  const relaxed = s.r.map((r) => r.toArray());
  dtpTeach(tr.ctx, s, p); // difference targets from the same decoders, computed directly
  for (let i = 0; i < relaxed.length; i++) {
    const h = net.layers[i]!.post.toArray(), t = s.targets[i]!.toArray();
    const disp = Float64Array.from(t, (v, j) => v - h[j]!), got = Float64Array.from(relaxed[i]!, (v, j) => v - h[j]!);
    // geometric convergence (factor ≤ 1 − ε f' per step, 400 steps); what is left is f32 rounding
    assert.ok(relErr(got, disp) < 1e-3, `layer ${i}: ${relErr(got, disp)}`);
  }
  net.dispose();
});

test('dtp-inference: for a short window (εT → 0) the weight change is dtp\'s', async () => {
  const { net, tr, s, p } = await setup({ steps: 1, rate: 1e-3, targetStep: 0.1 });
  relaxTeach(tr.ctx, s, p);
  const H = net.layers.length - 1, top = net.layers[H - 1]!;
  const got = top.delta.toArray();
  dtpTeach(tr.ctx, s, p);
  // one step: r − h = f(a + ε(ĥ − h)) − f(a) = ε f'(a)(ĥ − h) + O(ε²); δ = −(r − h)/ε. The f32 difference
  // of two rates near 1 loses ~6e-8/(ε·|ĥ − h|) relative: about 1e-3 here, so allow 1e-2.
  assert.ok(relErr(got, top.delta.toArray()) < 1e-2, `${relErr(got, top.delta.toArray())}`);
  net.dispose();
});

test.run();
