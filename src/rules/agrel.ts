/** AGREL: attention-gated reinforcement learning of internal representations.
 *  Roelfsema & van Ooyen 2005, Neural Computation 17:2176 (our reading of its equations).
 *
 *  Per example: output units Z = W_L h_{L−1} + b compete; the winner s is drawn by Boltzmann selection,
 *  π = softmax(Z) (mixed with uniform exploration ε/C when ε > 0). The winner's selection probability is
 *  its reward expectation, E[r] = π_s. The environment pays r = 1 for the correct class, else 0 (the
 *  only use of the label). RPE δ = r − π_s; the neuromodulator is AGREL's expansive function
 *  f(δ) = δ / (1 − δ) on rewarded trials (= (1 − π_s)/π_s) and f = −1 on unrewarded trials.
 *  Attention tags from the winner only: c_L = e_s, c_l = (c_{l+1} · F_{l+1}) ⊙ f'(a_l) (sigmoid hidden
 *  units: f' = y(1 − y)). ΔW_l = β f(δ) c_l h_{l−1}ᵀ; in loss-gradient form δ_l = −f(δ) c_l.
 *  With ε = 0 and F = W the expected update over the Boltzmann draw is exactly backprop of the softmax
 *  cross-entropy: Σ_s π_s f_s e_s = (1 − π_t) e_t − Σ_{s≠t} π_s e_s = −(π − y) (tests/rules/agrel.test.ts).
 *  Defined in the paper for one hidden layer; the same tags extend to any depth.
 *  Feedback F: own weights by default (learned with ΔB = ΔW), `feedback=transpose` uses W.
 *
 *  Objections:
 *  - target: removed: a scalar reward for the selected action only.
 *  - weightTransport: partly: own feedback synapses that learn with the same rule ('transpose' does not).
 *  - linearFeedback: partly: only the winner feeds back; tags are linear and signed below it.
 *  - derivativeTransport, timing: not removed (own f' gates tags; a feedback sweep follows the choice).
 *  - spiking: kept as a rule (it is defined on rates), but it runs on spiking networks (--spiking: the
 *    competition reads the membrane readout, the tags the mean surrogate derivatives, the update the LIF
 *    firing rates, as for fa). */
import { defineRule } from './types.js';
import { attentionTeach, checkAttentionParams, environmentReward, initAttention, softmaxRow, sample, type AttentionState } from './shared/attention.js';
import { localGrads } from './shared/common.js';
import { rateRuleParts, RATE_RULE_WINDOW } from './shared/spiking.js';

export interface AgrelParams {
  /** Boltzmann temperature of the competition between output units. */
  temperature: number;
  /** Uniform exploration mixed into the Boltzmann probabilities (the paper's selection is pure Boltzmann: 0; default 0.05, see below). */
  epsilon: number;
  /** Cap on the expansive gain (1 − π)/π of rare rewarded choices (0 = no cap). */
  maxGain: number;
  feedback: string;
  learnFeedback: boolean;
}

export const agrel = defineRule<AgrelParams, AttentionState>({
  id: 'agrel',
  title: 'AGREL (attention-gated reinforcement learning)',
  cite: 'Roelfsema & van Ooyen 2005, Neural Comput. 17:2176',
  noConv: 'Roelfsema & van Ooyen 2005 define it on one dense hidden layer; its convolutional successor is qagrel (Q-AGREL / BrainProp)',
  objections: { removes: ['target'], partly: ['weightTransport', 'linearFeedback'] },
  spiking: {
    // On a SpikingNetwork (--spiking): Adam 5e-3 as for fa, since the rate form's SGD step barely moves
    // the weights when tags carry surrogate derivatives; no weight decay (with Adam it silences the
    // hidden layers, see fa); 10 epochs as for superspike and erbp, a spiking epoch costing many rate epochs.
    train: { optimizer: 'adam', lr: 5e-3, momentum: 0, weightDecay: 0, epochs: 10 },
    sim: RATE_RULE_WINDOW,
    parts: rateRuleParts(
      "Graded: an attention tag from the chosen unit travels down through the feedback weights, gated by each unit's mean surrogate derivative, not as spikes.",
      {
        error: 'A scalar reward for the one output unit chosen by Boltzmann selection on the readout, once per window; the neuromodulator is a graded function of it.',
        update: 'Once per window: neuromodulator × tag × presynaptic firing rate (rates, not spike times).',
      },
    ),
  },
  defaults: { temperature: 1, epsilon: 0.05, maxGain: 0, feedback: 'own', learnFeedback: true },
  // One hidden layer of sigmoid units as in the paper. lr 0.01: the gain (1 − π)/π of a rare rewarded
  // choice is unbounded, and at 0.03 one such batch saturated the hidden layer on full MNIST (chance
  // accuracy from epoch 1); capping the gain (maxGain) biases the update and collapsed too. ε = 0.05 of
  // uniform exploration bounds the gain at C/ε − 1 without a cap: with pure Boltzmann selection (ε = 0)
  // the 30-epoch run diverged from epoch 9 (chance from epoch 14) and the 10-epoch run collapsed at three
  // hidden layers on Fashion-MNIST; ε = 0.05 trained in every case tried (docs/measurements.md). The
  // price of ε is a biased gradient: the mean update is backprop's with δ = π_ε − y (tests/rules/agrel.test.ts).
  train: { optimizer: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 1e-4, schedule: 'cosine', activation: 'sigmoid', init: 'xavier', epochs: 30, batch: 100, hidden: [500] },
  init(net, p, _ws, rng) {
    checkAttentionParams('agrel', p);
    if (!(p.temperature > 0) || !Number.isFinite(p.temperature)) throw new Error(`agrel: parameter temperature must be a positive number, got ${p.temperature}`);
    if (!(p.epsilon >= 0 && p.epsilon <= 1)) throw new Error(`agrel: parameter epsilon must be in [0, 1], got ${p.epsilon}`);
    if (!(p.maxGain >= 0)) throw new Error(`agrel: parameter maxGain must be >= 0, got ${p.maxGain}`);
    return initAttention(net, p, rng);
  },
  params: (s) => s.params,
  teach(ctx, s, p) {
    const { net, rows, rng } = ctx;
    const C = net.classes, z = net.output.post.data, pr = s.probs;
    for (let r = 0; r < rows; r++) {
      softmaxRow(z, r * C, C, p.temperature, pr);
      if (p.epsilon > 0) for (let i = 0; i < C; i++) pr[i] = (1 - p.epsilon) * pr[i]! + p.epsilon / C;
      const a = sample(rng, pr, C);
      const reward = environmentReward(net, r, a);
      const delta = reward - pr[a]!; // RPE against the winner's reward expectation
      let gain = reward > 0 ? delta / (1 - delta) : -1; // AGREL's expansive f(δ)
      if (p.maxGain > 0 && gain > p.maxGain) gain = p.maxGain;
      s.action[r] = a;
      s.reward[r] = reward;
      s.mod[r] = gain;
    }
    attentionTeach(ctx, s);
  },
  update: (ctx) => localGrads(ctx),
});
