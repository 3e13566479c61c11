/** Contrastive Hebbian learning with Xie & Seung's feedback gain (Movellan 1991; Xie & Seung 2003).
 *
 *  Layered net with top-down feedback γ·W_{l+1}ᵀ (src/net/settle.ts):
 *    s_l = f(W_l s_{l−1} + b_l + γ·W_{l+1}ᵀ s_{l+1}),  output linear (or the net's output activation).
 *  Free phase s⁻: input clamped, settled from a feedforward warm start. Clamped phase s⁺: output held
 *  at the outcome t, the hidden layers settled again from s⁻. Update (Xie & Seung's rescaled CHL):
 *    dW_l = −γ^{l−top}·(1/B)·[s⁺_l s⁺ᵀ_{l−1} − s⁻_l s⁻ᵀ_{l−1}],  db_l = −γ^{l−top}·mean(s⁺_l − s⁻_l)
 *  For small γ, s⁺_l − s⁻_l ≈ −γ^{top−l}·δ_l (backprop's error at layer l), so dW_l → backprop's
 *  gradient as γ → 0; γ = 1 is Movellan's CHL in the continuous Hopfield net. The outcome t is the
 *  one-hot target for an MSE net; for softmax cross-entropy on a linear output it is s⁻_L − e
 *  (e = softmax − y), so the clamped output moves by backprop's output error (our generalisation).
 *  Pitfall (Xie & Seung 2003, Neural Comput. 15:441): the hidden differences shrink like γ^{top−l} and the γ^{l−top} factor
 *  amplifies settling error. Default γ = 0.05 with a tight tol (1e-5): the free phase must converge (the
 *  h↔output loop contracts only while γ·‖W_{l+1}‖² < 1), else its leftover drift, amplified by γ^{l−top},
 *  swamps the signal. The O(γ) term s⁺_L·Δᵀ_{top−1} of the output update grows with the logits under
 *  cross-entropy, so γ stays small (0.05; the runs that chose it: docs/measurements.md).
 *
 *  Objections (the six objections of Hunsberger 2018, PhD thesis, ch. "Biological deep learning"):
 *  - weight transport: NOT removed — feedback is γ·Wᵀ.
 *  - derivative transport: removed — f′ is implicit in the phase difference.
 *  - linear feedback: removed — the clamped output's effect travels through the nonlinear units.
 *  - spiking: not removed (rate model).
 *  - timing: partly — two phases; the free-phase activity must be remembered.
 *  - target: not removed — the output is clamped to a label-derived target. */
import { defineRule } from './types.js';
import { phaseState, clampedPhaseHooks, contrast, gammaScale, settleOptions, settleMetrics, settleState, type ScaledPhaseState } from './shared/phase.js';

export interface ChlParams {
  gamma: number;
  eps: number;
  maxIter: number;
  tol: number;
}

type State = ScaledPhaseState;

export const chl = defineRule<ChlParams, State>({
  id: 'chl',
  title: 'Contrastive Hebbian learning (Xie & Seung gain)',
  cite: 'Movellan 1991, Connectionist Models Summer School; Xie & Seung 2003, Neural Comput. 15:441',
  objections: { removes: ['derivativeTransport', 'linearFeedback'], partly: ['timing'] },
  defaults: { gamma: 0.05, eps: 1, maxIter: 20, tol: 1e-5 },
  // 6 epochs, not 15: with longer runs the free phase stops converging as the weights grow and accuracy
  // falls after its peak; shorter annealing avoids it (docs/measurements.md).
  train: { optimizer: 'adam', lr: 1e-3, momentum: 0, weightDecay: 0, schedule: 'cosine', activation: 'hardSigmoid', init: 'xavier', epochs: 6, batch: 50, hidden: [500] },
  init(net, p, ws) {
    settleOptions('chl', p);
    return { ...phaseState(net, ws, ['free', 'clamped']), scale: gammaScale(net, p.gamma) };
  },
  ...clampedPhaseHooks('free', 'clamped'),
  update(ctx, s) {
    contrast(ctx, s, s.settler.slot('clamped'), s.settler.slot('free'), s.scale, 'minus', 'plus');
  },
  record: { metrics: (s) => settleMetrics(s) },
  resume: settleState,
});
