/** Equilibrium propagation (Scellier & Bengio 2017; symmetric nudging: Laborieux et al. 2021).
 *
 *  Energy (layered, hard-sigmoid states, γ-weighted as in src/net/settle.ts; γ = 1 is the paper's):
 *    E(s) = Σ_l γ^l [½‖s_l‖² − s_l·(W_l s_{l−1} + b_l)],  F = E + β·C(s_L),  C = the network's loss.
 *  Free phase: s⁰ = argmin E (settled from a feedforward warm start). Nudged phase: s^β = argmin F,
 *  settled from s⁰. Gradient estimate of J(θ) = C(s⁰(θ)) (EP's theorem: exact as β → 0):
 *    dW_l = −(γ^{l−top}/β)·(1/B)·[s^β_l s^βᵀ_{l−1} − s⁰_l s⁰ᵀ_{l−1}],  db_l = −(γ^{l−top}/β)·mean(s^β_l − s⁰_l)
 *  (the γ^l energy weights give Xie & Seung's per-layer factor; with γ = 1 it is Scellier & Bengio's).
 *  Options: `randomSign` draws the sign of β per minibatch (the original code: unbiased on average);
 *  `symmetric` settles a third phase at −β and uses (s^{+β} − s^{−β})/(2β): O(β²) bias (Laborieux).
 *  Cost: the network's loss (softmax cross-entropy on a linear output by default, or ½‖s − y‖²), so
 *  the loss EP descends is the one the trainer reports; paper: Frontiers Comput. Neurosci. 11:24.
 *
 *  Objections (the six objections of Hunsberger 2018, PhD thesis, ch. "Biological deep learning"):
 *  - weight transport: NOT removed — feedback uses W_{l+1}ᵀ (symmetric energy).
 *  - derivative transport: removed — no f′ is sent anywhere; it is implicit in the state difference.
 *  - linear feedback: removed — the error travels through the same nonlinear units as the activity.
 *  - spiking: kept as a rule (it is defined on rates), but it runs on spiking networks (--spiking: every
 *    phase a LIF window, EqSpike-style update; the output and its feedback stay graded). The spiking form is
 *    chl's paired one (shared/phase-spiking.ts): the free window feedforward, each nudged window with the free
 *    window's bottom-up spikes replayed and only the spike difference fed back, the output's ∓β·e at gain
 *    spikeGain; with feedback in every window (paired = false) the layers below the top hidden one learn from
 *    spike rounding only.
 *  - timing: partly — two (or three) phases; the free state must be held until the nudged one is known.
 *  - target: not removed — the output is nudged towards a label. */
import { defineRule } from './types.js';
import { SpikingNetwork } from '../net/spiking.js';
import type { SettleOptions } from '../net/settle.js';
import { phaseState, freePhase, contrast, settleOptions, settleMetrics, settleState, type PhaseState } from './shared/phase.js';
import { PHASE_SIM, spikingPhaseState, spikingPhases, spikingContrast, isSpikingPhase, phaseResume, type SpikingPhaseState, type PairedParams } from './shared/phase-spiking.js';

export interface EqpropParams extends SettleOptions, PairedParams {
  beta: number;
  symmetric: boolean;
  randomSign: boolean;
}

interface Common {
  /** β of the current minibatch (its sign is random with randomSign). */
  beta: number;
  scale: (l: number) => number;
  /** scale(l)/(2β) or scale(l)/β: the contrast's factor (made once). */
  symScale: (l: number) => number;
  oneScale: (l: number) => number;
}
type State = (PhaseState & Common) | (SpikingPhaseState & Common);
type RateState = PhaseState & Common;

function check(p: EqpropParams): void {
  if (!(Number.isFinite(p.beta) && p.beta > 0 && p.beta < 2)) throw new RangeError(`eqprop: beta must be in (0, 2) (the nudged output step contracts for |β| < 2), got ${p.beta}`);
  if (typeof p.symmetric !== 'boolean') throw new TypeError(`eqprop: symmetric must be true or false, got ${String(p.symmetric)}`);
  if (typeof p.randomSign !== 'boolean') throw new TypeError(`eqprop: randomSign must be true or false, got ${String(p.randomSign)}`);
  settleOptions('eqprop', p);
  if (typeof p.paired !== 'boolean') throw new TypeError(`eqprop: paired must be true or false, got ${String(p.paired)}`);
  if (!(p.spikeGain > 0) || !Number.isFinite(p.spikeGain)) throw new RangeError(`eqprop: spikeGain must be a finite number > 0, got ${p.spikeGain}`);
}

/** Keeps the nudged phase in the +β slot, or the −β slot when the current β is negative. */
function snapshotNudged(s: RateState, rows: number): void {
  s.settler.snapshot(s.beta > 0 ? 'plus' : 'minus', rows);
}

export const eqprop = defineRule<EqpropParams, State>({
  id: 'eqprop',
  title: 'Equilibrium propagation',
  cite: 'Scellier & Bengio 2017, Front. Comput. Neurosci. 11:24; Laborieux et al. 2021, Front. Neurosci. 15:633674',
  noConv: "its energy and settling dynamics here are dense (Laborieux et al. 2021's convolutional energy, with pooling inside the dynamics, is not built)",
  objections: { removes: ['derivativeTransport', 'linearFeedback'], partly: ['timing'] },
  defaults: { beta: 0.5, symmetric: true, randomSign: false, gamma: 0.5, eps: 1, maxIter: 10, tol: 1e-3, paired: true, spikeGain: 3 },
  // the rate form reads neither
  spikingParams: ['paired', 'spikeGain'],
  // lr 5e-4: at 1e-3 the three-hidden-layer net plateaus until the schedule anneals (docs/measurements.md).
  train: { optimizer: 'adam', lr: 5e-4, momentum: 0, weightDecay: 0, schedule: 'cosine', activation: 'hardSigmoid', init: 'xavier', epochs: 15, batch: 50, hidden: [500] },
  spiking: {
    sim: PHASE_SIM,
    train: { epochs: 10 }, // a spiking epoch costs three presentations of 40 steps per example
    parts: {
      forward: 'LIF spikes from a deterministic rate-coded input, feedforward; the free phase is one presentation, whose spikes are kept step by step for the nudged ones.',
      feedback: 'Spikes: in a nudged presentation each hidden layer receives γ_s·Wᵀ times the difference of the layer above\'s spikes from its free-presentation spikes at the same step, and its bottom-up input is the free presentation\'s spikes, replayed; the last hidden layer receives γ_s·W_topᵀ(∓β·e), graded.',
      error: 'Graded at the output: in later presentations of the same input (+β, then −β) the output\'s difference from the free phase is ∓β·e, e = ∂C/∂y of the free phase (the first-order form of EP\'s nudge); below it the error travels as spike differences.',
      update: 'At the end of the last presentation: presynaptic free spike rates times the postsynaptic membrane change (the mean surrogate times the change of the mean input current) between the +β and −β presentations, over 2β, scaled by γ_s^{l−top} (the windowed form of EqSpike\'s update in EP\'s small-β limit); the input side is the pixel rate.',
    },
  },
  init(net, p, ws) {
    check(p);
    const spiking = net instanceof SpikingNetwork, pairs = spiking && p.paired;
    const top = net.layers.length - 1, g = pairs ? p.spikeGain : p.gamma, scale = (l: number) => g ** (l - top);
    const base = spiking
      ? spikingPhaseState('eqprop', net, ws, PHASE_SIM, p.symmetric ? [{ kind: 'nudge', sign: 1 }, { kind: 'nudge', sign: -1 }] : [{ kind: 'nudge', sign: 1 }], p.paired)
      : phaseState(net, ws, ['free', 'plus', 'minus']);
    const s: State = Object.assign(base, { beta: p.beta, scale, symScale: (l: number) => scale(l) / (2 * p.beta), oneScale: (l: number) => scale(l) / s.beta });
    return s;
  },
  forward(ctx, s, p, training) {
    if (isSpikingPhase(s)) {
      s.beta = training && !p.symmetric && p.randomSign && (ctx.rng.nextU32() & 1) ? -p.beta : p.beta;
      spikingPhases(ctx, s, p.paired ? p.spikeGain : p.gamma, s.beta, training);
      return;
    }
    freePhase(ctx, s, p, 'free');
    if (training) s.settler.snapshot('free', ctx.rows);
  },
  teach(ctx, s, p) {
    if (isSpikingPhase(s)) return; // the spiking window ran every phase in forward
    const { rows } = ctx, st = s.settler;
    s.beta = p.randomSign && (ctx.rng.nextU32() & 1) ? -p.beta : p.beta;
    st.settle(rows, { kind: 'nudge', beta: s.beta }, p, 'nudged');
    snapshotNudged(s, rows);
    if (p.symmetric) {
      st.restore('free', rows);
      s.beta = -s.beta;
      st.settle(rows, { kind: 'nudge', beta: s.beta }, p, 'nudged');
      snapshotNudged(s, rows);
      s.beta = -s.beta;
    }
    st.restore('free', rows); // the prediction the trainer scores is the free phase's
  },
  update(ctx, s, p) {
    if (isSpikingPhase(s)) {
      // Paired: the leading term Δ_l·s̄ᵀ_{l−1} only, as chl's (its free window is EP's γ → 0 limit, where the cross
      // term s̄_l·Δᵀ_{l−1} is O(γ)), with s̄ the midpoint of the ±β states (s⁺s⁺ᵀ − s⁻s⁻ᵀ = Δ·s̄ᵀ + s̄·Δᵀ), which is
      // the free state to first order; one-sided, s̄ is the free state itself.
      if (p.paired) {
        if (p.symmetric) spikingContrast(ctx, s, 1, 2, s.symScale, 'mid', 'none');
        else spikingContrast(ctx, s, 1, 0, s.oneScale, 'minus', 'none');
      } else if (p.symmetric) spikingContrast(ctx, s, 1, 2, s.symScale, 'minus', 'plus');
      else spikingContrast(ctx, s, 1, 0, s.oneScale, 'minus', 'plus');
      return;
    }
    const st = s.settler;
    if (p.symmetric) {
      // +β and −β slots hold the phases at +|β| and −|β| whatever the sign drawn
      contrast(ctx, s, st.slot('plus'), st.slot('minus'), (l) => s.scale(l) / (2 * p.beta), 'minus', 'plus');
    } else {
      const nudged = st.slot(s.beta > 0 ? 'plus' : 'minus');
      contrast(ctx, s, nudged, st.slot('free'), (l) => s.scale(l) / s.beta, 'minus', 'plus');
    }
  },
  record: { metrics: (s) => (isSpikingPhase(s) ? {} : settleMetrics(s)) },
  resume: phaseResume(settleState),
});
