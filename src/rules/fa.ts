/** Feedback alignment: the backward sweep carries δ through a fixed random B_l (W_l's shape) instead of W_l.
 *  δ_L = e ⊙ f'(a_L),  δ_l = (δ_{l+1} · B_{l+1}) ⊙ f'(a_l),  dW_l = δ_lᵀ · pre_l / batch,  db_l = Σ δ_l / batch.
 *  B_l ~ U(−β, β) as in the paper (or N(0, β²)), drawn once and never learned; W comes to align with B.
 *  Lillicrap, Cownden, Tweed & Akerman 2016, Nat. Commun. 7:13276 (Methods).
 *  Objections:
 *  - weightTransport: removed. The backward path never reads W, only the fixed B.
 *  - derivativeTransport: kept. δ_{l+1} already holds f'(a_{l+1}) when it is sent down.
 *  - linearFeedback: kept. The error travels back as a signed linear signal.
 *  - spiking: kept as a rule (it is defined on rates), but it runs on spiking networks (--spiking: LIF
 *    neurons, Poisson input; teach/update read only pre, deriv, delta, error, which are firing rates and
 *    surrogate derivatives there), the Samadi, Lillicrap & Tweed 2017 setting.
 *  - timing: kept. A layer-by-layer backward sweep after the forward pass.
 *  - target: kept. Needs the labelled output error. */
import type { Tensor } from '../core/tensor.js';
import { defineRule } from './types.js';
import { chain, localGrads } from './shared/common.js';
import { rateRuleParts, FA_WINDOW } from './shared/spiking.js';
import { FEEDBACK_DISTS, oneOfParam, randomMatrix, rms, scaleParam, type FeedbackDist } from './shared/feedback.js';

export interface FaParams {
  /** Distribution of B: 'uniform' U(−β, β) (the paper's) or 'normal' N(0, β²). */
  feedback: FeedbackDist;
  /** β, or 'auto': B's RMS equals W's RMS at initialisation, so δ starts at backprop's scale. */
  feedbackScale: number | 'auto';
}

export interface FaState {
  /** B[l] has W_l's shape ([n_l, n_{l−1}], or a kernel's); B[0] is never used (nothing below the first layer). */
  B: Tensor[];
}

export const fa = defineRule<FaParams, FaState>({
  id: 'fa',
  title: 'Feedback alignment',
  cite: 'Lillicrap, Cownden, Tweed & Akerman 2016, Nat. Commun. 7:13276',
  objections: { removes: ['weightTransport'] },
  spiking: {
    // On a SpikingNetwork (--spiking) the same teach/update run on LIF rates and surrogate derivatives,
    // with dfa's step (5e-3) and dfa's 20 epochs: over 10 the cosine decay ends while test accuracy is
    // still rising (docs/measurements.md). No weight decay: Adam adds the decay to the gradient before
    // normalising it, and the chained, surrogate-scaled gradients of the lower layers are small enough for
    // the decay to dominate them, so the weights shrink until the hidden layers fall nearly silent.
    train: { lr: 5e-3, weightDecay: 0, epochs: 20 },
    sim: FA_WINDOW,
    parts: rateRuleParts('Rate-coded: the error travels down through the fixed random B as a graded signal, not as spikes.'),
  },
  defaults: { feedback: 'uniform', feedbackScale: 'auto' },
  // On a convolution B is a fixed random kernel shaped like W (biotorch's Conv2d FA).
  conv: true,
  // LeNet-style networks: a three times larger Adam step. Feedback alignment trains convolutional layers
  // more slowly than dense ones (Liao, Leibo & Poggio 2016; Bartunov et al. 2018), and at the dense step
  // the kernels are still far from their solution when the cosine decay ends; a ten times larger step
  // learns faster at first but then no longer settles (docs/measurements.md).
  // Spiking on LeNet-style networks: batches of 20, five times the Adam steps per example. On the same
  // examples the default batch of 100 learns markedly more slowly than the rate network, and a three times
  // larger step recovers less than the smaller batches do (docs/measurements.md). The hidden layers'
  // signals are window rates and mean SuperSpike surrogates (Zenke & Ganguli 2018) from a few spikes per
  // unit, noisier than the rate network's; more, smaller steps may average that noise (not isolated).
  convDefaults: { train: { lr: 3e-3 }, spiking: { train: { batch: 20 } } },
  // Adam, not backprop's SGD + momentum: before W aligns with B the hidden updates point nowhere in
  // particular, and at SGD rates that train backprop they blow the ReLU activations up. tanh: bounded units
  // keep that early phase harmless (docs/measurements.md).
  train: { optimizer: 'adam', lr: 0.001, momentum: 0, weightDecay: 1e-4, schedule: 'cosine', activation: 'tanh', init: 'xavier', epochs: 20, batch: 100, hidden: [256, 256, 256] },
  init(net, p, ws, rng) {
    const dist = oneOfParam('fa', 'feedback', p.feedback, FEEDBACK_DISTS);
    const B = net.layers.map((l) => {
      const w = rms(net, l.W);
      const beta = scaleParam('fa', 'feedbackScale', p.feedbackScale, dist === 'uniform' ? Math.sqrt(3) * w : w);
      return randomMatrix(net, ws, rng, l.W.shape[0]!, l.W.shape[1]!, dist, dist === 'uniform' ? beta / Math.sqrt(3) : beta);
    });
    return { B };
  },
  teach: (ctx, s) => chain(ctx, (l) => s.B[l]!),
  update: (ctx) => localGrads(ctx),
  alignment: { feedback: (s, l) => (l + 1 < s.B.length ? { matrix: s.B[l + 1]!, from: 'above' } : null) },
});
