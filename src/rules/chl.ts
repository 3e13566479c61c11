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
 *  Pitfall (Xie & Seung 2003, Neural Comput. 15:441): the hidden differences shrink like γ^{top−l} and the
 *  γ^{l−top} factor amplifies whatever else the difference holds. Two guards:
 *  - loopGain: the h↔output loop contracts only while γ·‖W_{l+1}‖² < 1, and the weights grow in training
 *    (cross-entropy pushes the logits up), so a fixed γ ends above 1 after a few MNIST epochs: the free phase
 *    then stops at maxIter on every batch and accuracy falls. γ is lowered per batch to keep
 *    γ·‖W_l‖_F² <= loopGain (boundedGain in shared/phase.ts); smaller γ is closer to backprop, not further.
 *  - form 'difference': the clamped phase settles Δ = s⁺ − s⁻ itself, relative to the settled free state
 *    and not linearised (exact for the hard sigmoid: Settler.settleDifference). Xie & Seung's equivalence
 *    assumes s⁺ − s⁻ is known exactly however small γ^{top−l}·δ_l is; formed as the difference of two
 *    float32 states it has an absolute floor of their rounding unit (~3e-8), which three hidden layers at
 *    γ ~ 1e-3 put above the bottom layer's whole signal (~1e-11), whose update is then rounding noise
 *    times γ^{-3}. As a state, Δ_l keeps float32's relative precision at any size, and the free phase's
 *    unconverged drift does not enter it. 'hold' (the free snapshot relaxed once more with the output
 *    held, so drift cancels in s⁺ − s⁻) and 'plain' remain for comparison; both keep the floor.
 *  The O(γ) term s⁺_L·Δᵀ_{top−1} of the output update grows with the logits under cross-entropy, so γ
 *  stays small (0.05; the runs that chose it: docs/measurements.md).
 *
 *  Objections (the six objections of Hunsberger 2018, PhD thesis, ch. "Biological deep learning"):
 *  - weight transport: NOT removed — feedback is γ·Wᵀ.
 *  - derivative transport: removed — f′ is implicit in the phase difference.
 *  - linear feedback: removed — the clamped output's effect travels through the nonlinear units.
 *  - spiking: kept as a rule (it is defined on rates), but it runs on spiking networks (--spiking: both
 *    phases as LIF windows, EqSpike-style update; the output and its feedback stay graded). The spiking form
 *    is paired (shared/phase-spiking.ts): the free window feedforward, the clamped one with the free window's
 *    bottom-up spikes replayed and only the spike difference fed back, at a gain spikeGain that loopGain does
 *    not bound, since no loop is closed; with feedback in both windows the layers below the top hidden one
 *    learn from spike rounding only.
 *    Symmetric (the spiking default): a spike difference is rectified where the layer above fires little (a
 *    silent unit can gain spikes, not lose them) or saturates, so below the top hidden layer the clamped
 *    window's change holds a term even in e beside the linear one; against the free window that bias
 *    accumulates in the lower layers (at three hidden layers the first one's firing died out and accuracy fell
 *    after two epochs). A third window clamped at ȳ⁻ + e and the update from half the difference of the two
 *    clamped windows cancel the even terms, as symmetric nudging does for equilibrium propagation (Laborieux
 *    et al. 2021, Front. Neurosci. 15:633674, §2.3); the presynaptic side is the two windows' midpoint, the
 *    free state to second order.
 *  - timing: partly — two phases; the free-phase activity must be remembered.
 *  - target: not removed — the output is clamped to a label-derived target. */
import { defineRule, type StepContext } from './types.js';
import type { SettleOptions } from '../net/settle.js';
import { SpikingNetwork } from '../net/spiking.js';
import { phaseState, clampedPhaseHooks, contrast, boundedGain, settleOptions, settleMetrics, settleState, type PhaseState, type ClampedForm } from './shared/phase.js';
import { PHASE_SIM, spikingPhaseState, spikingPhases, spikingContrast, isSpikingPhase, phaseResume, type SpikingPhaseState, type SpikingPhase } from './shared/phase-spiking.js';

export interface ChlParams extends SettleOptions {
  /** The largest feedback loop gain γ·‖W_l‖_F² settled with (γ is lowered per batch to keep it; Infinity: never). */
  loopGain: number;
  /** How the clamped phase is formed against the free one (see the header): 'difference' settles s⁺ − s⁻
   *  itself; 'hold' relaxes the free snapshot once more beside it; 'plain' subtracts two settled states. */
  form: ClampedForm;
  /** The spiking form's feedback gain γ_s (its free window has no feedback, so loopGain does not bound it). */
  spikeGain: number;
  /** The spiking form: pair the clamped window (outcome ȳ⁻ − e) with an anti-clamped one (ȳ⁻ + e) and learn
   *  from half their difference (see the header); false: the clamped window against the free one. */
  symmetric: boolean;
}

interface Common {
  /** The settling options of the current batch: γ bounded by loopGain. */
  opts: SettleOptions;
  scale: (l: number) => number;
}
type State = (PhaseState & Common) | (SpikingPhaseState & Common);

const FORMS: readonly ClampedForm[] = ['difference', 'hold', 'plain'];
const hooks = Object.fromEntries(FORMS.map((f) => [f, clampedPhaseHooks('free', 'clamped', f)])) as Record<ClampedForm, ReturnType<typeof clampedPhaseHooks>>;

export const chl = defineRule<ChlParams, State>({
  id: 'chl',
  title: 'Contrastive Hebbian learning (Xie & Seung gain)',
  cite: 'Movellan 1991, Connectionist Models Summer School; Xie & Seung 2003, Neural Comput. 15:441',
  noConv: 'it settles a dense network with symmetric top-down feedback to a fixed point (Movellan 1991, Xie & Seung 2003 define it on dense layers), and the settling dynamics here are dense',
  objections: { removes: ['derivativeTransport', 'linearFeedback'], partly: ['timing'] },
  defaults: { gamma: 0.05, loopGain: 0.5, form: 'difference', eps: 1, maxIter: 20, tol: 1e-5, spikeGain: 3, symmetric: true },
  // the rate form reads neither
  spikingParams: ['spikeGain', 'symmetric'],
  train: { optimizer: 'adam', lr: 1e-3, momentum: 0, weightDecay: 0, schedule: 'cosine', activation: 'hardSigmoid', init: 'xavier', epochs: 30, batch: 50, hidden: [500] },
  spiking: {
    sim: PHASE_SIM,
    // 10 epochs: a spiking epoch costs three presentations of 40 steps per example (two with symmetric=false)
    train: { epochs: 10 },
    parts: {
      forward: 'LIF spikes from a deterministic rate-coded input, feedforward; the free phase is one presentation, whose spikes are kept step by step for the clamped one.',
      feedback: 'Spikes: in the clamped presentation each hidden layer receives γ_s·Wᵀ times the difference of the layer above\'s spikes from its free-presentation spikes at the same step, and its bottom-up input is the free presentation\'s spikes, replayed; the last hidden layer receives γ_s·W_topᵀ(−e), graded.',
      error: 'Graded at the output: in two more presentations of the same input the output\'s difference is −e and +e, e = ∂C/∂y of the free phase (outcomes ȳ⁻ − e and ȳ⁻ + e; with symmetric=false only the first); below it the error travels as spike differences.',
      update: 'At the end of the clamped presentations: presynaptic spike rates (the midpoint of the two clamped presentations, the free rates to second order) times half the difference of their postsynaptic membrane changes (the mean surrogate times the change of the mean input current), scaled by γ_s^{l−top} (the windowed form of EqSpike\'s update, Xie & Seung\'s leading term, with Laborieux et al.\'s symmetric difference); the input side is the pixel rate.',
    },
  },
  init(net, p, ws) {
    settleOptions('chl', p);
    if (!FORMS.includes(p.form)) throw new TypeError(`chl: form must be one of ${FORMS.join(', ')}, got ${String(p.form)}`);
    if (!(p.loopGain > 0)) throw new RangeError(`chl: loopGain must be > 0 (or Infinity), got ${p.loopGain}`);
    if (!(p.spikeGain > 0) || !Number.isFinite(p.spikeGain)) throw new RangeError(`chl: spikeGain must be a finite number > 0, got ${p.spikeGain}`);
    if (typeof p.symmetric !== 'boolean') throw new TypeError(`chl: symmetric must be true or false, got ${String(p.symmetric)}`);
    const top = net.layers.length - 1, opts = { ...p }, scale = (l: number) => opts.gamma ** (l - top);
    if (net instanceof SpikingNetwork) {
      const g = p.spikeGain;
      // symmetric: windows at outcomes ȳ⁻ − e and ȳ⁻ + e (the paired form's output shift −c·e with c = ±1) and
      // half their difference, so the per-layer factor halves
      const phases: SpikingPhase[] = p.symmetric ? [{ kind: 'nudge', sign: 1 }, { kind: 'nudge', sign: -1 }] : [{ kind: 'clamp' }];
      return { ...spikingPhaseState('chl', net, ws, PHASE_SIM, phases, true), opts, scale: (l: number) => g ** (l - top) / (p.symmetric ? 2 : 1) };
    }
    return { ...phaseState(net, ws, ['free', 'clamped'], p.form === 'difference'), opts, scale };
  },
  forward(ctx: StepContext, s: State, p: ChlParams, training: boolean) {
    if (isSpikingPhase(s)) {
      spikingPhases(ctx, s, s.opts.gamma = p.spikeGain, 1, training); // β = 1: a nudge of ∓e is the clamp
      return;
    }
    s.opts.gamma = boundedGain(ctx.net, p.gamma, p.loopGain);
    hooks[p.form].forward(ctx, s, s.opts, training);
  },
  teach(ctx: StepContext, s: State, p: ChlParams) {
    if (!isSpikingPhase(s)) hooks[p.form].teach(ctx, s, s.opts); // the spiking window ran both phases in forward
  },
  update(ctx, s, p) {
    if (isSpikingPhase(s)) {
      if (p.symmetric) spikingContrast(ctx, s, 1, 2, s.scale, 'mid', 'none');
      else spikingContrast(ctx, s, 1, 0, s.scale, 'minus', 'none');
    } else contrast(ctx, s, s.settler.slot('clamped'), s.settler.slot('free'), s.scale, 'minus', 'plus', p.form === 'difference');
  },
  record: { metrics: (s) => ({ ...(isSpikingPhase(s) ? {} : settleMetrics(s)), gamma: s.opts.gamma }) },
  resume: phaseResume(settleState),
});
