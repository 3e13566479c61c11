// The phase rules' spiking forms (shared/phase-spiking.ts): each lowers the loss on a seeded spiking task and
// is deterministic under a seed; and, as the window grows and the feedback gain shrinks, chl's and eqprop's
// spiking update approaches the rate rule's first-order update computed from the free window's own
// quantities (Xie & Seung's limit for chl, EP's β → 0 limit for eqprop).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { blobs } from '../helpers/synthetic.js';
import { SpikingNetwork } from '../../src/net/spiking.js';
import { Trainer } from '../../src/train/trainer.js';
import { Rng } from '../../src/core/rng.js';
import { rules } from '../../src/rules/index.js';
import type { SpikingPhaseState } from '../../src/rules/shared/phase-spiking.js';
import { cosine, relErr, flat } from './phase-helpers.js';

type Lib = Awaited<ReturnType<typeof backend>>;
const net = (lib: Lib, id: string, sizes: number[], batch: number, steps: number) =>
  new SpikingNetwork(lib, { sizes, batch, seed: 5, init: 'xavier', activation: 'hardSigmoid', spiking: { ...rules[id]!.spiking!.sim, steps } });

for (const [id, lr] of [['chl', 0.01], ['eqprop', 0.01], ['generec', 0.01]] as const) {
  test(`${id} spiking: the loss falls on a seeded spiking task; same seed, same weights`, async () => {
    const lib = await backend();
    const train = blobs(lib, 400, 1);
    const run = () => {
      const n = net(lib, id, [20, 16, 4], 25, 16);
      const tr = new Trainer(lib, n, id, { lr, epochs: 5 });
      const r = tr.fit(train, { epochs: 5 });
      const w = n.layers.map((l) => Array.from(l.W.data));
      n.dispose();
      return { r, w };
    };
    const a = run(), b = run();
    const h = a.r.history;
    assert.ok(h[4]!.trainLoss < 0.7 * h[0]!.trainLoss, `loss ${h[0]!.trainLoss} → ${h[4]!.trainLoss}`);
    assert.equal(a.w, b.w, 'bit-identical weights');
    train.dispose();
  });
}

/**
 * One training step of `id`'s spiking form by hand (no optimiser) on a fixed batch, and the first-order
 * limit it should approach: backprop's gradient through the free window's own rates r⁻ and mean surrogate
 * σ̄' (e = ∂C/∂y at the mean free readout):  dW_1 = eᵀr⁻/B, dW_0 = (σ̄' ⊙ e·W_1)ᵀx/B, biases alike.
 */
async function updateAndLimit(id: 'chl' | 'eqprop', steps: number, gamma: number, beta: number) {
  const lib = await backend();
  const n = net(lib, id, [12, 10, 3], 4, steps);
  const r = new Rng(3);
  n.input.set(Float32Array.from({ length: 4 * 12 }, () => r.nextU32() / 2 ** 32));
  n.target.set(Float32Array.from({ length: 4 * 3 }, (_, i) => (i % 3 === (i / 3 | 0) % 3 ? 1 : 0)));
  n.layers[0]!.b.set(Float32Array.from({ length: 10 }, () => 0.3 + 0.4 * (r.nextU32() / 2 ** 32)));
  const rule = rules[id]!, p = { ...rule.defaults, gamma, ...(id === 'chl' ? { loopGain: Infinity } : { beta }) };
  const s = rule.init(n, p, n.ws, new Rng(4)) as SpikingPhaseState;
  const ctx = { net: n, rows: 4, rng: new Rng(5) };
  rule.forward!(ctx, s, p, true);
  n.computeLoss(4);
  rule.teach(ctx, s, p);
  rule.update(ctx, s, p);
  const g = flat(n);
  const [H, C, F, B] = [10, 3, 12, 4], r0 = s.states[0]![0]!.data, e = s.err.data, sg = s.sigma[0]!.data, W1 = n.layers[1]!.W.data, x = n.input.data;
  const d0 = new Float64Array(B * H); // σ̄' ⊙ e·W_1
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) {
    let v = 0;
    for (let c = 0; c < C; c++) v += e[b * C + c]! * W1[c * H + h]!;
    d0[b * H + h] = sg[b * H + h]! * v;
  }
  const ref: number[] = [];
  for (let h = 0; h < H; h++) for (let i = 0; i < F; i++) { let v = 0; for (let b = 0; b < B; b++) v += d0[b * H + h]! * x[b * F + i]!; ref.push(v / B); }
  for (let h = 0; h < H; h++) { let v = 0; for (let b = 0; b < B; b++) v += d0[b * H + h]!; ref.push(v / B); }
  // the output update's second term t·Δ_0ᵀ (chl: t = ȳ⁻ − e; eqprop: the nudged output ≈ ȳ⁻), Δ_0 = −γ·σ̄' ⊙ e·W_1
  const yb = s.states[0]![1]!.data, q = (b: number, c: number) => yb[b * C + c]! - (id === 'chl' ? e[b * C + c]! : 0);
  for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) {
    let v = 0;
    for (let b = 0; b < B; b++) v += e[b * C + c]! * r0[b * H + h]! + gamma * q(b, c) * d0[b * H + h]!;
    ref.push(v / B);
  }
  for (let c = 0; c < C; c++) { let v = 0; for (let b = 0; b < B; b++) v += e[b * C + c]!; ref.push(v / B); }
  n.dispose();
  const k = H * F + H, R = Float64Array.from(ref); // per layer: [dW_0; db_0], [dW_1; db_1]
  const parts = [[g.subarray(0, k), R.subarray(0, k)], [g.subarray(k), R.subarray(k)]] as const;
  return { cos: Math.min(...parts.map(([a, b]) => cosine(a, b))), err: Math.max(...parts.map(([a, b]) => relErr(a, b))) };
}

// Deviations from the limit: the synaptic lag of the feedback after each window's start (a share
// λs^skip/((1 − λs)(T − skip)) of the counted current, skip = T/4: 2e-3 at T = 24, nil beyond), the change
// of the readout itself (m⁺ − m⁻ = W_1·Δr, O(γ) relative to e), EqProp's O(β) nudge asymmetry, and spike-count
// quantisation: a hidden rate moves by whole spikes per window, 1/(T·dt)·rateScale each, which with 40
// hidden units is the floor the last setting sits on (EqProp's higher: its ±β phases each add a readout change).
// The test asserts the approach (every refinement lowers the error) and a final bound of about twice that
// floor on this net (docs/measurements.md).
for (const [id, cosMin, errMax] of [['chl', 0.999, 0.07], ['eqprop', 0.995, 0.15]] as const) {
  test(`${id} spiking: as the window grows and the feedback shrinks, the update approaches the rate rule's first-order limit`, async () => {
    const rows = [];
    for (const [steps, gamma, beta] of [[24, 0.3, 0.5], [96, 0.1, 0.2], [384, 0.03, 0.05]] as const) rows.push({ steps, gamma, beta, ...(await updateAndLimit(id, steps, gamma, beta)) });
    const msg = rows.map((r) => `T=${r.steps} γ=${r.gamma} β=${r.beta}: worst layer cos ${r.cos.toFixed(5)} err ${r.err.toFixed(4)}`).join(' | ');
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i]!.err < rows[i - 1]!.err, `the error falls at every refinement: ${msg}`);
    assert.ok(rows[2]!.cos > cosMin && rows[2]!.err < errMax, `final cos > ${cosMin}, err < ${errMax}: ${msg}`);
  });
}

test.run();
