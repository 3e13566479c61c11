/** GeneRec, generalized recirculation (O'Reilly 1996), with its symmetric and midpoint variants.
 *
 *  Minus phase: input clamped, the bidirectional net (feedback γ·W_{l+1}ᵀ, γ = 0.2 by default) settles
 *  → x⁻. Plus phase: the output is also clamped to the outcome t (as in chl.ts) and the hidden layers
 *  settle again from x⁻ → x⁺. For a weight from sending unit x (layer l−1) to receiving unit y (layer l):
 *    basic:      Δw = (y⁺ − y⁻)·x⁻
 *    symmetric:  Δw = (y⁺ − y⁻)·x⁻ + y⁻·(x⁺ − x⁻)
 *    midpoint:   Δw = (y⁺ − y⁻)·½(x⁻ + x⁺)
 *    both:       Δw = (y⁺ − y⁻)·x̄ + ȳ·(x⁺ − x⁻) = y⁺x⁺ − y⁻x⁻   (CHL, O'Reilly's derivation)
 *  bias: Δb = y⁺ − y⁻. dW = −γ^{l−top}·mean over the batch of Δw (γ^{l−top} = 1 for γ = 1; kept so
 *  that symmetric+midpoint equals chl at any γ). Input→hidden: x⁺ = x⁻, so midpoint = basic there.
 *  Paper: Neural Comput. 8(5):895–938. Pitfall (O'Reilly & Munakata 2000, Computational Explorations in
 *  Cognitive Neuroscience, on GeneRec's successor Leabra): plain GeneRec degrades with depth (strong
 *  attractors); bench/rules/phase.js measures it.
 *
 *  Objections (the six objections of Hunsberger 2018, PhD thesis, ch. "Biological deep learning"):
 *  - weight transport: partly — reciprocal weights must be roughly symmetric (here W_{l+1}ᵀ itself).
 *  - derivative transport: removed — σ′ is implicit in y⁺ − y⁻.
 *  - linear feedback: removed — the error travels through the ordinary nonlinear units.
 *  - spiking: kept as a rule (it is defined on rates), but it runs on spiking networks (--spiking: both
 *    phases as LIF windows, EqSpike-style update; the output and its feedback stay graded). The spiking form is
 *    chl's paired one (shared/phase-spiking.ts): the minus window feedforward, the plus window with its
 *    bottom-up spikes replayed and only the spike difference fed back at gain spikeGain; with feedback in both
 *    windows (paired = false) the layers below the top hidden one learn from spike rounding only.
 *  - timing: partly — minus-phase activity must be kept until the plus phase.
 *  - target: not removed. */
import { defineRule } from './types.js';
import { SpikingNetwork } from '../net/spiking.js';
import type { SettleOptions } from '../net/settle.js';
import { phaseState, clampedPhaseHooks, contrast, gammaScale, settleOptions, settleMetrics, settleState, type ScaledPhaseState } from './shared/phase.js';
import { PHASE_SIM, spikingPhaseState, spikingPhases, spikingContrast, isSpikingPhase, phaseResume, type SpikingPhaseState, type PairedParams } from './shared/phase-spiking.js';

export interface GenerecParams extends SettleOptions, PairedParams {
  symmetric: boolean;
  midpoint: boolean;
}

type State = ScaledPhaseState | (SpikingPhaseState & { scale: (l: number) => number });

const hooks = clampedPhaseHooks('minus', 'plus');

export const generec = defineRule<GenerecParams, State>({
  id: 'generec',
  title: 'GeneRec (generalized recirculation)',
  cite: "O'Reilly 1996, Neural Comput. 8(5):895",
  noConv: "it settles a dense bidirectional network in two phases (O'Reilly 1996 defines it on dense layers), and the settling dynamics here are dense",
  objections: { removes: ['derivativeTransport', 'linearFeedback'], partly: ['weightTransport', 'timing'] },
  // γ = 0.2 with up to 40 sweeps. At γ = 1 (O'Reilly's full-strength reciprocal weights) the minus phase
  // of a net with several hidden layers does not settle within any affordable sweep cap (the strong
  // attractors O'Reilly & Munakata 2000 describe), so y⁺ − y⁻ compares two unsettled states and the net
  // stays near chance; a weaker loop settles in about half the cap, and γ^{l−top} restores a backprop-sized
  // step (Xie & Seung 2003). The slice runs that chose it: docs/measurements.md.
  defaults: { symmetric: false, midpoint: true, gamma: 0.2, eps: 1, maxIter: 40, tol: 1e-3, paired: true, spikeGain: 3 },
  // the rate form reads neither
  spikingParams: ['paired', 'spikeGain'],
  train: { optimizer: 'adam', lr: 1e-3, momentum: 0, weightDecay: 0, schedule: 'cosine', activation: 'hardSigmoid', init: 'xavier', epochs: 15, batch: 50, hidden: [500] },
  spiking: {
    sim: PHASE_SIM,
    parts: {
      forward: 'LIF spikes from a deterministic rate-coded input, feedforward; the minus phase is one presentation, whose spikes are kept step by step for the plus one.',
      feedback: 'Spikes: in the plus presentation each hidden layer receives γ_s·Wᵀ times the difference of the layer above\'s spikes from its minus-presentation spikes at the same step, and its bottom-up input is the minus presentation\'s spikes, replayed; the last hidden layer receives γ_s·W_topᵀ(−e), graded.',
      error: 'Graded at the output: in a second presentation of the same input the output\'s difference is −e = −∂C/∂y of the minus phase (the outcome t = ȳ⁻ − e); below it the error travels as spike differences.',
      update: 'At the end of the plus presentation: presynaptic spike rates (the midpoint of the minus rate and the plus state, or the minus rate) times the postsynaptic membrane change (the mean surrogate times the change of the mean input current), scaled by γ_s^{l−top} (the windowed form of EqSpike\'s update); the input side is the pixel rate. The midpoint\'s half difference ½Δ_{l−1} adds ½γ_s^{top−l+1}·δ_l·δᵀ_{l−1} to layer l\'s update, which at γ_s > 1 grows with depth and turns the second hidden layer of three away from backprop\'s gradient (midpoint = false: chl\'s update).',
    },
  },
  init(net, p, ws) {
    if (typeof p.symmetric !== 'boolean') throw new TypeError(`generec: symmetric must be true or false, got ${String(p.symmetric)}`);
    if (typeof p.midpoint !== 'boolean') throw new TypeError(`generec: midpoint must be true or false, got ${String(p.midpoint)}`);
    settleOptions('generec', p);
    if (typeof p.paired !== 'boolean') throw new TypeError(`generec: paired must be true or false, got ${String(p.paired)}`);
    if (!(p.spikeGain > 0) || !Number.isFinite(p.spikeGain)) throw new RangeError(`generec: spikeGain must be a finite number > 0, got ${p.spikeGain}`);
    if (net instanceof SpikingNetwork) {
      const scale = gammaScale(net, p.paired ? p.spikeGain : p.gamma);
      return { ...spikingPhaseState('generec', net, ws, PHASE_SIM, [{ kind: 'clamp' }], p.paired), scale };
    }
    const scale = gammaScale(net, p.gamma);
    return { ...phaseState(net, ws, ['minus', 'plus']), scale };
  },
  forward(ctx, s, p, training) {
    if (isSpikingPhase(s)) spikingPhases(ctx, s, p.paired ? p.spikeGain : p.gamma, 0, training);
    else hooks.forward(ctx, s, p, training);
  },
  teach(ctx, s, p) {
    if (!isSpikingPhase(s)) hooks.teach(ctx, s, p); // the spiking windows ran both phases in forward
  },
  update(ctx, s, p) {
    const pre = p.midpoint ? 'mid' : 'minus';
    const post = p.symmetric ? (p.midpoint ? 'mid' : 'minus') : 'none';
    if (isSpikingPhase(s)) spikingContrast(ctx, s, 1, 0, s.scale, pre, post);
    else contrast(ctx, s, s.settler.slot('plus'), s.settler.slot('minus'), s.scale, pre, post);
  },
  record: { metrics: (s) => (isSpikingPhase(s) ? {} : settleMetrics(s)) },
  resume: phaseResume(settleState),
});
