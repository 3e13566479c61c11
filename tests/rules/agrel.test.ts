// AGREL against its theory (Roelfsema & van Ooyen 2005, Neural Comput. 17:2176): with Boltzmann selection
// π = softmax(Z), reward expectation π_s and the expansive gain f = (1 − π_s)/π_s when rewarded, −1
// otherwise, the expected output teaching signal is Σ_s π_s (−f_s) e_s = π − y: over the action draws
// AGREL's update equals backprop of the softmax cross-entropy. Checked with N draws on one example.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { Network } from '../../src/net/network.js';
import { Rng } from '../../src/core/rng.js';
import { agrel } from '../../src/rules/agrel.js';
import type { StepContext } from '../../src/rules/types.js';
import { bpFromOutputDelta, forward64, type Net64 } from '../reference/tags.js';

const N = 8000, sizes = [5, 7, 3];

// With pure Boltzmann selection (ε = 0, the paper's) the mean update is backprop of softmax cross-entropy;
// with ε of uniform exploration the action is drawn from π_ε = (1 − ε)π + ε/C and the mean update is
// backprop with the output error π_ε − y (the bias the exploration buys its bounded gain with).
for (const epsilon of [0, 0.3]) test(`agrel, ε = ${epsilon}: mean update over many draws = BP with output error π_ε − y (within sampling error)`, async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes, activation: 'sigmoid', init: 'xavier', batch: N, seed: 2 });
  const r = new Rng(9);
  const x = Array.from({ length: sizes[0]! }, () => r.uniform());
  const t = 2, y = [0, 0, 1];
  for (let i = 0; i < N; i++) { net.input.data.set(x, i * 5); net.target.data.set(y, i * 3); }
  // Output weights ×4: π far from uniform, so π_ε differs from π by clearly more than the sampling error.
  const Wo = net.layers[1]!.W.data;
  for (let i = 0; i < Wo.length; i++) Wo[i]! *= 4;
  const p = { ...agrel.defaults, epsilon, feedback: 'transpose' };
  const s = agrel.init(net, p, net.ws, new Rng(7));
  const ctx: StepContext = { net, rows: N, rng: new Rng(11) };
  net.forward(N);
  agrel.teach(ctx, s, p);
  agrel.update(ctx, s, p);
  const n64: Net64 = { sizes, acts: ['sigmoid'], W: net.layers.map((l) => Float64Array.from(l.W.data)), b: net.layers.map((l) => Float64Array.from(l.b.data)) };
  const Z = forward64(n64, x).h[2]!;
  const mx = Math.max(...Z), ex = Array.from(Z, (z) => Math.exp(z - mx)), sum = ex.reduce((u, v) => u + v, 0);
  const pi = ex.map((e) => (1 - epsilon) * (e / sum) + epsilon / 3);
  // Per action: output δ = −f_a e_a; the expectation is BP with δ_L = π − y.
  const g = [0, 1, 2].map((a) => bpFromOutputDelta(n64, x, [0, 1, 2].map((c) => (c !== a ? 0 : a === t ? -(1 - pi[a]!) / pi[a]! : 1))));
  const bp = bpFromOutputDelta(n64, x, pi.map((q, c) => q - y[c]!));
  let checked = 0;
  for (let l = 0; l < 2; l++) {
    const got = net.layers[l]!.dW.data;
    for (let i = 0; i < got.length; i++) {
      const mean = pi.reduce((u, pa, a) => u + pa * g[a]![l]![i]!, 0);
      assert.ok(Math.abs(mean - bp[l]![i]!) <= 1e-12 + 1e-9 * Math.abs(bp[l]![i]!), 'the identity itself (f64)');
      const m2 = pi.reduce((u, pa, a) => u + pa * g[a]![l]![i]! ** 2, 0);
      // 5 standard errors of a mean of N draws, plus f32 rounding of the N-term mean (≤ 4·N·ε·rms/N).
      const tol = 5 * Math.sqrt(Math.max(0, m2 - mean * mean) / N) + 4 * 1.2e-7 * Math.sqrt(m2);
      assert.ok(Math.abs(got[i]! - mean) <= tol, `layer ${l} [${i}]: ${got[i]} vs BP ${mean} ± ${tol}`);
      if (Math.abs(mean) > 1e-4) checked++;
    }
  }
  assert.ok(checked > 20, `only ${checked} clearly non-zero entries`);
  net.dispose();
});

test('agrel: bad parameters throw clear errors', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [3, 4, 2], batch: 2, seed: 1 });
  assert.throws(() => agrel.init(net, { ...agrel.defaults, temperature: 0 }, net.ws, new Rng(1)), /agrel: parameter temperature must be a positive number, got 0/);
  assert.throws(() => agrel.init(net, { ...agrel.defaults, feedback: 'x' }, net.ws, new Rng(1)), /agrel: parameter feedback must be 'own' or 'transpose'/);
  net.dispose();
});

test.run();
