/** Backpropagation: the baseline every other rule is read against.
 *  δ_L = e ⊙ f'(a_L),  δ_l = (δ_{l+1} W_{l+1}) ⊙ f'(a_l),  dW_l = δ_lᵀ h_{l−1} / batch.
 *  Rumelhart, Hinton, Williams 1986, Nature 323:533. Removes none of the six objections.
 *  Spiking (--spiking): backpropagation through time with surrogate gradients through the LIF window
 *  (Neftci, Mostafa & Zenke 2019; src/rules/shared/bptt.ts), the baseline of the spiking rules. */
import { defineRule } from './types.js';
import { chain, localGrads } from './shared/common.js';
import { Bptt } from './shared/bptt.js';
import { SpikingNetwork } from '../net/spiking.js';

export const bp = defineRule({
  id: 'bp',
  title: 'Backpropagation',
  cite: 'Rumelhart, Hinton & Williams 1986, Nature 323:533',
  objections: { removes: [] },
  defaults: {},
  conv: true,
  // LeNet-style networks: with the dense recipe (no weight decay) LeNet-5 fits MNIST's training set
  // exactly within 14 epochs and its test error stops falling; L2 weight decay 5e-4, the usual setting
  // for LeNet-5 under SGD with momentum, keeps it improving (docs/measurements.md).
  convDefaults: { train: { weightDecay: 5e-4 } },
  // 784-256-256-256-10 ReLU, He init, SGD + momentum 0.9, cosine decay. Results: docs/report.md.
  train: { optimizer: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0, schedule: 'cosine', activation: 'relu', init: 'he', epochs: 20, batch: 100, hidden: [256, 256, 256] },
  spiking: {
    noConv: 'backpropagation through time is built for dense LIF layers: the adjoint of a spiking convolution and of its pooling over the window is not',
    // Adam 5e-3 with a cosine decay, chosen on an MNIST slice against 2e-3. A 4 ms step: at 1 ms the
    // LIF time constants (tauMem 20 ms) leave hidden neurons 0–3 spikes in a 25-step window, and the
    // deeper layers fall nearly silent; at 4 ms the same 25 steps span 100 ms and the input 0.8 spikes
    // per step at most, which learned faster on the slice than 1 or 2 ms.
    train: { optimizer: 'adam', lr: 5e-3, momentum: 0, weightDecay: 0, schedule: 'cosine', epochs: 10 },
    sim: { steps: 25, dt: 4e-3, encoder: 'poisson', maxRate: 200 },
    parts: {
      forward: 'LIF spikes from Poisson input through an exponential current synapse; a leaky membrane readout of the last hidden layer gives the output.',
      feedback: 'Not spiking: the error travels back through time and through the transposed weights Wᵀ as graded adjoints (backpropagation through time).',
      error: 'Graded: softmax of the time-averaged readout minus the label, once per window.',
      update: 'Once per window: the sum over time steps of each step\'s presynaptic spikes times the adjoint of the postsynaptic current, which carries the surrogate derivative of the membrane (spike times enter, through the record of the window).',
    },
  },
  init: (net) => (net instanceof SpikingNetwork ? new Bptt(net, net.sim) : null),
  // Only a spiking training window records what the adjoint needs; everything else is the plain pass.
  forward(ctx, s, _p, training) {
    if (s !== null && training) s.forward(ctx.rows);
    else ctx.net.forward(ctx.rows);
  },
  teach: (ctx, s) => (s === null ? chain(ctx, (l) => ctx.net.layers[l]!.W) : s.backward(ctx.rows)),
  update: (ctx, s) => (s === null ? localGrads(ctx) : s.grads(ctx.rows)),
});
