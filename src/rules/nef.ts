/** Spiking deep networks by conversion (Hunsberger & Eliasmith 2015, arXiv 1510.08829; 2016, arXiv
 *  1611.05141; Hunsberger's thesis 2018): train a rate network whose hidden units are soft-LIF, with
 *  Gaussian noise standing in for spike-train variability, by backprop; then run the SAME weights in
 *  spiking LIF neurons (same τRC, τref, threshold) for inference.
 *    J = 1 + gain·(W·x + b)                               threshold at W·x + b = 0 (the code's bias shift)
 *    r = rateScale·[ softlif(J; τref, τRC, γ) + σ·ξ ]₊      ξ ~ N(0, 1) while training, σ = noise Hz
 *    r' = rateScale·gain·softlif'(J)                       (the noise is not differentiated)
 *    δ, dW: backprop (chain with W), as bp.
 *  Convolutional layers (Hunsberger & Eliasmith 2016, LeNet-style nets): soft-LIF on every convolution
 *  unit, average pooling after it (spiking layers cannot max-pool), backprop through both.
 *  Spiking inference: LIF (τm = τRC, refractory τref, reset to 0) behind exponential synapses (tauSyn),
 *  input Poisson at maxRate, output = mean of a leaky membrane readout (src/net/spiking.ts): the
 *  Trainer's testAccuracy is the spiking one; evaluations.rate gives rateTestAccuracy.
 *  Objections: spiking removed at inference only, so listed as partly; every other objection stands
 *  (training is offline backprop). */
import { defineRule, type StepContext } from './types.js';
import type { Network } from '../net/network.js';
import type { Tensor } from '../core/tensor.js';
import { resolveAct } from '../activations.js';
import { softLifRate, type SoftLifCurve, type RateNoise } from './shared/soft-lif.js';
import { simOf, simCounterState, type SpikingSim } from '../net/spiking.js';
import { chain, localGrads } from './shared/common.js';

type P = { tauRef: number; tauRC: number; gamma: number; noise: number; gain: number };
interface State { sim: SpikingSim; J: Tensor; noise: RateNoise; curve: SoftLifCurve }

/** Soft-LIF rate forward pass (noise σ in Hz, 0 for evaluation). */
function rateForward(net: Network, rows: number, s: State, noise: number): void {
  const lib = net.lib, L = net.layers.length - 1;
  s.noise.sigma = noise;
  net.layers.forEach((l, i) => {
    const a = l.a.head(rows), deriv = l.deriv.head(rows);
    if (l.conv) {
      lib.conv2d(a, l.pre.head(rows), l.W, net.bias ? l.b : null, l.conv.cols.head(rows * l.conv.geom.positions), l.conv.geom);
    } else {
      lib.gemm(a, l.pre.head(rows), l.W, 'nt');
      if (net.bias) lib.addRow(a, l.b);
    }
    // the units' rates; a pooled layer hands on their average pooling (the spiking layers pool by averaging)
    const post = (l.pool ? l.pool.act : l.post).head(rows);
    if (i === L) { lib.copy(post, a); lib.fill(deriv, 1); return; }
    softLifRate(lib, s.curve, s.J.matrix(rows, l.outSize), a, post, deriv, s.noise);
    if (l.pool) lib.avgPool(l.post.head(rows), post, l.pool.geom);
  });
}

export const nef = defineRule({
  id: 'nef',
  title: 'Soft-LIF training, spiking LIF inference (conversion)',
  cite: 'Hunsberger & Eliasmith 2015, arXiv 1510.08829; 2016, arXiv 1611.05141',
  // Convolutions (Hunsberger & Eliasmith 2016): soft-LIF convolutional units, average pooling (spiking
  // layers cannot max-pool), backprop through both; spiking inference through spiking convolutions.
  conv: true,
  objections: { removes: [], partly: ['spiking'] },
  // Thesis: τRC 50 ms (20 ms caused training problems), τref 1 ms, γ 0.02, σ = 10 Hz Gaussian noise,
  // MNIST with τs = 5 ms synapses; windows of 100-200 ms. We present 100 ms at dt = 1 ms.
  defaults: { tauRef: 1e-3, tauRC: 50e-3, gamma: 0.02, noise: 10, gain: 1 } as P,
  spiking: { only: true, sim: { steps: 100, dt: 1e-3, encoder: 'poisson', maxRate: 200, rateScale: 0.05, tauOut: 0, readoutStart: 20, neuronParams: { tauMem: 50e-3, tauSyn: 5e-3, refractory: 1e-3 } },
    parts: {
      forward: 'Spiking at inference only: LIF neurons with the trained weights, Poisson input, a synapse-filtered readout; training runs the soft-LIF rate network.',
      feedback: 'Not spiking: backprop through the soft-LIF rate network, with the forward weights.',
      error: 'Graded: the rate network\'s softmax cross-entropy error.',
      update: 'Offline, from rates: a backprop step on the rate network; spikes never drive learning.',
    } },
  train: { optimizer: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0, schedule: 'cosine', activation: 'softlif', init: 'he', epochs: 20, batch: 100, hidden: [256, 256, 256] },
  // The convolutional network's units fire slowly (a few spikes in 100 ms), so its spiking readout is
  // noisier than its soft-LIF twin; 200 ms, the long end of the thesis's windows, halves that noise.
  // At 200 ms the spiking network is as good as its twin, so the twin sets the accuracy: without weight
  // decay it fits the training set and stops improving, as backprop's LeNet-5 does, so it takes backprop's
  // convolutional L2 decay (docs/measurements.md).
  convDefaults: { train: { weightDecay: 5e-4 }, spiking: { sim: { steps: 200 } } },
  init(net: Network, p: P, ws, rng) {
    for (const key of ['tauRef', 'tauRC', 'gamma', 'gain'] as const) if (!(p[key] > 0)) throw new Error(`nef: ${key} must be > 0, got ${p[key]}`);
    if (!(p.noise >= 0)) throw new Error(`nef: noise must be >= 0 Hz, got ${p.noise}`);
    const sd = nef.spiking!.sim!;
    const np = { ...sd.neuronParams, tauMem: p.tauRC, refractory: p.tauRef };
    const sim = simOf(net, { ...sd, neuronParams: np, gain: p.gain, offset: 1 });
    if (sim.np.tauMem !== p.tauRC || sim.np.refractory !== p.tauRef || sim.np.vTh !== 1 || sim.gain !== p.gain) {
      throw new Error(`nef: the spiking network's LIF (tauMem ${sim.np.tauMem}, refractory ${sim.np.refractory}, vTh ${sim.np.vTh}, gain ${sim.gain}) must match the soft-LIF (tauRC ${p.tauRC}, tauRef ${p.tauRef}, threshold 1, gain ${p.gain})`);
    }
    const maxOut = Math.max(...net.layers.map((l) => l.outSize));
    const noiseRng = net.lib.rngIn(ws.f32([4]), rng.nextU32() | 0);
    // J = 1 + gain·(W·x + b) (threshold at W·x + b = 0), rates in the simulator's units
    const curve = { act: resolveAct('nef', 'softlif', { tauRef: p.tauRef, tauRC: p.tauRC, gamma: p.gamma }), scale: sim.rateScale, shift: 1, slope: p.gain };
    return { sim, J: ws.f32([net.batch, maxOut]), noise: { rng: noiseRng, z: ws.f32([net.batch, maxOut]), sigma: 0 }, curve };
  },
  // Trained as the rate network (with noise), evaluated spiking.
  forward: (ctx: StepContext, s: State, p: P, training: boolean) => (training ? rateForward(ctx.net, ctx.rows, s, p.noise) : s.sim.run(ctx.rows)),
  resume: simCounterState,
  record: { evaluations: { rate: (ctx: StepContext, s: State) => rateForward(ctx.net, ctx.rows, s, 0) } },
  teach: (ctx: StepContext) => chain(ctx, (l) => ctx.net.layers[l]!.W),
  update: (ctx: StepContext) => localGrads(ctx),
});
