// The spiking forms of the target and two-site rules (dtp, dtp-inference, gaitprop, twosite): each lowers
// the loss of a small seeded spiking task with its defaults and is deterministic under a seed (resuming is
// checked for every registered form in tests/train/resume.test.ts); gaitprop's spiking targets are the
// first-order ones its rate form reduces to.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { blobs } from '../helpers/synthetic.js';
import { relErr } from '../helpers/linalg.js';
import { SpikingNetwork } from '../../src/net/spiking.js';
import { Trainer } from '../../src/train/trainer.js';
import { ruleForm } from '../../src/rules/form.js';
import { rules } from '../../src/rules/index.js';
import type { GaitState } from '../../src/rules/gaitprop.js';

// 20-step windows (the readout from step 5): short enough for a test, long enough for hidden spikes.
const small = (lib: Awaited<ReturnType<typeof backend>>, id: string) => {
  const form = ruleForm(rules[id]!, true);
  return new SpikingNetwork(lib, {
    sizes: [20, 24, 24, 4], activation: form.train.activation, init: form.train.init, batch: 30, seed: 5,
    spiking: { ...form.sim, steps: 20, readoutStart: 5 },
  });
};

for (const id of ['dtp', 'dtp-inference', 'gaitprop', 'twosite']) {
  test(`${id} --spiking: with its defaults the loss falls on a seeded spiking task; same seed, same weights`, async () => {
    const lib = await backend();
    const train = blobs(lib, 600, 1);
    const run = () => {
      const net = small(lib, id);
      const form = ruleForm(rules[id]!, true);
      const tr = new Trainer(lib, net, id, { ...form.train, epochs: 12 });
      const r = tr.fit(train, { epochs: 12 });
      const w = net.layers.map((l) => Array.from(l.W.data));
      net.dispose();
      return { r, w };
    };
    const a = run(), b = run();
    const h = a.r.history;
    assert.ok(h[11]!.trainLoss < 0.8 * h[0]!.trainLoss, `loss ${h[0]!.trainLoss} → ${h[11]!.trainLoss}`);
    assert.equal(a.w, b.w, 'bit-identical weights');
    train.dispose();
  });
}

test('gaitprop --spiking: targets are the first-order GAIT-prop ones, Δ_{l−1} = W_l⁺ (γ f′_l ⊙ Δ_l), δ = −Δ ⊙ f′ / γ^k', async () => {
  // With orthonormal rows (orthoInit, gain 1) W⁺ = Wᵀ exactly, so the hidden deltas follow from the output's
  // through Wᵀ and the mean surrogates alone: backprop's chain with f′ = the surrogate.
  const lib = await backend();
  const net = new SpikingNetwork(lib, {
    sizes: [6, 5, 4, 3], activation: 'leakyRelu', init: 'he', batch: 4, seed: 3, spiking: { steps: 30, maxRate: 200 },
  });
  const tr = new Trainer(lib, net, 'gaitprop', { ruleParams: { orthoGain: 1 } });
  const s = tr.state as GaitState;
  assert.ok(s.spiking);
  net.input.set(Float32Array.from({ length: 24 }, (_, i) => ((i * 7) % 10) / 10));
  net.target.set(Float32Array.from({ length: 12 }, (_, i) => (i % 3 === i % 4 % 3 ? 1 : 0)));
  net.forward(4);
  net.computeLoss(4);
  rules.gaitprop!.teach(tr.ctx, s, tr.ruleParams as never);
  const L = net.layers;
  // float64 chain: δ_2 = e; δ_l = (δ_{l+1} W_{l+1}) ⊙ f′_l
  let up = Float64Array.from(net.error.data);
  for (let l = L.length - 2; l >= 0; l--) {
    const W = L[l + 1]!.W.data, d = L[l]!.deriv.data, n = L[l]!.outSize, m = L[l + 1]!.outSize;
    const want = new Float64Array(4 * n);
    for (let r = 0; r < 4; r++) for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < m; k++) acc += up[r * m + k]! * W[k * n + j]!;
      want[r * n + j] = acc * d[r * n + j]!;
    }
    // the solve's warm start is exact for orthonormal rows up to the f32 rounding of the row norms (~1e-7)
    // and the products; γ^k scalings are exact powers only in f64, so allow 1e-4 relative
    assert.ok(relErr(L[l]!.delta.toArray(), want) < 1e-4, `layer ${l}: ${relErr(L[l]!.delta.toArray(), want)}`);
    up = want;
  }
  net.dispose();
});

test.run();
