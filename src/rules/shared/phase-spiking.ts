// The phase rules (chl, eqprop, generec) on spiking neurons: both phases are windows of LIF steps in one
// presentation (SpikingSim), the second continuing from the state the first left, and the update is the
// rules' contrast taken on the spike counts of the two windows (the windowed form of EqSpike's update,
// Martin et al. 2021, iScience 24:102222: there the weight change accumulates from spikes during the
// nudged phase; summed over a window it is the change of the pre×post rate products).
//
// The window of `steps` is split into equal phases: free, then one (chl, generec: output clamped; eqprop:
// nudged at +β) or two (symmetric eqprop: +β, then −β). Each phase counts spikes after its first `skip`
// steps (the transient from the previous phase's state). During every step the hidden layers receive the
// top-down feedback the rate rules settle with, γ·W_{l+1}ᵀ s_{l+1}:
//   from a hidden layer above: its spikes (in rate units, amp = rateScale/dt) through W_{l+1}ᵀ;
//   from the output: the output's state y through W_topᵀ — the leaky membrane readout m in the free
//   phase, the clamp target t, or the nudged y ← m − β·∂C/∂y(y) (one fixed-point step per time step).
// The feedback enters the synaptic current after step t, so step t+1 sees it (one step of delay); it is
// scaled so that a constant feedback adds γ·W_{l+1}ᵀ s_{l+1} to the drive W_l s_{l−1} + b_l in steady
// state, as in the rate net (the synapse's decay λs divides it: the current needs a synapse, tauSyn > 0).
// Rates: r_l = rateScale · (spikes counted)/(counted steps·dt), the SpikingSim's units; the input's rate is
// the encoder's (the pixel value) and the output's the mean readout m (or y) over the counted steps.
import type { Network } from '../../net/network.js';
import type { Workspace } from '../../core/workspace.js';
import type { Tensor } from '../../core/tensor.js';
import { simOf, type SpikingSim, type SpikingOptions } from '../../net/spiking.js';
import type { StepContext } from '../types.js';
import { needMembrane } from './online.js';
import { contrast, type ContrastBuffers, type PreForm, type PostForm } from './phase.js';

/** What the output does in a phase after the free one. */
export type SpikingPhase = { kind: 'clamp' } | { kind: 'nudge'; sign: 1 | -1 };

export interface SpikingPhaseState extends ContrastBuffers {
  sim: SpikingSim;
  /** The clamp target t of the output, [batch, classes]. */
  target: Tensor;
  /** The phases after the free one, and the per-phase rates: rates[0] the free phase's, rates[k] phase k's. */
  phases: readonly SpikingPhase[];
  rates: Tensor[][];
  /** The output state fed back (y) and scratch of the nudge. */
  y: Tensor;
  probs: Tensor;
  grad: Tensor;
  /** Steps per phase, and the steps skipped at the start of each before counting. */
  per: number;
  skip: number;
  /** Per-window settings the step callback reads (set by forward). */
  run: { rows: number; gamma: number; beta: number; training: boolean };
  onStep: (t: number) => void;
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

/** The simulator settings of the phase rules' spiking forms (τ of a 1 ms-step LIF, a current synapse). */
export const PHASE_SIM: SpikingOptions = {
  steps: 80, dt: 1e-3, encoder: 'poisson', maxRate: 200, rateScale: 0.01, neuronParams: { tauMem: 10e-3, tauSyn: 5e-3, refractory: 1e-3 },
};

/**
 * The state of a phase rule's spiking form on `net` (a SpikingNetwork): `phases` after the free one, each
 * getting an equal share of the window, its first quarter left uncounted (the transient).
 */
export function spikingPhaseState(who: string, net: Network, ws: Workspace, sim0: SpikingOptions | undefined, phases: readonly SpikingPhase[]): SpikingPhaseState {
  const sim = simOf(net, sim0);
  needMembrane(who, sim);
  const n = phases.length + 1, per = Math.floor(sim.steps / n), skip = per >> 2;
  if (per < 2) throw new RangeError(`${who}: the spiking window needs at least 2 steps per phase (${n} phases), got steps = ${sim.steps}`);
  if (!(sim.r.synDecay > 0)) throw new RangeError(`${who}: the spiking form feeds back through the synaptic current and needs tauSyn > 0, got ${sim.np.tauSyn}`);
  const B = net.batch, C = net.classes, L = net.layers;
  const s: SpikingPhaseState = {
    diff: L.map((l) => ws.f32([B, l.outSize])), mid: L.map((l) => ws.f32([B, l.outSize])), target: ws.f32([B, C]),
    sim, phases, rates: Array.from({ length: n }, () => L.map((l) => ws.f32([B, l.outSize]))),
    y: ws.f32([B, C]), probs: ws.f32([B, C]), grad: ws.f32([B, C]), per, skip,
    run: { rows: B, gamma: 0, beta: 0, training: false }, onStep: () => {},
  };
  s.onStep = stepper(net, s);
  return s;
}

function stepper(net: Network, s: SpikingPhaseState): (t: number) => void {
  const lib = net.lib, sim = s.sim, L = net.layers, top = L.length - 1;
  const lm = sim.r.decay, ls = sim.r.synDecay, amp = sim.rateScale / sim.dt;
  // x added to I after step t raises I's steady state by λs·x/(1 − λs); the drive of a rate input a is (1 − λm)·gain·a
  const inject = ((1 - ls) / ls) * (1 - lm) * sim.gain;
  return (t) => {
    const { rows, gamma, beta, training } = s.run;
    const k = training ? Math.min(Math.floor(t / s.per), s.phases.length) : 0, local = training ? t - k * s.per : t;
    const phase = k === 0 ? null : s.phases[k - 1]!;
    const m = sim.sl[top]!.spikes.head(rows), y = s.y.head(rows);
    // the output state the hidden layers see
    if (!phase) lib.copy(y, m);
    else if (phase.kind === 'clamp') lib.copy(y, s.target.head(rows));
    else {
      if (local === 0) lib.copy(y, m);
      const b = phase.sign * beta;
      if (net.loss === 'xent') {
        lib.softmaxXent(s.probs.head(rows), s.grad.head(rows), y, net.target.head(rows));
        lib.scaleAdd(y, 1, m, -b, s.grad.head(rows));
      } else lib.scaleAdd(y, 1 / (1 + b), m, b / (1 + b), net.target.head(rows));
    }
    // counting
    const counting = training ? local >= s.skip && local < s.per : t >= s.skip;
    if (counting) {
      const r = s.rates[k]!;
      for (let l = 0; l < top; l++) lib.traceStep(r[l]!.head(rows), sim.sl[l]!.spikes.head(rows), 1);
      lib.traceStep(r[top]!.head(rows), y, 1);
    }
    // end of the free phase in training: the clamp target t = ȳ⁻ − ∂C/∂y(ȳ⁻) (as clampTarget in phase.ts)
    if (training && k === 0 && local === s.per - 1) {
      const r = s.rates[0]!, yf = r[top]!.head(rows);
      lib.scal(yf, 1 / (s.per - s.skip));
      if (net.loss === 'xent') lib.softmaxXent(s.probs.head(rows), s.grad.head(rows), yf, net.target.head(rows));
      else lib.sub(s.grad.head(rows), yf, net.target.head(rows));
      lib.sub(s.target.head(rows), yf, s.grad.head(rows));
      lib.scal(yf, s.per - s.skip); // back to a sum: every phase is scaled at the window's end
    }
    // feedback for step t + 1
    if (gamma > 0) {
      for (let l = 0; l < top; l++) {
        const I = sim.sl[l]!.I.head(rows), W = L[l + 1]!.W;
        if (l + 1 === top) lib.gemm(I, y, W, 'nn', inject * gamma, 1);
        else lib.gemm(I, sim.sl[l + 1]!.spikes.head(rows), W, 'nn', inject * gamma * amp, 1);
      }
    }
  };
}

/**
 * One presentation: the free phase and, when training, the phases after it. Leaves the free phase's
 * decoded output (mean readout over its counted steps) in net.output.post and every phase's rates in s.rates.
 */
export function spikingPhases(ctx: StepContext, s: SpikingPhaseState, gamma: number, beta: number, training: boolean): void {
  const { net, rows } = ctx, lib = net.lib, L = net.layers, top = L.length - 1;
  s.run.rows = rows; s.run.gamma = gamma; s.run.beta = beta; s.run.training = training;
  const used = training ? s.rates.length : 1;
  for (let k = 0; k < used; k++) for (const r of s.rates[k]!) lib.fill(r.head(rows), 0);
  s.sim.run(rows, s.onStep);
  const counted = (training ? s.per : s.sim.steps) - s.skip;
  for (let k = 0; k < used; k++) {
    const r = s.rates[k]!;
    for (let l = 0; l < top; l++) lib.scal(r[l]!.head(rows), s.sim.rateScale / (counted * s.sim.dt));
    lib.scal(r[top]!.head(rows), 1 / counted);
  }
  lib.copy(L[top]!.post.head(rows), s.rates[0]![top]!.head(rows));
  for (let l = 0; l < top; l++) lib.copy(L[l]!.post.head(rows), s.rates[0]![l]!.head(rows));
}

/** The contrast of phases `plus` and `minus` (indices into s.rates) with the rule's per-layer scale. */
export function spikingContrast(
  ctx: StepContext, s: SpikingPhaseState, plus: number, minus: number, scale: (l: number) => number, pre: PreForm, post: PostForm,
): void {
  contrast(ctx, s, s.rates[plus]!, s.rates[minus]!, scale, pre, post);
}
