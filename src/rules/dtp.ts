/** Difference target propagation (DTP).
 *  Lee, Zhang, Fischer & Bengio 2015, "Difference Target Propagation", ECML-PKDD, LNCS 9284:498 (arXiv:1412.7525).
 *
 *  Hidden layers 0..H−1, output layer H (linear + softmax cross-entropy), e = ∂L/∂a_H.
 *    output:      δ_H = e                                   (the top layer learns from the loss directly)
 *    top target:  ĥ_{H−1} = h_{H−1} − η̂ · e·W_H              (the only gradient step, local to the top)
 *    targets:     ĥ_{i−1} = h_{i−1} + g_i(ĥ_i) − g_i(h_i)    (difference correction), i = H−1 … 1
 *    forward:     δ_i = (h_i − ĥ_i) ⊙ f'(a_i), dW_i = δ_iᵀ h_{i−1} / batch   (∇ of ½‖f_i(h_{i−1}) − ĥ_i‖²)
 *    feedback:    g_i(h) = f_{i−1}(V_i h + c_i), trained on the denoising loss ½‖g_i(f_i(h̃)) − h̃‖²,
 *                 h̃ = h_{i−1} + σε ('dae', Lee et al.), or on the difference reconstruction loss of
 *                 Meulemans et al. 2020 (NeurIPS, arXiv:2006.14331) restricted to one layer ('drl').
 *  V_i, c_i are rule params (allocated once in init) stepped by the shared optimiser each step, together
 *  with the forward weights (Lee et al. alternate whole epochs of feedback and forward training; training
 *  both on every batch is simpler and needs no schedule). Every layer is updated: the released 7-layer
 *  script (donghyunlee/dtp, conti_dtp.py) never updates W6 and b5; here nothing is skipped.
 *
 *  Objections (the six objections of Hunsberger 2018, PhD thesis, ch. "Biological deep learning"):
 *    weightTransport     removed: targets travel through the learned V_i, never through W.
 *    derivativeTransport removed: a layer uses only its own f'; no downstream derivative travels.
 *    linearFeedback      removed: feedback is the nonlinear g_i, and what travels is a target.
 *    spiking             not removed as a rule (it is defined on rates), but it runs on spiking networks
 *                        (--spiking: teach/update read the LIF window's rates and mean surrogates; targets
 *                        and decoders stay rate-coded, the decoders modelling each layer by its neurons'
 *                        LIF rate curve, rateModel 'lif').
 *    timing              not removed: a target pass and two feedback passes after the forward pass.
 *    target              not removed: the top target needs the label. */
import { defineRule } from './types.js';
import { outputDelta, localGrads } from './shared/common.js';
import type { Tensor } from '../core/tensor.js';
import type { Network } from '../net/network.js';
import type { Workspace } from '../core/workspace.js';
import type { Rng } from '../core/rng.js';
import type { StepContext } from './types.js';
import { RATE_RULE_WINDOW } from './shared/spiking.js';
import {
  makeInverses, inverseParams, learnedFeedback, differenceTargets, inverseGrads, topTarget,
  RATE_MODELS, type Inverses, type FeedbackMap, type FeedbackLoss, type RateModel,
} from './shared/inverses.js';

export interface DtpParams {
  /** η̂: step size of the top hidden target along −∂L/∂h (Lee et al.: 0.3277). */
  targetStep: number;
  /** σ: std of the Gaussian corruption in the feedback loss (Lee et al.: 0.36). */
  sigma: number;
  /** Feedback loss: 'dae' (Lee et al. 2015) or 'drl' (Meulemans et al. 2020, layer-local). */
  feedback: FeedbackLoss;
  /** Spiking form only: the rate model f of a LIF layer in the decoders and the feedback loss, 'lif' (the
   *  neurons' soft-LIF rate curve, Hunsberger & Eliasmith 2015) or 'activation' (the layer activation). */
  rateModel: RateModel;
}

export interface DtpState {
  inv: Inverses;
  /** ĥ_i per hidden layer [batch, n_i]. */
  targets: Tensor[];
  fb: FeedbackMap;
  clean: Tensor[];
  scratch: Tensor[];
}

/** What is spiking in the target rules' spiking forms with ReLU decoders (dtp-inference's adds its update;
 *  dtp's decoders model the LIF rate curve, and its feedback sentence says so). */
export const SPIKING_TARGET_PARTS = {
  forward: 'LIF spikes from Poisson input; a leaky membrane readout of the last hidden layer gives the output.',
  feedback: 'Rate-coded: targets travel down through the learned decoders as graded rates (soft-LIF rate models of the layers below, rateModel \'lif\'), computed once per window from the hidden firing rates; the decoders learn from those rates, not from spikes.',
  error: 'Graded: softmax of the readout minus the label, once per window; it sets the top hidden target.',
  update: 'Once per window, from each layer\'s firing rate minus its target times the mean surrogate derivative, and the presynaptic rates (rates, not spike times).',
};

export function checkDtpParams(id: string, p: DtpParams): void {
  if (!(p.targetStep > 0) || !Number.isFinite(p.targetStep)) throw new Error(`${id}: targetStep must be a positive finite number, got ${p.targetStep}`);
  if (!(p.sigma >= 0) || !Number.isFinite(p.sigma)) throw new Error(`${id}: sigma must be a finite number >= 0, got ${p.sigma}`);
  if (p.feedback !== 'dae' && p.feedback !== 'drl') throw new Error(`${id}: feedback must be 'dae' or 'drl', got '${String(p.feedback)}'`);
  if (!RATE_MODELS.includes(p.rateModel)) throw new Error(`${id}: rateModel must be ${RATE_MODELS.map((m) => `'${m}'`).join(' or ')}, got '${String(p.rateModel)}'`);
}

/** `model` is read on a spiking network only (a rate network's f is its activation). */
export function makeDtpState(net: Network, ws: Workspace, rng: Rng, model: RateModel = 'activation', id = 'dtp'): DtpState {
  const inv = makeInverses(net, ws, rng, model, id);
  const H = net.layers.length - 1;
  const targets = net.layers.slice(0, H).map((l) => ws.f32([net.batch, l.outSize]));
  // clean[i] = g_i(h_i), scratch[i] = g_i(ĥ_i): the decoder's own buffers (null slots never read)
  const clean = inv.layers.map((g) => g?.g0h) as Tensor[];
  const scratch = inv.layers.map((g) => g?.gh) as Tensor[];
  return { inv, targets, fb: learnedFeedback(net, inv), clean, scratch };
}

/** DTP's teaching signals: output δ from the loss, hidden δ_i = (h_i − ĥ_i) ⊙ f'(a_i). */
export function dtpTeach(ctx: StepContext, s: DtpState, p: DtpParams): void {
  const { net, rows } = ctx;
  const lib = net.lib, H = net.layers.length - 1;
  outputDelta(ctx);
  if (H === 0) return;
  topTarget(ctx, p.targetStep, s.targets[H - 1]!);
  differenceTargets(ctx, H - 1, s.targets, s.fb, s.clean, s.scratch);
  for (let i = 0; i < H; i++) {
    const l = net.layers[i]!;
    lib.sub(l.delta.head(rows), l.post.head(rows), s.targets[i]!.head(rows));
    lib.mul(l.delta.head(rows), l.delta.head(rows), l.deriv.head(rows));
  }
}

export const dtp = defineRule<DtpParams, DtpState>({
  id: 'dtp',
  title: 'Difference target propagation',
  cite: 'Lee, Zhang, Fischer & Bengio 2015, ECML-PKDD, LNCS 9284:498',
  noConv: "its learned inverses g_l are dense maps from one layer back to the one below (Lee et al. 2015); a convolution's inverse through pooling would need a learned transposed convolution and unpooling, which is not built",
  objections: { removes: ['weightTransport', 'derivativeTransport', 'linearFeedback'] },
  spiking: {
    // On a SpikingNetwork (--spiking) the same teach/update run on LIF rates and mean surrogates. The
    // decoders g_i and the forward map f_i of the denoising loss model each LIF layer by its neurons' rate
    // curve (rateModel 'lif': the soft-LIF rate of Hunsberger & Eliasmith 2015 in the units of the window's
    // rates), so a decoder is trained to invert the map the spiking rates actually follow: Lee et al.'s
    // difference correction (2015, eq. 13) holds only if g_i ∘ f_i is close to the identity on the rates it
    // is applied to. ReLU, the activation, rises without bound where LIF rates bend towards 1/refractory.
    // The activation stays ReLU (rates are never negative); He init and Adam 5e-3 as the other rate rules.
    train: { activation: 'relu', init: 'he', lr: 5e-3 },
    // dfa's window (src/rules/dfa.ts): 100 steps at up to 200 Hz.
    sim: RATE_RULE_WINDOW,
    parts: SPIKING_TARGET_PARTS,
  },
  defaults: { targetStep: 0.33, sigma: 0.36, feedback: 'dae', rateModel: 'lif' },
  // Read on spiking networks only: a rate run is the same computation whatever it holds.
  spikingParams: ['rateModel'],
  // tanh as in the paper; Adam (scale-free per weight, like the paper's RMSprop) at 1e-3 with a
  // cosine decay. Results: docs/report.md.
  train: { optimizer: 'adam', lr: 0.001, momentum: 0, weightDecay: 0, schedule: 'cosine', activation: 'tanh', init: 'xavier', epochs: 20, batch: 100, hidden: [256, 256, 256] },
  init: (net, p, ws, rng) => {
    checkDtpParams('dtp', p);
    return makeDtpState(net, ws, rng, p.rateModel, 'dtp');
  },
  params: (s) => inverseParams(s.inv),
  teach: dtpTeach,
  update: (ctx, s, p) => {
    localGrads(ctx);
    inverseGrads(ctx, s.inv, p.sigma, p.feedback);
  },
});
