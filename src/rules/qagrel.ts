/** Q-AGREL / BrainProp: reward-based, attention-gated learning in deep networks.
 *  Pozzi, Bohté & Roelfsema 2018, arXiv:1811.01768; NeurIPS 2020 ("Attention-gated brain propagation").
 *  Our reading of the paper and the authors' code (isapome/BrainProp).
 *
 *  Per example: Q = W_L h_{L−1} (linear output units are action values). Action a = argmax Q with
 *  probability 1 − ε, else a draw from softmax(Q) (ε = 0.02 in the reference code; 0.1 here: with few epochs, classes whose Q never wins must still be tried). The environment
 *  pays r = 1 if a is the correct class, else 0 (the label is read only there; no label vector reaches
 *  the network). Reward-prediction error δ = r − Q_a, broadcast as a global neuromodulator.
 *  Attention tags from the selected unit: c_L = e_a, c_l = (c_{l+1} · F_{l+1}) ⊙ f'(a_l).
 *  ΔW_l = η δ c_l h_{l−1}ᵀ (only row a of W_L changes). Loss-gradient form: δ_l = −δ c_l.
 *  For a fixed action this is exactly backprop of ½(r − Q_a)² (F = W); in expectation over the
 *  action selection it is backprop of the π-weighted sum of those losses (tests/rules/qagrel.test.ts).
 *  Feedback F: the rule's own weights by default (learned with ΔB = ΔW); `feedback=transpose` uses W
 *  (the reference code's autodiff). See src/rules/shared/attention.ts.
 *
 *  Objections:
 *  - target: removed: only a scalar reward for the chosen action reaches the network.
 *  - weightTransport: partly: own feedback synapses, but they learn with the forward update
 *    (symmetry by learning, not by copying); 'transpose' does not remove it.
 *  - linearFeedback: partly: one selected unit feeds back, but the tags are linear and signed.
 *  - derivativeTransport: not removed: each unit's own f' gates the tag it passes further down.
 *  - timing: not removed: tags need a top-down sweep after the action.
 *  - spiking: kept as a rule (it is defined on rates), but it runs on spiking networks (--spiking: the
 *    Q-values are the membrane readout, the tags read the mean surrogate derivatives, the update the LIF
 *    firing rates, as for fa). */
import { defineRule } from './types.js';
import {
  attentionTeach, checkAttentionParams, environmentReward, initAttention, argmax, softmaxRow, sample,
  type AttentionState,
} from './shared/attention.js';
import { localGrads } from './shared/common.js';
import { rateRuleParts, RATE_RULE_WINDOW } from './shared/spiking.js';

export interface QagrelParams {
  /** Exploration rate: probability of a softmax draw instead of the greedy action. */
  epsilon: number;
  /** Optimistic start: the output biases (initial Q-values) are set to this (0 = the network's init). */
  optimism: number;
  feedback: string;
  learnFeedback: boolean;
  /** Scale of the output layer's initial weights relative to the network's init: the size of the initial
   *  Q-values (1 = the network's init). */
  outputInit: number;
  /** Scale of the own feedback weights' initial draw relative to the forward weights' init (0: silent). */
  feedbackInit: number;
}

export const qagrel = defineRule<QagrelParams, AttentionState>({
  id: 'qagrel',
  title: 'Q-AGREL / BrainProp (attention-gated reward learning)',
  cite: 'Pozzi, Bohté & Roelfsema 2018, arXiv:1811.01768; NeurIPS 2020',
  objections: { removes: ['target'], partly: ['weightTransport', 'linearFeedback'] },
  spiking: {
    // On a SpikingNetwork (--spiking): Adam 5e-3 as for fa, since the rate form's SGD step barely moves
    // the weights when tags carry surrogate derivatives; no weight decay (with Adam it silences the
    // hidden layers, see fa); He's init, with which the spiking network learned faster than with the
    // reference's Xavier init (docs/measurements.md); 256x3 and 10 epochs as for the other spiking rules, a
    // spiking epoch of the 1500-1000-500 network costing about ten of 256x3.
    train: { optimizer: 'adam', lr: 5e-3, momentum: 0, weightDecay: 0, init: 'he', epochs: 10, batch: 100, hidden: [256, 256, 256] },
    sim: RATE_RULE_WINDOW,
    parts: rateRuleParts(
      "Graded: an attention tag from the chosen unit travels down through the feedback weights, gated by each unit's mean surrogate derivative, not as spikes.",
      {
        forward: 'LIF spikes from Poisson input; the Q-values are a leaky membrane readout of the last hidden layer.',
        error: 'A scalar reward for the one action chosen ε-greedily on the readout, once per window; the neuromodulator is the graded prediction error r − Q_a.',
        update: 'Once per window: neuromodulator × tag × presynaptic firing rate (rates, not spike times).',
      },
    ),
  },
  defaults: { epsilon: 0.1, optimism: 0, feedback: 'own', learnFeedback: true, feedbackInit: 1, outputInit: 1 },
  // At 1 neither scales its weights: the dense rule as it was before the convolutional recipe needed them.
  neutralParams: { feedbackInit: 1, outputInit: 1 },
  // BrainProp's convolutional networks (Pozzi et al. 2020): the tags travel down a convolution as its input
  // gradient through the feedback kernel (own, shaped like W and learned with it, or W itself), and back
  // through a pooling to the unit it took, as backprop's error would.
  conv: true,
  // LeNet-style networks, where the dense recipe fails (docs/measurements.md): at the network's init the
  // Q-values are of order 1 while a reward of 1 comes for one action in ten, so nearly every update
  // pushes the chosen Q down, and through the ReLUs that silences the convolutions within a few dozen
  // batches. Starting Q near 0 (output weights at 1 % of their draw; BrainProp starts every weight at
  // std 0.005 and normalises the batches, Pozzi et al. 2020) makes the first updates raise the rewarded
  // Q instead. Own feedback starting silent (feedbackInit 0) grows as ΔB = ΔW alone, so it is the learned
  // part of W, with none of W's random init to unlearn. Adam: while the Q-values are small so are the
  // tags reaching the kernels, and its per-weight step does not wait for them to grow.
  convDefaults: {
    train: { optimizer: 'adam', lr: 3e-3, momentum: 0, epochs: 20 },
    params: { outputInit: 0.01, feedbackInit: 0 },
  },
  // ReLU, linear Q outputs. The reference uses plain SGD lr 0.1, batch 128 for hundreds of epochs;
  // momentum and a cosine decay reach its accuracy in tens of epochs (docs/report.md).
  train: { optimizer: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 1e-4, schedule: 'cosine', activation: 'relu', init: 'xavier', epochs: 30, batch: 128, hidden: [1500, 1000, 500] },
  init(net, p, _ws, rng) {
    checkAttentionParams('qagrel', p);
    if (!(p.epsilon >= 0 && p.epsilon <= 1)) throw new Error(`qagrel: parameter epsilon must be in [0, 1], got ${p.epsilon}`);
    if (!Number.isFinite(p.optimism)) throw new Error(`qagrel: parameter optimism must be a finite number, got ${p.optimism}`);
    if (!(p.outputInit >= 0 && Number.isFinite(p.outputInit))) throw new Error(`qagrel: parameter outputInit must be a finite number >= 0, got ${p.outputInit}`);
    if (!(p.feedbackInit >= 0 && Number.isFinite(p.feedbackInit))) throw new Error(`qagrel: parameter feedbackInit must be a finite number >= 0, got ${p.feedbackInit}`);
    // Optimistic initial values (a standard exploration device of value learning): every action starts
    // out predicting reward `optimism`, so wrong greedy choices are pushed down until the right one wins.
    if (p.optimism !== 0 && net.bias) net.output.b.data.fill(p.optimism);
    if (p.outputInit !== 1) net.lib.scal(net.output.W, p.outputInit);
    return initAttention(net, p, rng, p.feedbackInit);
  },
  params: (s) => s.params,
  teach(ctx, s, p) {
    const { net, rows, rng } = ctx;
    const C = net.classes, q = net.output.post.data;
    for (let r = 0; r < rows; r++) {
      // Action selection: ε-greedy with softmax exploration (one uniform, plus one for the draw).
      let a: number;
      if (rng.uniform() < p.epsilon) {
        softmaxRow(q, r * C, C, 1, s.probs);
        a = sample(rng, s.probs, C);
      } else a = argmax(q, r * C, C);
      const reward = environmentReward(net, r, a);
      s.action[r] = a;
      s.reward[r] = reward;
      s.mod[r] = reward - q[r * C + a]!; // reward-prediction error: the neuromodulator
    }
    attentionTeach(ctx, s);
  },
  update: (ctx) => localGrads(ctx),
});

