// Q-AGREL against its theory (Pozzi, Bohté & Roelfsema 2018, arXiv:1811.01768): for a fixed action a its
// update is backprop of ½(r_a − Q_a)² restricted to unit a, so over the ε-greedy selection
//   E[ΔW] = Σ_a π_a · BP(δ_L = −(r_a − Q_a) e_a),   π_a = (1 − ε)[a = argmax Q] + ε softmax(Q)_a.
// Checked with N independent draws on one example (N identical rows of one batch: dW is their mean).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { Network } from '../../src/net/network.js';
import { Rng } from '../../src/core/rng.js';
import { qagrel } from '../../src/rules/qagrel.js';
import type { StepContext } from '../../src/rules/types.js';
import { bpFromOutputDelta, forward64, type Net64 } from '../reference/tags.js';

const N = 4000, sizes = [5, 8, 6, 3];

async function setup(feedback: string, epsilon: number, target: number[]) {
  const lib = await backend();
  const net = new Network(lib, { sizes, activation: 'relu', init: 'xavier', batch: N, seed: 1 }); // seed 1: 7 of 8 and 3 of 6 hidden ReLUs active on x
  const r = new Rng(9);
  const x = Array.from({ length: sizes[0]! }, () => r.uniform());
  const xd = net.input.data, td = net.target.data;
  for (let i = 0; i < N; i++) { xd.set(x, i * sizes[0]!); td.set(target, i * 3); }
  for (const l of net.layers) l.b.data.set(Array.from({ length: l.outSize }, () => 0.05 + 0.2 * r.uniform())); // positive: ReLUs active
  const p = { ...qagrel.defaults, epsilon, feedback };
  const s = qagrel.init(net, p, net.ws, new Rng(7));
  const ctx: StepContext = { net, rows: N, rng: new Rng(11) };
  return { lib, net, x, p, s, ctx };
}

const net64 = (net: Network): Net64 => ({
  sizes, acts: ['relu', 'relu'], W: net.layers.map((l) => Float64Array.from(l.W.data)), b: net.layers.map((l) => Float64Array.from(l.b.data)),
});

test('qagrel: mean update over many action draws = E_π[BP on the selected output error] (within sampling error)', async () => {
  const eps = 0.5, t = 1;
  const { net, x, p, s, ctx } = await setup('transpose', eps, [0, 1, 0]);
  net.forward(N);
  qagrel.teach(ctx, s, p);
  qagrel.update(ctx, s, p);
  const n64 = net64(net);
  const Q = forward64(n64, x).h[3]!;
  let am = 0;
  for (let c = 1; c < 3; c++) if (Q[c]! > Q[am]!) am = c;
  const mx = Math.max(...Q), ex = Array.from(Q, (q) => Math.exp(q - mx)), z = ex.reduce((u, v) => u + v, 0);
  const pi = ex.map((e, a) => (1 - eps) * (a === am ? 1 : 0) + (eps * e) / z);
  const g = [0, 1, 2].map((a) => bpFromOutputDelta(n64, x, [0, 1, 2].map((c) => (c === a ? -((a === t ? 1 : 0) - Q[a]!) : 0))));
  let checked = 0, worst = 0;
  for (let l = 0; l < 3; l++) {
    const got = net.layers[l]!.dW.data;
    for (let i = 0; i < got.length; i++) {
      const mean = pi.reduce((u, pa, a) => u + pa * g[a]![l]![i]!, 0);
      const m2 = pi.reduce((u, pa, a) => u + pa * g[a]![l]![i]! ** 2, 0);
      const sd = Math.sqrt(Math.max(0, m2 - mean * mean) / N);
      // 5 standard errors of a mean of N draws (two-sided p ≈ 6e-7 per element, ~80 elements), plus
      // f32 rounding of a mean of N terms: N·ε·max|g| bounds the accumulated error of the sum.
      const tol = 5 * sd + N * 1.2e-7 * Math.sqrt(m2) / N * 4;
      worst = Math.max(worst, Math.abs(got[i]! - mean) / (tol || 1));
      assert.ok(Math.abs(got[i]! - mean) <= tol, `layer ${l} [${i}]: ${got[i]} vs expected ${mean} ± ${tol}`);
      if (mean !== 0) checked++;
    }
  }
  assert.ok(checked > 40, `only ${checked} non-zero expected entries`);
  // The selected actions follow π (the draws are what the expectation is over).
  const counts = [0, 0, 0];
  for (let i = 0; i < N; i++) counts[s.action[i]!]!++;
  for (let a = 0; a < 3; a++) assert.ok(Math.abs(counts[a]! / N - pi[a]!) <= 5 * Math.sqrt(pi[a]! * (1 - pi[a]!) / N), `action ${a}: ${counts[a]! / N} vs π ${pi[a]}`);
  net.dispose();
});

test('qagrel: with ε = 0 and one action, the update is exactly BP on ½(r − Q_a)² (f32 tolerance)', async () => {
  const { net, x, p, s, ctx } = await setup('transpose', 0, [1, 0, 0]);
  net.forward(N);
  qagrel.teach(ctx, s, p);
  qagrel.update(ctx, s, p);
  const n64 = net64(net);
  const Q = forward64(n64, x).h[3]!;
  const a = s.action[0]!;
  const g = bpFromOutputDelta(n64, x, [0, 1, 2].map((c) => (c === a ? -((a === 0 ? 1 : 0) - Q[a]!) : 0)));
  for (let l = 0; l < 3; l++) {
    const got = net.layers[l]!.dW.data;
    // f32 forward and tag sweep of depth ≤ 3 with fan-in ≤ 6, then a mean of N equal terms:
    // relative error ≲ (3·6 + N)·ε ≈ 5e-4; checked against the largest |g| of the layer.
    const scale = Math.max(...Array.from(g[l]!, Math.abs));
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - g[l]![i]!) <= 5e-4 * scale + 1e-7, `layer ${l} [${i}]: ${got[i]} vs ${g[l]![i]}`);
  }
  net.dispose();
});

test('qagrel: own feedback weights set to W give the transposed-weights update bit for bit; default differs', async () => {
  const run = async (fb: string, copy: boolean) => {
    const { net, p, s, ctx } = await setup(fb, 0.3, [0, 0, 1]);
    if (copy) for (let l = 1; l < 3; l++) s.B![l]!.data.set(net.layers[l]!.W.data);
    net.forward(N);
    qagrel.teach(ctx, s, p);
    qagrel.update(ctx, s, p);
    const out = net.layers.map((l) => Array.from(l.dW.data));
    net.dispose();
    return out;
  };
  const tr = await run('transpose', false), own = await run('own', true), rand = await run('own', false);
  assert.equal(own, tr);
  assert.not.equal(rand[0], tr[0]);
  assert.equal(rand[2], tr[2], 'the output layer does not depend on feedback');
});

test('qagrel: the label reaches the network only as the reward of the chosen action', async () => {
  // A target row whose wrong classes hold arbitrary values below 0.5 pays the same rewards.
  const run = async (target: number[]) => {
    const { net, p, s, ctx } = await setup('own', 0.5, target);
    net.forward(N);
    qagrel.teach(ctx, s, p);
    const d = net.layers.map((l) => Array.from(l.delta.data));
    net.dispose();
    return d;
  };
  assert.equal(await run([0.3, 1, 0.1]), await run([0, 1, 0]));
});

test('qagrel: bad parameters throw clear errors', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [3, 4, 2], batch: 2, seed: 1 });
  assert.throws(() => qagrel.init(net, { ...qagrel.defaults, feedback: 'mirror' }, net.ws, new Rng(1)), /qagrel: parameter feedback must be 'own' or 'transpose', got 'mirror'/);
  assert.throws(() => qagrel.init(net, { ...qagrel.defaults, epsilon: 2 }, net.ws, new Rng(1)), /qagrel: parameter epsilon must be in \[0, 1\], got 2/);
  assert.throws(() => qagrel.init(net, { ...qagrel.defaults, outputInit: -1 }, net.ws, new Rng(1)), /qagrel: parameter outputInit must be a finite number >= 0, got -1/);
  assert.throws(() => qagrel.init(net, { ...qagrel.defaults, feedbackInit: NaN }, net.ws, new Rng(1)), /qagrel: parameter feedbackInit must be a finite number >= 0, got NaN/);
  net.dispose();
});

test.run();
