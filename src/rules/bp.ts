/** Backpropagation: the baseline every other rule is read against.
 *  δ_L = e ⊙ f'(a_L),  δ_l = (δ_{l+1} W_{l+1}) ⊙ f'(a_l),  dW_l = δ_lᵀ h_{l−1} / batch.
 *  Rumelhart, Hinton, Williams 1986, Nature 323:533. Removes none of the six objections. */
import { defineRule } from './types.js';
import { chain, localGrads } from './shared/common.js';

export const bp = defineRule({
  id: 'bp',
  title: 'Backpropagation',
  cite: 'Rumelhart, Hinton & Williams 1986, Nature 323:533',
  objections: { removes: [] },
  defaults: {},
  conv: true,
  // 784-256-256-256-10 ReLU, He init, SGD + momentum 0.9, cosine decay. Results: docs/report.md.
  train: { optimizer: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 0, schedule: 'cosine', activation: 'relu', init: 'he', epochs: 20, batch: 100, hidden: [256, 256, 256] },
  init: () => null,
  teach: (ctx) => chain(ctx, (l) => ctx.net.layers[l]!.W),
  update: (ctx) => localGrads(ctx),
});
