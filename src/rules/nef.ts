/** Spiking deep networks by conversion (Hunsberger & Eliasmith 2015, arXiv 1510.08829; 2016, arXiv
 *  1611.05141; Hunsberger's thesis 2018): train a rate network whose hidden units are soft-LIF, with
 *  Gaussian noise standing in for spike-train variability, by backprop; then run the SAME weights in
 *  spiking LIF neurons (same τRC, τref, threshold) for inference.
 *    J = 1 + gain·(W·x + b)                               threshold at W·x + b = 0 (the code's bias shift)
 *    r = rateScale·[ softlif(J; τref, τRC, γ) + σ·ξ ]₊      ξ ~ N(0, 1) while training, σ = noise Hz
 *    r' = rateScale·gain·softlif'(J)                       (the noise is not differentiated)
 *    δ, dW: backprop (chain with W), as bp.
 *  Spiking inference: LIF (τm = τRC, refractory τref, reset to 0) behind exponential synapses (tauSyn),
 *  input Poisson at maxRate, output = mean of a leaky membrane readout (src/net/spiking.ts): the
 *  Trainer's testAccuracy is the spiking one; evaluations.rate gives rateTestAccuracy.
 *  Objections: spiking removed at inference only, so listed as partly; every other objection stands
 *  (training is offline backprop). */
import { defineRule, type StepContext } from './types.js';
import type { Network } from '../net/network.js';
import type { Tensor } from '../core/tensor.js';
import { simOf, simCounterState, type SpikingSim } from '../net/spiking.js';
import { chain, localGrads } from './shared/common.js';

type P = { tauRef: number; tauRC: number; gamma: number; noise: number; gain: number };
interface State { sim: SpikingSim; J: Tensor; rng: Tensor; noise: Tensor }

/** Soft-LIF rate forward pass (noise σ in Hz, 0 for evaluation). */
function rateForward(net: Network, rows: number, s: State, p: P, rateScale: number, noise: number): void {
  const k = net.k, L = net.layers.length - 1;
  net.layers.forEach((l, i) => {
    const n = rows * l.outSize;
    k.f32_gemm_nt(rows, l.outSize, l.inSize, 1, 0, l.pre.ptr, l.W.ptr, l.a.ptr);
    if (net.bias) k.f32_add_row(rows, l.outSize, l.b.ptr, l.a.ptr);
    if (i === L) { k.f32_copy(n, l.a.ptr, l.post.ptr); k.f32_fill(n, 1, l.deriv.ptr); return; }
    k.f32_fill(n, 1, s.J.ptr);
    k.f32_axpy(n, p.gain, l.a.ptr, s.J.ptr);
    k.f32_softlif_fwd(n, p.tauRef, p.tauRC, p.gamma, s.J.ptr, l.post.ptr, l.deriv.ptr);
    if (noise > 0) {
      k.f32_normal(n, 0, noise, s.rng.ptr, s.noise.ptr);
      k.f32_add(n, l.post.ptr, s.noise.ptr, l.post.ptr);
      k.f32_clip(n, 0, Infinity, l.post.ptr, l.post.ptr);
    }
    k.f32_scal(n, rateScale, l.post.ptr);
    k.f32_scal(n, rateScale * p.gain, l.deriv.ptr);
  });
}

export const nef = defineRule({
  id: 'nef',
  title: 'Soft-LIF training, spiking LIF inference (conversion)',
  cite: 'Hunsberger & Eliasmith 2015, arXiv 1510.08829; 2016, arXiv 1611.05141',
  objections: { removes: [], partly: ['spiking'] },
  // Thesis: τRC 50 ms (20 ms caused training problems), τref 1 ms, γ 0.02, σ = 10 Hz Gaussian noise,
  // MNIST with τs = 5 ms synapses; windows of 100-200 ms. We present 100 ms at dt = 1 ms.
  defaults: { tauRef: 1e-3, tauRC: 50e-3, gamma: 0.02, noise: 10, gain: 1 } as P,
  spiking: { only: true, sim: { steps: 100, dt: 1e-3, encoder: 'poisson', maxRate: 200, rateScale: 0.05, tauOut: 0, readoutStart: 20, neuronParams: { tauMem: 50e-3, tauSyn: 5e-3, refractory: 1e-3 } } },
  train: { optimizer: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0, schedule: 'cosine', activation: 'softlif', init: 'he', epochs: 20, batch: 100, hidden: [256, 256, 256] },
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
    const st = ws.f32([4]);
    net.k.rng_seed(rng.nextU32() | 0, st.ptr);
    return { sim, J: ws.f32([net.batch, maxOut]), rng: st, noise: ws.f32([net.batch, maxOut]) };
  },
  // Trained as the rate network (with noise), evaluated spiking.
  forward: (ctx: StepContext, s: State, p: P, training: boolean) => (training ? rateForward(ctx.net, ctx.rows, s, p, s.sim.rateScale, p.noise) : s.sim.run(ctx.rows)),
  resume: simCounterState,
  record: { evaluations: { rate: (ctx: StepContext, s: State, p: P) => rateForward(ctx.net, ctx.rows, s, p, s.sim.rateScale, 0) } },
  teach: (ctx: StepContext) => chain(ctx, (l) => ctx.net.layers[l]!.W),
  update: (ctx: StepContext) => localGrads(ctx),
});
