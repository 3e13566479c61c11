// CHL with Xie & Seung's feedback gain against their equivalence: in a layered net with weak feedback
// γ·Wᵀ, the γ^{l−top}-rescaled CHL update tends to backprop's gradient as γ → 0.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { chl } from '../../src/rules/chl.js';
import { bp } from '../../src/rules/bp.js';
import { Network } from '../../src/net/network.js';
import { tinyNet, ruleGrad, cosine, layerSlices, relErr } from './phase-helpers.js';

// loopGain Infinity: γ exactly as given (the bound would lower it on these weights).
const TIGHT = { eps: 1, maxIter: 3000, tol: 5e-7, loopGain: Infinity };

for (const loss of ['xent', 'mse'] as const) {
  test(`chl (${loss}): the update approaches backprop's direction as γ shrinks, in every layer`, async () => {
    const lib = await backend();
    const net = tinyNet(lib, [8, 7, 6, 3], 2, 0.5, loss);
    const g = ruleGrad(bp, net, {}).g; // backprop at the feedforward pass (the γ → 0 net)
    const cos: number[][] = [];
    for (const gamma of [0.5, 0.1, 0.02]) {
      const c = ruleGrad(chl, net, { ...TIGHT, gamma }).g;
      const a = layerSlices(net, c), b = layerSlices(net, g);
      cos.push([cosine(c, g), ...a.map((x, i) => cosine(x, b[i]!))]);
    }
    const msg = cos.map((c) => c.map((v) => v.toFixed(5)).join(' ')).join(' | ');
    // Xie & Seung: the deviation from backprop is O(γ) (feedback shifts the free state; second-order
    // terms of the clamp), so shrinking γ 25× must bring every layer's cosine up, to > 0.99 at γ = 0.02.
    for (let j = 0; j < cos[0]!.length; j++) {
      assert.ok(cos[2]![j]! > 0.99, `γ = 0.02: cosine > 0.99 (overall, then per layer): ${msg}`);
      assert.ok(cos[2]![j]! >= cos[0]![j]! - 1e-6, `improves as γ shrinks: ${msg}`);
    }
    assert.ok(cos[0]![0]! < cos[2]![0]!, `γ = 0.5 is visibly further from backprop: ${msg}`);
    net.dispose();
  });
}

test('chl: γ = 1 is Movellan\'s CHL (no rescaling): dW = −mean(s⁺s⁺ᵀ − s⁻s⁻ᵀ) from the snapshots', async () => {
  // Direct check of the update formula against the phase snapshots (float64 sums of float32 products):
  // the kernel form Δᵀs⁻ + s⁺ᵀΔ differs from the product difference only by float32 rounding,
  // bounded by (rows + 4)·u·Σ(|s⁺||s⁺| + |s⁻||s⁻|)/rows per entry.
  const lib = await backend();
  const net = tinyNet(lib, [5, 6, 4], 8, 0.5);
  const p = { ...TIGHT, gamma: 1 };
  const { state } = ruleGrad(chl, net, p);
  const st = (state as { settler: { slot(n: string): { data: Float32Array }[] } }).settler;
  const plus = st.slot('clamped').map((t) => t.data), minus = st.slot('free').map((t) => t.data);
  const rows = 4, u = 2 ** -24;
  net.layers.forEach((L, l) => {
    const xp = l === 0 ? net.input.data : plus[l - 1]!, xm = l === 0 ? net.input.data : minus[l - 1]!;
    const want = new Float64Array(L.W.size), bound = new Float64Array(L.W.size);
    for (let i = 0; i < L.outSize; i++) for (let j = 0; j < L.inSize; j++) {
      let v = 0, m = 0;
      for (let r = 0; r < rows; r++) {
        const a = plus[l]![r * L.outSize + i]! * xp[r * L.inSize + j]!, b = minus[l]![r * L.outSize + i]! * xm[r * L.inSize + j]!;
        v += a - b; m += Math.abs(a) + Math.abs(b);
      }
      want[i * L.inSize + j] = -v / rows;
      bound[i * L.inSize + j] = (rows + 4) * u * m / rows + 1e-30;
    }
    const got = L.dW.data;
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= bound[i]!, `layer ${l} dW[${i}] ${got[i]} vs ${want[i]}`);
  });
  net.dispose();
});

test('chl: bad parameters throw clearly', async () => {
  const lib = await backend();
  const net = tinyNet(lib, [5, 6, 4], 8, 0.5);
  assert.throws(() => ruleGrad(chl, net, { gamma: 0 }), /chl: gamma must be a positive finite number, got 0/);
  assert.throws(() => ruleGrad(chl, net, { maxIter: 0 }), /chl: maxIter must be an integer >= 1, got 0/);
  net.dispose();
});

test('chl: loopGain lowers γ to keep γ·max_l ‖W_l‖_F² = loopGain when it would exceed it, and leaves it otherwise', async () => {
  // Output weights grown 6×: γ·‖W_top‖² > 1 at γ = 0.5. (On MNIST the free phase then stops at maxIter on
  // every batch; bench/rules/chl-settle.js measures it. On this tiny net the hard sigmoid saturates and the
  // fixed-γ phase settles in a corner, so only the bound itself is checked here.)
  const lib = await backend();
  const net = tinyNet(lib, [8, 7, 6, 3], 2, 0.5);
  const W = net.layers[2]!.W;
  W.set(W.data.map((v) => 6 * v));
  let m = 0;
  for (const L of net.layers.slice(1)) m = Math.max(m, L.W.data.reduce((a, v) => a + v * v, 0));
  const sweeps = (loopGain: number) => {
    const { state } = ruleGrad(chl, net, { gamma: 0.5, loopGain, maxIter: 200, tol: 1e-5 });
    const s = state as { opts: { gamma: number }; settler: { stats(): Record<string, { meanSweeps: number }> } };
    return { gamma: s.opts.gamma, sweeps: s.settler.stats().free!.meanSweeps };
  };
  const fixed = sweeps(Infinity), bounded = sweeps(0.5);
  assert.is(fixed.gamma, 0.5);
  assert.ok(Math.abs(bounded.gamma * m - 0.5) < 1e-6 * 0.5, `γ·max‖W‖_F² = ${bounded.gamma * m}`);
  assert.ok(bounded.sweeps < 200, `bounded: ${bounded.sweeps} sweeps`);
  assert.is(sweeps(2 * 0.5 * m).gamma, 0.5, 'a loopGain above γ·max‖W‖_F² leaves γ alone');
  net.dispose();
});

test('chl: hold and difference make the update insensitive to a free phase cut short (the drift cancels instead of being amplified by γ^{l−top})', async () => {
  const lib = await backend();
  const net = tinyNet(lib, [8, 7, 6, 3], 2, 0.5);
  const base = { gamma: 0.05, loopGain: Infinity };
  const exact = ruleGrad(chl, net, { ...base, ...TIGHT }).g;
  const cut = (form: string) => cosine(ruleGrad(chl, net, { ...base, form, maxIter: 2, tol: 0 }).g, exact);
  const withHold = cut('hold'), diff = cut('difference'), without = cut('plain');
  // two sweeps leave a drift of the order of the feedback term (γ·|W|·|s|), which γ^{l−top} = 100 amplifies
  // in the first layer: without hold it dominates; with hold what remains is the dependence of the
  // linear response on the (unconverged) free state, second order in the drift; the difference form
  // linearises about the same unconverged state (its Δ relaxation sees no drift at all).
  assert.ok(withHold > 0.99 && diff > 0.99 && without < 0.9, `cosine with the converged update: hold ${withHold}, difference ${diff}, plain ${without}`);
  net.dispose();
});

test('chl at three hidden layers: the update stays backprop\'s to O(γ) in every layer as γ shrinks, where s⁺ − s⁻ of two settled float32 states vanishes', async () => {
  // Xie & Seung (2003, Neural Comput. 15:441, sec. 3): the γ^{l−top}-scaled CHL update equals backprop's
  // gradient up to terms of first order in γ, in every layer. Layer l's phase difference is
  // ≈ γ^{top−l}·δ_l; at three hidden layers and γ = 5e-4 that is ~1e-10·δ_0, far below the rounding unit
  // (~3e-8) of the states it would be the difference of. The first-order constant K_l = relErr_l(γ)/γ is
  // read at γ = 0.01 (where that floor is ~1e-5 of the signal); at γ = 2e-3 and 5e-4 the linear law
  // must hold, relErr_l <= 2·K_l·γ (the 2: second-order terms, O(γ) relative to K_l). A float32 floor
  // instead gives relErr ~ 1 in layer 0 (shown below for 'hold' as the proof this setting exercises it).
  const lib = await backend();
  const net = tinyNet(lib, [8, 7, 7, 7, 3], 2, 0.5);
  const b = layerSlices(net, ruleGrad(bp, net, {}).g);
  const errs = (gamma: number, form = 'difference') => layerSlices(net, ruleGrad(chl, net, { ...TIGHT, gamma, form }).g).map((x, l) => relErr(x, b[l]!));
  const K = errs(0.01).map((e) => e / 0.01);
  for (const gamma of [2e-3, 5e-4]) {
    const e = errs(gamma), msg = `γ = ${gamma}: relErr ${e.map((v) => v.toExponential(2)).join(' ')}, K ${K.map((v) => v.toFixed(2)).join(' ')}`;
    e.forEach((v, l) => assert.ok(v <= 2 * K[l]! * gamma, `layer ${l}: ${msg}`));
  }
  const held = errs(5e-4, 'hold');
  assert.ok(held[0]! > 0.5, `the held difference of two settled states loses layer 0 at γ = 5e-4: relErr ${held[0]}`);
  net.dispose();
});

test('chl: with a smooth activation the difference form (f(a⁻ + Δa) − f(a⁻)) settles to the plain form\'s fixed point', async () => {
  // At γ = 0.05 on one hidden layer the hidden phase difference is ~1e-3, far above the states' rounding
  // (~3e-8), so both forms must give the same update up to the settling tolerance: tol 5e-7 on differences
  // of ~1e-3 is a relative 5e-4, hence 1e-3.
  const lib = await backend();
  const net = new Network(lib, { sizes: [8, 7, 3], activation: 'sigmoid', init: 'uniform', initScale: 0.5, batch: 4, seed: 3 });
  net.input.set(Float32Array.from({ length: 32 }, (_, i) => (i * 7 % 11) / 11));
  net.target.set(Float32Array.from({ length: 12 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0))); // row r: class r mod 3
  const g = (form: string) => ruleGrad(chl, net, { ...TIGHT, gamma: 0.05, form }).g;
  const e = relErr(g('difference'), g('plain'));
  assert.ok(e < 1e-3, `relative difference of the two forms' updates: ${e}`);
  net.dispose();
});

test('chl: form must be one of difference, hold, plain', async () => {
  const lib = await backend();
  const net = tinyNet(lib, [5, 6, 4], 8, 0.5);
  assert.throws(() => ruleGrad(chl, net, { form: 'held' }), /chl: form must be one of difference, hold, plain, got held/);
  net.dispose();
});

test.run();
