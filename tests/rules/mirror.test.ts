// Weight mirroring against its theory (Akrout et al. 2019, §4): without mirror phases it is fa exactly;
// a mirror step's expectation is σ²·W (so B → (ησ²/λ)·W), and the angle the noise leaves between B and W
// follows from the number of noise samples; on a small task B stays aligned with W while W learns, and the
// updates come close to backprop's where fa's do not. Dense and convolutional layers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { loadBatch } from '../helpers/batch.js';
import { blobs } from '../helpers/synthetic.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';
import { mirrorStep, mirrorAngles, type MirrorState } from '../../src/rules/mirror.js';

const opts = { optimizer: 'sgd' as const, lr: 0.05, momentum: 0.9, weightDecay: 0, schedule: 'constant' as const, epochs: 1 };

/** tan² of the angle between B and W, and B's component along W in units of W (<B, W> / ‖W‖²), in float64. */
function tan2AndScale(B: Float32Array, W: Float32Array): { tan2: number; scale: number } {
  let bw = 0, bb = 0, ww = 0;
  for (let i = 0; i < B.length; i++) { bw += B[i]! * W[i]!; bb += B[i]! * B[i]!; ww += W[i]! * W[i]!; }
  return { tan2: (bb * ww - bw * bw) / (bw * bw), scale: bw / ww };
}

// The angle the noise leaves. With N white samples x ~ N(0, σ²I) of fan-in n, Σ y xᵀ / (Nσ²) = W·(I + E),
// E the sample covariance's error: E_kj has variance 1/N (2/N on the diagonal) and its entries are
// uncorrelated, so E‖W·E‖² = ‖W‖²·(n + 1)/N, nearly all of it orthogonal to W: tan²∠(B, W) ≈ (n + 1)/N.
// With decay λ per step of M samples, B is an exponential average whose weights (1 − λ)^t give an
// effective N = M·(Σ w)²/Σ w² = M·(2 − λ)/λ. ‖W·E‖² sums O·n terms of similar size (O output units), so
// its relative spread is about s = √(2/(O·n)): tan² is checked within 1 ± 5s of the prediction. The scale
// <B, W>/‖W‖² is 1 + <W, W·E>/‖W‖², whose spread is below √(2/N): checked within 1 ± 5√(2/N).
function checkAgainstTheory(B: Float32Array, W: Float32Array, O: number, n: number, N: number, what: string): void {
  const { tan2, scale } = tan2AndScale(B, W);
  const want = (n + 1) / N, s = Math.sqrt(2 / (O * n));
  assert.ok(Math.abs(tan2 / want - 1) < 5 * s, `${what}: tan² ${tan2.toExponential(3)}, theory ${want.toExponential(3)} (± ${(5 * s * 100).toFixed(0)}%)`);
  assert.ok(Math.abs(scale - 1) < 5 * Math.sqrt(2 / N), `${what}: B's component along W is ${scale.toFixed(4)}·W, theory 1`);
}

test('mirror without mirror phases (mirrorSteps 0, warmup 0) is fa, bit for bit, dense and convolutional', async () => {
  const lib = await backend();
  for (const o of [{ sizes: [13, 17, 9, 5] }, { sizes: [128, 5], arch: 'c3k3p1-p2-c4k3s2p1-a2-f6', inputShape: [8, 8, 2] as const }]) {
    const mk = () => new Network(lib, { ...o, activation: 'tanh', batch: 11, seed: 4 });
    const a = mk(), b = mk();
    const m = new Trainer(lib, a, 'mirror', { ...opts, ruleParams: { mirrorSteps: 0, warmup: 0 } }), f = new Trainer(lib, b, 'fa', opts);
    for (let s = 0; s < 4; s++) {
      const rows = s % 2 ? 11 : 6;
      loadBatch(a, 100 + s, rows);
      loadBatch(b, 100 + s, rows);
      m.step(rows);
      f.step(rows);
      // 0 ulps: the same B drawn from the same fork of the seed, the same sweep and update.
      a.layers.forEach((l, i) => close(l.W.data, b.layers[i]!.W.data, { ulps: 0 }, `W${i} after step ${s} (${o.sizes.length === 2 ? 'conv' : 'dense'})`));
    }
    a.dispose();
    b.dispose();
  }
});

test("a mirror step's mean is σ²·W: accumulated from zero, B/(Tησ²) → W at the angle the sample count predicts", async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [8, 40, 30, 5], activation: 'tanh', batch: 10, seed: 3 });
  // λ = 0: no decay, so after T steps of M = 100 samples B = η·Σ y xᵀ/M over N = 100·T samples. σ = 0.5
  // and η = 3 make the expected B = Tησ²·W = 0.75·T·W: a wrong σ or η shows in the scale.
  const tr = new Trainer(lib, net, 'mirror', { ruleParams: { mirrorDecay: 0, mirrorRate: 3, noise: 0.5, warmup: 0 } });
  const s = tr.state as MirrorState;
  s.B.forEach((b) => b.data.fill(0));
  let T = 0;
  for (const until of [10, 40]) { // N = 1000, then 4000: the tangent halves
    for (; T < until; T++) mirrorStep(s);
    for (const l of [1, 2]) {
      const W = net.layers[l]!.W, [O, n] = W.shape as [number, number];
      const B = Float32Array.from(s.B[l]!.data, (v) => v / (T * 3 * 0.25));
      checkAgainstTheory(B, W.data, O, n, 100 * T, `layer ${l} after ${T} steps`);
    }
  }
  assert.equal(s.B[0]!.data.every((v) => v === 0), true, 'the first layer has nothing below it to feed back to: not mirrored');
  net.dispose();
});

test('with decay λ, B settles at (ησ²/λ)·W (W itself for the default rate) at the angle of M·(2 − λ)/λ samples; dense and conv', async () => {
  const lib = await backend();
  const dense = new Network(lib, { sizes: [8, 40, 30, 5], activation: 'tanh', batch: 10, seed: 3 });
  // A convolution whose kernel [24, 3·3·4] is mirrored (the first layer never is): stride 1, padding 1.
  const conv = new Network(lib, { sizes: [128, 5], arch: 'c4k3-c24k3p1-p2', inputShape: [8, 8, 2], activation: 'tanh', batch: 10, seed: 3 });
  for (const net of [dense, conv]) {
    const tr = new Trainer(lib, net, 'mirror', { ruleParams: { warmup: 0 } }); // λ = 0.02, η = λ/σ², σ = 1, M = 100
    const s = tr.state as MirrorState;
    // 20/λ steps: the initial (fa-drawn) B has decayed to (1 − λ)^1000 ≈ 2e-9 of itself.
    for (let t = 0; t < 1000; t++) mirrorStep(s);
    const N = (100 * (2 - 0.02)) / 0.02;
    for (const l of [1, 2]) {
      const W = net.layers[l]!.W, [O, n] = W.shape as [number, number];
      if (net === conv && l === 2) continue; // the dense output layer of the conv net is checked on the dense net
      checkAgainstTheory(s.B[l]!.data, W.data, O, n, N, `${net.convolutional ? 'conv' : 'dense'} layer ${l}`);
    }
    net.dispose();
  }
});

test('on a small task B stays within a few degrees of W while W learns, and the updates follow backprop; fa stays near 90°', async () => {
  const lib = await backend();
  const train = blobs(lib, 600, 1);
  const run = (rule: string) => {
    const net = new Network(lib, { sizes: [20, 24, 24, 4], activation: 'tanh', init: 'xavier', batch: 30, seed: 5 });
    const tr = new Trainer(lib, net, rule, { epochs: 3, alignEvery: 5 });
    const r = tr.fit(train, { epochs: 3 });
    const out = { loss: r.history.map((h) => h.trainLoss), align: r.history[2]!.alignment!, mirror: rule === 'mirror' ? mirrorAngles(tr.state as MirrorState) : null };
    net.dispose();
    return out;
  };
  const m = run('mirror'), f = run('fa');
  // Steady state for fan-in 24, λ = 0.02, M = 100: tan² = 25·0.02/198, about 2.9°. W moves between
  // mirror steps, so B lags a little behind: allowed twice the steady-state angle.
  const bound = (Math.atan(Math.sqrt((25 * 0.02) / 198)) * 180) / Math.PI * 2;
  for (const [k, a] of Object.entries(m.mirror!)) assert.ok(a < bound, `${k}: ${a.toFixed(2)}° (bound ${bound.toFixed(2)}°)`);
  // The alignment diagnostic sees the same feedback: B_{l+1} against W_{l+1} for the hidden layers.
  for (const l of [0, 1]) {
    assert.ok(m.align[l]!.weightAngleDeg! < bound, `mirror: feedback angle into layer ${l}: ${m.align[l]!.weightAngleDeg}`);
    assert.ok(f.align[l]!.weightAngleDeg! > 60, `fa: feedback angle into layer ${l}: ${f.align[l]!.weightAngleDeg}`);
    // Feedback within a few degrees of W makes the hidden updates nearly backprop's (the lowest layer
    // compounds two feedback angles); fa's B is unrelated to W this early.
    assert.ok(m.align[l]!.updateAngleDeg! < 15, `mirror: update angle of layer ${l}: ${m.align[l]!.updateAngleDeg}`);
    assert.ok(f.align[l]!.updateAngleDeg! > 60, `fa: update angle of layer ${l}: ${f.align[l]!.updateAngleDeg}`);
  }
  assert.ok(m.loss[2]! < f.loss[2]!, `mirror learns faster than fa: ${m.loss[2]} vs ${f.loss[2]}`);
  train.dispose();
});

test('mirror parameters: clear errors naming the parameter, before any training', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [6, 5, 3], batch: 4, seed: 1 });
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ feedback: 'cauchy' }, /mirror: parameter feedback must be one of uniform, normal, got "cauchy"/],
    [{ feedbackScale: 0 }, /mirror: parameter feedbackScale must be 'auto' or a positive number, got 0/],
    [{ mirrorDecay: 1 }, /mirror: parameter mirrorDecay must be a number in \[0, 1\), got 1/],
    [{ mirrorDecay: 0 }, /mirror: parameter mirrorRate 'auto' is mirrorDecay\/noise², which needs mirrorDecay > 0/],
    [{ mirrorRate: -1 }, /mirror: parameter mirrorRate must be 'auto' or a positive number, got -1/],
    [{ noise: 0 }, /mirror: parameter noise must be a positive number, got 0/],
    [{ mirrorBatch: 2.5 }, /mirror: parameter mirrorBatch must be an integer >= 1, got 2.5/],
    [{ mirrorSteps: -1 }, /mirror: parameter mirrorSteps must be an integer >= 0, got -1/],
    [{ warmup: 'x' }, /mirror: parameter warmup must be an integer >= 0, got "x"/],
  ];
  for (const [p, re] of bad) throwsClearly(() => new Trainer(lib, net, 'mirror', { ruleParams: p }), re);
  net.dispose();
});

test.run();
