// The phase rules (chl, eqprop, generec) on spiking neurons: each phase is a presentation window of LIF
// steps (SpikingSim) — the free phase, then one (chl, generec: output clamped; eqprop: nudged at +β) or
// two (symmetric eqprop: +β, −β) more presentations of the same input — and the update is EqSpike's in
// windowed form (Martin et al. 2021, iScience 24:102222): the rules' contrast with the postsynaptic change
// read on the membrane side, ρ'(s)·Δs, and the presynaptic side from spikes.
//
// Every window starts from rest with the same deterministic input spike train (the 'rate' encoder and
// vInit 'zero' by default), so two phases differ only by what the output feeds back: their difference is
// the teaching signal, not the sampling noise of two spike trains (with Poisson input it is, at γ-sized
// signals). During every step the hidden layers receive the top-down feedback the rate rules settle with,
// γ·W_{l+1}ᵀ s_{l+1}:
//   from a hidden layer above: its spikes (in rate units, amp = rateScale/dt) through W_{l+1}ᵀ;
//   from the output: the output's state y through W_topᵀ — the leaky membrane readout m in the free
//   phase; clamped, y = m − e with e = ∂C/∂y at the free phase's mean readout ȳ⁻ (the outcome t = ȳ⁻ − e
//   of the rate form, moving with the readout: a fixed t would differ from the free window's rising
//   readout by its rise, a bias of the size of the logits, not of e); nudged, y ← m − β·∂C/∂y(y) (one
//   fixed-point step per time step).
// The feedback enters the synaptic current after step t, so step t+1 sees it; it is scaled so that a
// constant feedback adds γ·W_{l+1}ᵀ s_{l+1} to the drive W_l s_{l−1} + b_l in steady state, as in the rate
// net (λs divides it: the current needs a synapse, tauSyn > 0).
// Over the counted steps of a window (all but its first quarter, the transient) each layer keeps its rate
// r_l = rateScale·spikes/(steps·dt) (the SpikingSim's units) and its mean input current J̄_l; the free
// window also keeps the mean surrogate σ̄'_l. A later phase's hidden state is r⁻_l + σ̄'_l ⊙ (J̄_l − J̄⁻_l)
// (the free rate moved by the membrane's change through the neuron's pseudo-derivative), its output state
// the mean of y. The contrast (shared/phase.ts) then takes Δ_l·r⁻ᵀ_{l−1} + Q_l·Δᵀ_{l−1}: presynaptic rates
// times postsynaptic membrane changes, EqSpike's pre-spike-triggered update summed over the window. The
// input side is the encoder's rate (the pixel value).
//
// The paired form (chl's; eqprop's and generec's unless paired = false): with feedback in both windows, a hidden layer below the top one learns only where the
// feedback flips a spike of the layer above, and a flip is a whole spike per window. At Xie & Seung's small γ
// (2003) the expected count change γ^{top−l}·δ_l·T is far below one spike, so the lower layers see rounding:
// none at all, or noise times γ^{l−top}. A larger γ does not help while the windows share the feedback: the
// bottom-up path then carries the layers' own count rounding back up, unscaled by γ, whose size grows like the
// square root of the perturbation (a flip has probability ∝ the change) while the signal grows like it, so the
// upward noise dominates at every γ, and γ·‖W‖²·slope² near 1 makes the loop run away. The paired form removes
// both: the free window runs feedforward and keeps its spikes; a clamped window gets the free window's
// bottom-up spikes of the layer below, replayed (SpikingSim.run's feed), and as feedback only what the clamp
// changed, γ·W_{l+1}ᵀ(a⁺_{l+1}(t) − a⁻_{l+1}(t)) with a the spikes of the same step in both windows and
// γ·W_topᵀ(−e) from the output, whose difference is −e exactly (the rate form's difference coordinates). With
// no loop, γ sets only how many spikes carry the difference down (rounding against the rate function's
// curvature), and the update takes Xie & Seung's leading term Δ_l·r⁻ᵀ_{l−1} with γ^{l−top}: the Q_l·Δᵀ_{l−1}
// term is the energy's cross term, O(γ) at small γ and not part of the backprop limit. eqprop's nudged windows
// are paired the same way with the output's difference ∓β·e (EP's first-order nudge, Scellier & Bengio 2017),
// so its update over 2β has the same leading term; generec's plus window is chl's clamped one, and its update
// reads the presynaptic side at O'Reilly's midpoint when asked.
import type { Network } from '../../net/network.js';
import type { Workspace } from '../../core/workspace.js';
import type { Tensor } from '../../core/tensor.js';
import { simOf, type SpikingSim, type SpikingOptions } from '../../net/spiking.js';
import type { StepContext } from '../types.js';
import { needMembrane } from './online.js';
import { contrast, type ContrastBuffers, type PreForm, type PostForm } from './phase.js';

/** The pairing choice of eqprop's and generec's spiking forms (chl is always paired). The rate forms read neither. */
export interface PairedParams {
  /** The paired form (see the header): the first window feedforward, each later one with the first window's
   *  bottom-up spikes replayed and only what its output change altered fed back. false: feedback γ in every window. */
  paired: boolean;
  /** The paired form's feedback gain γ_s (its first window has no feedback, so no loop bounds it). */
  spikeGain: number;
}

/** What the output does in a phase after the free one. */
export type SpikingPhase = { kind: 'clamp' } | { kind: 'nudge'; sign: 1 | -1 };

export interface SpikingPhaseState extends ContrastBuffers {
  sim: SpikingSim;
  /** The free phase's output error e = ∂C/∂y(ȳ⁻), [batch, classes]: the clamped output is held at y = m − e. */
  err: Tensor;
  /** The phases after the free one; states[k][l] phase k's state of layer l (k = 0: free), J[k][l] its mean current. */
  phases: readonly SpikingPhase[];
  states: Tensor[][];
  J: Tensor[][];
  /** The free window's mean surrogate per hidden layer. */
  sigma: Tensor[];
  /** The output state fed back (y) and scratch of the nudge. */
  y: Tensor;
  probs: Tensor;
  grad: Tensor;
  /** Steps skipped at the start of every window before counting. */
  skip: number;
  /** The paired form (see the header): the free window's spikes of every hidden layer
   *  that feeds another, rec[l][t] at step t, and the scratch of their difference. Null: feedback in every window. */
  pair: { rec: Tensor[][]; d: Tensor[] } | null;
  /** Per-window settings the step callback reads (set by spikingPhases). */
  run: { rows: number; gamma: number; beta: number; phase: number; training: boolean };
  onStep: (t: number) => void;
  /** The paired form's bottom-up input of a later window: the free window's spikes of the layer below. */
  feed: (i: number, t: number) => Tensor | null;
}

/** True for the state of a spiking form (built on a SpikingNetwork). */
export function isSpikingPhase(s: object): s is SpikingPhaseState {
  return 'sim' in s;
}

/** Rule.resume of a phase rule: the Settler's counters for the rate form (the trainer saves a SpikingNetwork's sim). */
export function phaseResume<S extends object>(rate: { save(s: S): unknown; load(s: S, v: unknown): void }) {
  return {
    save: (s: S | SpikingPhaseState): unknown => (isSpikingPhase(s) ? null : rate.save(s)),
    load: (s: S | SpikingPhaseState, v: unknown): void => { if (!isSpikingPhase(s)) rate.load(s, v); },
  };
}

/** The simulator settings of the phase rules' spiking forms: one window per phase, identical input in each. */
export const PHASE_SIM: SpikingOptions = {
  steps: 40, dt: 1e-3, encoder: 'rate', vInit: 'zero', maxRate: 200, rateScale: 0.01, neuronParams: { tauMem: 10e-3, tauSyn: 5e-3, refractory: 1e-3 },
};

/** The state of a phase rule's spiking form on `net` (a SpikingNetwork) with `phases` after the free one. */
export function spikingPhaseState(
  who: string, net: Network, ws: Workspace, sim0: SpikingOptions | undefined, phases: readonly SpikingPhase[], paired = false,
): SpikingPhaseState {
  const sim = simOf(net, sim0);
  needMembrane(who, sim);
  if (!(sim.r.synDecay > 0)) throw new RangeError(`${who}: the spiking form feeds back through the synaptic current and needs tauSyn > 0, got ${sim.np.tauSyn}`);
  if (sim.steps < 2) throw new RangeError(`${who}: the spiking window needs at least 2 steps per phase, got steps = ${sim.steps}`);
  const B = net.batch, C = net.classes, L = net.layers, hidden = L.slice(0, -1), n = phases.length + 1;
  const s: SpikingPhaseState = {
    diff: L.map((l) => ws.f32([B, l.outSize])), mid: L.map((l) => ws.f32([B, l.outSize])), err: ws.f32([B, C]),
    sim, phases,
    states: Array.from({ length: n }, () => L.map((l) => ws.f32([B, l.outSize]))),
    J: Array.from({ length: n }, () => hidden.map((l) => ws.f32([B, l.outSize]))),
    sigma: hidden.map((l) => ws.f32([B, l.outSize])),
    y: ws.f32([B, C]), probs: ws.f32([B, C]), grad: ws.f32([B, C]), skip: sim.steps >> 2,
    pair: paired
      ? { rec: hidden.map((l) => Array.from({ length: sim.steps }, () => ws.f32([B, l.outSize]))), d: hidden.map((l) => ws.f32([B, l.outSize])) }
      : null,
    run: { rows: B, gamma: 0, beta: 0, phase: 0, training: false }, onStep: () => {}, feed: () => null,
  };
  const pair = s.pair;
  if (pair) s.feed = (i, t) => pair.rec[i - 1]![t]!;
  s.onStep = stepper(net, s);
  return s;
}

function stepper(net: Network, s: SpikingPhaseState): (t: number) => void {
  const lib = net.lib, sim = s.sim, L = net.layers, top = L.length - 1;
  const lm = sim.r.decay, ls = sim.r.synDecay, amp = sim.rateScale / sim.dt;
  // x added to I after step t raises I's steady state by λs·x/(1 − λs); a rate input a drives (1 − λm)·gain·a
  const inject = ((1 - ls) / ls) * (1 - lm) * sim.gain;
  const spikeFeedback = spikeFeedbackOf(net, sim);
  if (s.pair) return pairedStepper(net, s, s.pair, inject, amp, spikeFeedback);
  return (t) => {
    const { rows, gamma, beta, phase: k } = s.run;
    const phase = k === 0 ? null : s.phases[k - 1]!;
    const m = sim.sl[top]!.spikes.head(rows), y = s.y.head(rows);
    if (!phase) lib.copy(y, m); // the output state the hidden layers see
    else if (phase.kind === 'clamp') lib.sub(y, m, s.err.head(rows));
    else lib.scaleAdd(y, 1, m, -phase.sign * beta, s.err.head(rows));
    if (t >= s.skip) {
      const r = s.states[k]!, J = s.J[k]!;
      for (let l = 0; l < top; l++) {
        lib.traceStep(r[l]!.head(rows), sim.sl[l]!.spikes.head(rows), 1);
        lib.traceStep(J[l]!.head(rows), sim.sl[l]!.I.head(rows), 1);
      }
      lib.traceStep(r[top]!.head(rows), y, 1);
    }
    if (gamma > 0) { // feedback for step t + 1
      for (let l = 0; l < top; l++) {
        const I = sim.sl[l]!.I.head(rows), W = L[l + 1]!.W;
        if (l + 1 === top) lib.gemm(I, y, W, 'nn', inject * gamma, 1);
        else spikeFeedback(l, I, sim.sl[l + 1]!.spikes.head(rows), inject * gamma * amp);
      }
    }
  };
}

/**
 * The paired form's step: the free window runs feedforward and keeps each hidden layer's spikes per step;
 * a clamped window feeds back only what the clamp changed, γ·W_{l+1}ᵀ(a⁺_{l+1}(t) − a⁻_{l+1}(t)) with a
 * the spikes (in rate units) of the same step of the free window, and γ·W_topᵀ(−e) from the output, whose
 * difference is −e exactly (the rate form's difference coordinates, in spikes).
 */
function pairedStepper(net: Network, s: SpikingPhaseState, pair: NonNullable<SpikingPhaseState['pair']>, inject: number, amp: number,
  spikeFeedback: SpikeFeedback): (t: number) => void {
  const lib = net.lib, sim = s.sim, L = net.layers, top = L.length - 1;
  return (t) => {
    const { rows, gamma, phase: k, training } = s.run;
    if (k === 0 && training) for (let l = 0; l < top; l++) lib.copy(pair.rec[l]![t]!.head(rows), sim.sl[l]!.spikes.head(rows));
    if (t >= s.skip) {
      const r = s.states[k]!, J = s.J[k]!;
      for (let l = 0; l < top; l++) {
        lib.traceStep(r[l]!.head(rows), sim.sl[l]!.spikes.head(rows), 1);
        lib.traceStep(J[l]!.head(rows), sim.sl[l]!.I.head(rows), 1);
      }
      if (k === 0) lib.traceStep(r[top]!.head(rows), sim.sl[top]!.spikes.head(rows), 1);
    }
    if (k === 0) return;
    for (let l = 0; l < top; l++) { // feedback for step t + 1
      const I = sim.sl[l]!.I.head(rows), W = L[l + 1]!.W;
      if (l + 1 === top) { lib.gemm(I, s.err.head(rows), W, 'nn', -inject * gamma * outputShift(s, k), 1); continue; }
      const d = pair.d[l + 1]!.head(rows);
      lib.sub(d, sim.sl[l + 1]!.spikes.head(rows), pair.rec[l + 1]![t]!.head(rows));
      spikeFeedback(l, I, d, inject * gamma * amp);
    }
  };
}

/** I_l += α·s·W_{l+1} for s [rows, n_{l+1}] of spikes or spike differences (entries 0, ±1). */
type SpikeFeedback = (l: number, I: Tensor, s: Tensor, alpha: number) => void;

/**
 * The feedback from a hidden layer's spikes (or the paired form's spike differences), event-driven while
 * they are sparser than the simulator's crossover for the shape (SpikingSim.crossover), else by the dense GEMM. f32_event_nn puts α·S·W + C exactly as the GEMM does,
 * so the choice changes only the time. The count is Σ s² (exact for entries 0 and ±1).
 */
function spikeFeedbackOf(net: Network, sim: SpikingSim): SpikeFeedback {
  const lib = net.lib, L = net.layers, top = L.length - 1;
  const crossover = L.slice(0, top).map((l, i) => (i + 1 >= top ? 0 : sim.crossover(L[i + 1]!.outSize, l.outSize, false)));
  return (l, I, s, alpha) => {
    const W = L[l + 1]!.W;
    if (lib.sumsq(s) < crossover[l]! * s.size) lib.eventMatmul(I, s, W, alpha, 1);
    else lib.gemm(I, s, W, 'nn', alpha, 1);
  };
}

/** The paired form's output difference in window k > 0 is −c·e: c = 1 clamped, ±β nudged (EP's first-order nudge). */
function outputShift(s: SpikingPhaseState, k: number): number {
  const ph = s.phases[k - 1]!;
  return ph.kind === 'clamp' ? 1 : ph.sign * s.run.beta;
}

/** Runs window `k` (0 = free) and scales its sums to means: rates, output state, current in drive units. */
function window(net: Network, s: SpikingPhaseState, rows: number, k: number): void {
  const lib = net.lib, sim = s.sim, top = net.layers.length - 1, counted = sim.steps - s.skip;
  for (const r of s.states[k]!) lib.fill(r.head(rows), 0);
  for (const J of s.J[k]!) lib.fill(J.head(rows), 0);
  s.run.phase = k;
  sim.run(rows, s.onStep, s.pair && k > 0 ? s.feed : undefined);
  for (let l = 0; l < top; l++) {
    lib.scal(s.states[k]![l]!.head(rows), sim.rateScale / (counted * sim.dt));
    lib.scal(s.J[k]![l]!.head(rows), 1 / (counted * (1 - sim.r.decay) * sim.gain)); // I = (1 − λm)·J; J = offset + gain·a
  }
  lib.scal(s.states[k]![top]!.head(rows), 1 / counted);
}

/**
 * One presentation per phase: the free window and, when training, the later ones. Leaves the free
 * window's decoded output (mean readout over its counted steps) in net.output.post, its rates in the
 * hidden layers' post, and every phase's states in s.states.
 */
export function spikingPhases(ctx: StepContext, s: SpikingPhaseState, gamma: number, beta: number, training: boolean): void {
  const { net, rows } = ctx, lib = net.lib, L = net.layers, top = L.length - 1;
  s.run.rows = rows; s.run.gamma = gamma; s.run.beta = beta; s.run.training = training;
  window(net, s, rows, 0);
  const free = s.states[0]!;
  if (training) {
    for (let l = 0; l < top; l++) lib.copy(s.sigma[l]!.head(rows), L[l]!.deriv.head(rows)); // gain·mean surrogate
    // the output error e = ∂C/∂y(ȳ⁻) (clampTarget in shared/phase.ts clamps at ȳ⁻ − e)
    const yf = free[top]!.head(rows);
    if (net.loss === 'xent') lib.softmaxXent(s.probs.head(rows), s.err.head(rows), yf, net.target.head(rows));
    else lib.sub(s.err.head(rows), yf, net.target.head(rows));
    for (let k = 1; k <= s.phases.length; k++) {
      window(net, s, rows, k);
      for (let l = 0; l < top; l++) { // r⁻ + σ̄' ⊙ (J̄ − J̄⁻)
        const st = s.states[k]![l]!.head(rows), d = s.diff[l]!.head(rows);
        lib.sub(d, s.J[k]![l]!.head(rows), s.J[0]![l]!.head(rows));
        lib.mul(d, d, s.sigma[l]!.head(rows));
        lib.add(st, free[l]!.head(rows), d);
      }
      if (s.pair) { // the clamp or the nudge, exactly
        const c = outputShift(s, k), yk = s.states[k]![top]!.head(rows);
        if (c === 1) lib.sub(yk, free[top]!.head(rows), s.err.head(rows));
        else lib.scaleAdd(yk, 1, free[top]!.head(rows), -c, s.err.head(rows));
      }
    }
  }
  lib.copy(L[top]!.post.head(rows), free[top]!.head(rows));
  for (let l = 0; l < top; l++) lib.copy(L[l]!.post.head(rows), free[l]!.head(rows));
  // the free window's surrogate too: backprop measured against the update (alignment) is taken at the free state
  if (training && s.phases.length > 0) for (let l = 0; l < top; l++) lib.copy(L[l]!.deriv.head(rows), s.sigma[l]!.head(rows));
}

/** The contrast of phases `plus` and `minus` (indices into s.states) with the rule's per-layer scale. */
export function spikingContrast(
  ctx: StepContext, s: SpikingPhaseState, plus: number, minus: number, scale: (l: number) => number, pre: PreForm, post: PostForm,
): void {
  contrast(ctx, s, s.states[plus]!, s.states[minus]!, scale, pre, post);
}
