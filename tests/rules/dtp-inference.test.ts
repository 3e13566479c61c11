// dtp-inference against its theory: the relaxation's fixed point is the difference target, and for a
// short window the weight change is dtp's. Its spiking form: the STDP-compatible update (presynaptic spikes
// times postsynaptic rate change, Bengio et al. 2015) sums to presynaptic rate × postsynaptic rate change on
// controlled spike trains, and inside the rule its spike-driven weight change has the rate update as its mean.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { seeded } from '../helpers/fill.js';
import { relErr } from '../helpers/linalg.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';
import { rules } from '../../src/rules/index.js';
import { relaxTeach, spikingRelaxTeach, stdpStep, type DtpInferenceState, type DtpInferenceParams } from '../../src/rules/dtp-inference.js';
import { SpikingNetwork } from '../../src/net/spiking.js';
import { mulberry32 } from '../helpers/fill.js';
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

test('dtp-inference spiking: on a regular presynaptic train and a linear postsynaptic ramp, the STDP update is ν × (r(T) − r(0)) exactly', async () => {
  const lib = await backend();
  // 2 presynaptic neurons with periods 4 and 5 steps (amplitude A: rate ν = A/P in rate units), 3 postsynaptic
  // rates ramping by k_i per step over T = 20 steps (a multiple of both periods).
  const T = 20, P = [4, 5], A = [8, 10], k = [0.01, -0.03, 0.002];
  const dW = lib.heap.f32([3, 2]), dr = lib.heap.f32([1, 3]), x = lib.heap.f32([1, 2]);
  lib.fill(dW, 0);
  dr.set(k);
  for (let t = 0; t < T; t++) {
    x.set(P.map((per, j) => (t % per === per - 1 ? A[j]! : 0)));
    stdpStep(lib, dW, dr, x, 1);
  }
  const got = dW.toArray();
  for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) {
    const want = (A[j]! / P[j]!) * k[i]! * T;
    // a sum of T/P equal f32 terms: at most T/P roundings of ε32/2 relative
    assert.ok(Math.abs(got[i * 2 + j]! - want) <= (T / P[j]!) * 6e-8 * Math.abs(want), `W[${i}][${j}] ${got[i * 2 + j]} vs ${want}`);
  }
  dW.dispose(); dr.dispose(); x.dispose();
});

test('dtp-inference spiking: on Poisson presynaptic trains and a relaxing postsynaptic rate, the STDP update averages to ν × (r(T) − r(0))', async () => {
  const lib = await backend();
  // N independent trials (rows): presynaptic Bernoulli spikes with probability p per step, amplitude ν/p; the
  // postsynaptic rate relaxes geometrically r(t) = r∞ + (r0 − r∞)(1 − ε)^t. The mean over trials of
  // Σ_t x(t)Δr(t) is ν (r(T) − r(0)); its variance is Σ_t Δr(t)² ν²(1 − p)/p / N.
  const N = 4000, T = 30, eps = 0.15, r0 = 0.4, rInf = 1.3, nu = 0.8, p = 0.12;
  const dW = lib.heap.f32([1, 1]), dr = lib.heap.f32([N, 1]), x = lib.heap.f32([N, 1]);
  lib.fill(dW, 0);
  const u = mulberry32(9), xs = new Float32Array(N);
  let r = r0, varSum = 0;
  for (let t = 0; t < T; t++) {
    const next = rInf + (r0 - rInf) * (1 - eps) ** (t + 1), d = next - r;
    r = next;
    varSum += d * d;
    lib.fill(dr, d);
    for (let n = 0; n < N; n++) xs[n] = u() < p ? nu / p : 0;
    x.set(xs);
    stdpStep(lib, dW, dr, x, 1 / N);
  }
  const want = nu * (r - r0), sigma = Math.sqrt(varSum * nu * nu * (1 - p) / p / N);
  const got = dW.data[0]!;
  assert.ok(Math.abs(got - want) < 5 * sigma, `${got} vs ${want} (σ ${sigma})`);
  // and the estimate is informative: its spread is well below the signal
  assert.ok(5 * sigma < 0.2 * Math.abs(want), `σ ${sigma} vs ${want}`);
  dW.dispose(); dr.dispose(); x.dispose();
});

test('dtp-inference spiking: the rule\'s spike-driven weight change has the rate update δᵀ·pre/rows as its mean (within 5σ of the Bernoulli spikes)', async () => {
  const lib = await backend();
  const B = 6, K = 20000, T = 3;
  const net = new SpikingNetwork(lib, { sizes: [5, 7, 7, 7, 3], activation: 'relu', init: 'he', batch: B, seed: 2, spiking: { steps: 40, maxRate: 200 } });
  const tr = new Trainer(lib, net, rules['dtp-inference']!, {});
  const s = tr.state as DtpInferenceState, p = tr.ruleParams as unknown as DtpInferenceParams;
  assert.ok(s.stdp, 'a SpikingNetwork gets the STDP form');
  net.input.set(seeded(B * 5, 3).map(Math.abs));
  net.target.set(Float32Array.from({ length: B * 3 }, (_, i) => (i % 4 === 0 ? 1 : 0)));
  net.forward(B);
  net.computeLoss(B);
  const H = net.layers.length - 1;
  // The relaxation does not depend on the spikes: windows of 1..T steps give r(t) − r(0) = −εt·δ⁽ᵗ⁾, hence
  // each step's Δr(t), which sets the variance of the spike-driven sum.
  const moved: Float64Array[][] = [];
  for (let t = 1; t <= T; t++) {
    spikingRelaxTeach(tr.ctx, s, { ...p, steps: t, spikeSteps: t === T ? K : 1 });
    moved.push(net.layers.slice(0, H).map((L) => Float64Array.from(L.delta.data, (v) => -p.rate * t * v)));
  }
  let checked = 0;
  for (let l = 0; l < H; l++) {
    const L = net.layers[l]!, n = L.outSize, m = L.inSize, q = s.stdp.q[l]!;
    const d = L.delta.toArray(), pre = L.pre.toArray(), got = L.dW.toArray();
    const dr2 = new Float64Array(B * n); // Σ_t Δr(t)²
    for (let t = 0; t < T; t++) moved[t]![l]!.forEach((v, k) => { const x = v - (t > 0 ? moved[t - 1]![l]![k]! : 0); dr2[k]! += x * x; });
    const c = 1 / (p.rate * T * B);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
      // E[dW] = −c Σ_t Δr(t)ᵀ·pre = δᵀ·pre / rows;  x = count/(qK), count ~ Binomial(K, q·pre) per step
      let want = 0, v = 0;
      for (let r = 0; r < B; r++) {
        const a = pre[r * m + j]!;
        want += d[r * n + i]! * a / B;
        v += c * c * dr2[r * n + i]! * a * (1 - q * a) / (q * K);
      }
      // f32: x sums K terms (relative rounding ≲ K·ε32 in the worst case) and δ is read back from r(T) − r(0)
      const tol = 5 * Math.sqrt(v) + (K * 6e-8 + 1e-4) * Math.abs(want) + 1e-9;
      assert.ok(Math.abs(got[i * m + j]! - want) <= tol, `layer ${l} W[${i}][${j}]: ${got[i * m + j]} vs ${want} (tol ${tol})`);
      if (Math.abs(want) > tol) checked++;
    }
  }
  assert.ok(checked > 50, `${checked} weight changes larger than their tolerance (a zero update would fail there)`);
  net.dispose();
});

test.run();
