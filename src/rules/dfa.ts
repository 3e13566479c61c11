/** Direct feedback alignment: every hidden layer gets the output error through its own fixed random B_l.
 *  δ_L = e ⊙ f'(a_L),  δ_l = (e · B_l) ⊙ f'(a_l) for l < L,  dW_l = δ_lᵀ · pre_l / batch,  db_l = Σ δ_l / batch,
 *  B_l [classes, n_l] ~ U(−β_l, β_l) with β_l = 1/√n_l by default (Nøkland's dfa-torch, rfb_mag = 0), drawn
 *  once and never learned. Nøkland 2016, NIPS (arXiv:1609.01596), §2 (eq. for δ_l with B_l).
 *  Objections:
 *  - weightTransport: removed. Hidden layers never read any forward weight; B_l is fixed and random.
 *  - derivativeTransport: partly removed. A layer uses only its own f'(a_l), no downstream derivative.
 *  - linearFeedback: kept. The signed output error is projected linearly.
 *  - spiking: kept as a rule (it is defined on rates), but it runs on spiking networks (--spiking: LIF
 *    neurons, Poisson input; teach/update read only pre, deriv, delta, error, which are firing rates and
 *    surrogate derivatives there), the Samadi, Lillicrap & Tweed 2017 setting.
 *  - timing: partly removed. No layer-by-layer backward sweep: all layers update in parallel once e exists,
 *    but each must hold its activity until then.
 *  - target: kept. Needs the labelled output error. */
import type { Tensor } from '../core/tensor.js';
import { defineRule } from './types.js';
import { direct, localGrads } from './shared/common.js';
import { FEEDBACK_DISTS, oneOfParam, randomMatrix, scaleParam, type FeedbackDist } from './shared/feedback.js';
import { FA_WINDOW, rateRuleParts } from './shared/spiking.js';

export interface DfaParams {
  /** Distribution of B_l: 'uniform' U(−β, β) (Nøkland's) or 'normal' N(0, β²). */
  feedback: FeedbackDist;
  /** β, or 'auto': 1/√n_l for the layer of width n_l receiving the feedback. */
  feedbackScale: number | 'auto';
}

export interface DfaState {
  /** B[l] is [classes, n_l] for hidden layer l (one per hidden layer), or [classes, k·k·c_l] below a convolution. */
  B: Tensor[];
  /** [batch, positions·classes]: e repeated over the output positions of the convolution above layer l (else null). */
  repeated: (Tensor | null)[];
}

export const dfa = defineRule<DfaParams, DfaState>({
  id: 'dfa',
  title: 'Direct feedback alignment',
  cite: 'Nøkland 2016, NIPS (arXiv:1609.01596)',
  objections: { removes: ['weightTransport'], partly: ['derivativeTransport', 'timing'] },
  spiking: {
    // On a SpikingNetwork (--spiking) the same teach/update run on LIF rates and surrogate derivatives;
    // the surrogate-scaled signals are smaller, so the step is larger (5e-3, as for superspike).
    train: { lr: 5e-3 },
    sim: FA_WINDOW,
    parts: rateRuleParts('Rate-coded: the output error reaches every hidden layer through its fixed random B as a graded signal.'),
  },
  defaults: { feedback: 'uniform', feedbackScale: 'auto' },
  // Below a convolution B_l is a kernel [classes, k·k·c_l] applied to e at each of its output positions
  // (src/rules/shared/common.ts: direct).
  conv: true,
  // LeNet-style networks: a three times larger Adam step. Direct feedback trains convolutional layers more
  // slowly than dense ones (Nøkland 2016; Launay, Poli & Krzakala 2019), and at the dense step the kernels
  // are still far from their solution when the cosine decay ends; a ten times larger step no longer
  // settles. Weight decay 1e-4, as fa has: without it LeNet fits MNIST's training set and its test
  // accuracy stops rising (docs/measurements.md).
  // Spiking on LeNet-style networks: a three times larger step than the dense spiking one learns
  // faster on the same examples (docs/measurements.md).
  convDefaults: { train: { lr: 3e-3, weightDecay: 1e-4 }, spiking: { train: { lr: 1.5e-2 } } },
  // Adam and tanh: with ReLU the top hidden layer barely aligns (docs/measurements.md); Nøkland also reports ReLU
  // nets deeper than 2–3 layers train worse under DFA.
  train: { optimizer: 'adam', lr: 0.001, momentum: 0, weightDecay: 0, schedule: 'cosine', activation: 'tanh', init: 'xavier', epochs: 20, batch: 100, hidden: [256, 256, 256] },
  init(net, p, ws, rng) {
    const dist = oneOfParam('dfa', 'feedback', p.feedback, FEEDBACK_DISTS);
    const C = net.classes;
    const L = net.layers;
    // The width B_l feeds: layer l's units (its post), or the patch of the convolution above it.
    const width = (l: number) => L[l + 1]!.conv?.geom.patch ?? L[l]!.post.cols;
    const B = L.slice(0, -1).map((_, l) => {
      const beta = scaleParam('dfa', 'feedbackScale', p.feedbackScale, 1 / Math.sqrt(width(l)));
      return randomMatrix(net, ws, rng, C, width(l), dist, dist === 'uniform' ? beta / Math.sqrt(3) : beta);
    });
    const repeated = L.slice(0, -1).map((_, l) => {
      const g = L[l + 1]!.conv?.geom;
      return g ? ws.f32([net.batch, g.positions * C]) : null;
    });
    return { B, repeated };
  },
  teach: (ctx, s) => direct(ctx, (l) => s.B[l]!, (l) => s.repeated[l]!),
  update: (ctx) => localGrads(ctx),
  alignment: { feedback: (s, l) => (l < s.B.length ? { matrix: s.B[l]!, from: 'output' } : null) },
});
