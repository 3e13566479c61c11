/** Target propagation by iterative inference: hidden states relax towards their targets, and each
 *  weight changes by presynaptic activity times the change of the postsynaptic rate.
 *  Bengio, Lee, Bornschein, Mesnard & Lin 2015, "Towards Biologically Plausible Deep Learning"
 *  (arXiv:1502.04156); Bengio, Mesnard, Fischer, Zhang & Wu 2017, "STDP-Compatible Approximation of
 *  Backpropagation in an Energy-Based Model", Neural Computation 29(3):555.
 *
 *  After the forward pass (potentials u_i = a_i, rates r_i = h_i), the top hidden layer is pushed
 *  towards ĥ_{H−1} = h_{H−1} − η̂ e·W_H and all hidden layers relax in parallel for T steps:
 *    τ_{H−1} = ĥ_{H−1},   τ_i = h_i + g_{i+1}(r_{i+1}) − g_{i+1}(h_{i+1})   (learned decoders, as in dtp)
 *    u_i ← u_i + ε (τ_i − r_i),   r_i = f(u_i)
 *  Weight change (the STDP-compatible rule ΔW ∝ pre · d(post rate)/dt, summed over the window, with the
 *  presynaptic rate held at its forward value so the sum telescopes):
 *    δ_i = −(r_i(T) − r_i(0)) / (εT),   dW_i = δ_iᵀ h_{i−1} / batch;   output layer δ_H = e.
 *  The fixed point of the relaxation is r_i = τ_i, the difference target of dtp with every layer's
 *  target computed from the relaxed layer above (tests/rules/dtp-inference.test.ts); to first order in
 *  εT, δ_i = (h_i − τ_i) ⊙ f'(a_i), dtp's signal. The decoders are trained as in dtp.
 *  Spiking form (--spiking, spikingRelaxTeach): after a LIF window (rates r(0), mean surrogates f'), the rates
 *  relax as r ← r + ε f' ⊙ (τ − r), and each hidden weight changes by presynaptic spikes times the change of
 *  the postsynaptic rate, ΔW_ij ∝ S_j · dr_i/dt (Bengio et al. 2015, §3: what STDP computes when the
 *  postsynaptic rate changes), dW_i = −Σ_t Δr_i(t)ᵀ x_{i−1}(t) / (εT·rows) with x Bernoulli spike trains at the
 *  window's presynaptic rates; its mean is the rate form's update.
 *  This line of papers reports no classification benchmark (2015: generative MNIST; 2017: simulations
 *  of the learning rule: Bengio et al. 2015, arXiv:1502.04156; Bengio et al. 2017, Neural Comput. 29:555): bioprop's MNIST and Fashion-MNIST
 *  figures for this rule are, as far as we know, the first.
 *
 *  Objections:
 *    weightTransport     removed: feedback through learned decoders (the 2015 form; the 2017 energy
 *                        model would need symmetric weights, which this rule does not use).
 *    derivativeTransport removed: errors appear as changes of each unit's own rate.
 *    linearFeedback      removed: nonlinear decoders carry states, not signed errors.
 *    spiking             partly: the weight change is the STDP-compatible rule; in the spiking form
 *                        (--spiking) it is driven by presynaptic spikes after a LIF window, but the
 *                        relaxation and the decoders stay graded.
 *    timing              not removed: settling dynamics after the forward pass.
 *    target              not removed: the top layer is nudged by the label. */
import { defineRule, type StepContext } from './types.js';
import { outputDelta, localGrads } from './shared/common.js';
import type { Tensor } from '../core/tensor.js';
import { inverseParams, inverseGrads, topTarget } from './shared/inverses.js';
import { makeDtpState, checkDtpParams, SPIKING_TARGET_PARTS, type DtpParams, type DtpState } from './dtp.js';
import { SpikingNetwork } from '../net/spiking.js';
import type { Backend } from '../backend.js';
import type { WasmRng } from '../wasm/rng.js';
import { RATE_RULE_WINDOW } from './shared/spiking.js';

export interface DtpInferenceParams extends DtpParams {
  /** T: relaxation steps (≥ 1; signals reach hidden layer i after H−1−i steps). */
  steps: number;
  /** ε: relaxation rate per step. */
  rate: number;
  /** Spiking form only: simulation steps (of the window's dt) per relaxation step, i.e. the presynaptic
   *  spikes each relaxation step's STDP sees. */
  spikeSteps: number;
}

/** The spiking form's extra state: presynaptic spike counts and their generator. */
interface StdpState {
  /** x_l [batch, in_l] for hidden layer l: amp · (spike count over the bin) / spikeSteps, E[x] = pre rate. */
  x: Tensor[];
  /** One draw of spikes [batch, max in_l]. */
  draw: Tensor;
  rng: WasmRng;
  /** Spike probability per simulation step of a presynaptic rate of 1, per hidden layer (input: maxRate·dt;
   *  hidden: dt / rateScale). */
  q: number[];
}

export interface DtpInferenceState extends DtpState {
  u: Tensor[];
  r: Tensor[];
  rd: Tensor[];
  /** Present on a SpikingNetwork. */
  stdp: StdpState | null;
}

/**
 * The STDP-compatible update of one relaxation step (Bengio et al. 2015, §3: ΔW_ij ∝ S_j · dV_i/dt):
 * dW += c · Δrᵀ · x, with Δr [rows, out] the change of the postsynaptic rates in this step and x [rows, in]
 * the presynaptic spike train over it in rate units. Summed over the window with x's mean held at the
 * presynaptic rate ν, E[dW] = c · (r(T) − r(0))ᵀ · ν: presynaptic rate times postsynaptic rate change.
 */
export function stdpStep(lib: Backend, dW: Tensor, dr: Tensor, x: Tensor, c: number): void {
  lib.gemm(dW, dr, x, 'tn', c, 1);
}

/**
 * The spiking form's teach: after the LIF window (rates r(0) = post, mean surrogates f' = deriv), the hidden
 * rates relax towards their targets in the window's units, r ← r + ε f' ⊙ (τ − r) (the potential moves by
 * ε(τ − r), the rate follows through the neuron's pseudo-derivative), while each layer's inputs keep firing at
 * their window rates: Bernoulli spikes, spikeSteps draws per relaxation step. Every hidden weight changes by
 * presynaptic spikes times the postsynaptic rate change (stdpStep) with c = −1/(εT·rows); the bias, whose
 * input is constant, by the rate change itself. δ_i = −(r(T) − r(0))/(εT), as the rate form's.
 */
export function spikingRelaxTeach(ctx: StepContext, s: DtpInferenceState, p: DtpInferenceParams): void {
  const { net, rows } = ctx;
  const lib = net.lib, L = net.layers, H = L.length - 1, st = s.stdp!;
  outputDelta(ctx);
  if (H === 0) return;
  startTargets(ctx, s, p);
  for (let i = 0; i < H; i++) {
    lib.copy(s.r[i]!.head(rows), L[i]!.post.head(rows));
    lib.fill(L[i]!.dW, 0);
  }
  const c = -1 / (p.rate * p.steps * rows), inv = 1 / p.spikeSteps;
  for (let t = 0; t < p.steps; t++) {
    drives(ctx, s);
    for (let i = 0; i < H; i++) {
      const l = L[i]!, dr = s.rd[i]!.head(rows), x = st.x[i]!.head(rows), draw = st.draw.matrix(rows, l.inSize);
      // Δr = ε f' ⊙ (τ − r);  r += Δr
      lib.mul(dr, lib.sub(dr, s.targets[i]!.head(rows), s.r[i]!.head(rows)), l.deriv.head(rows));
      lib.scal(dr, p.rate);
      lib.axpy(s.r[i]!.head(rows), 1, dr);
      // presynaptic spikes over the bin, in rate units: x = Σ_k s_k / (q·spikeSteps)
      lib.fill(x, 0);
      for (let k = 0; k < p.spikeSteps; k++) lib.axpy(x, inv / st.q[i]!, st.rng.bernoulli(draw, l.pre.head(rows), st.q[i]!));
      stdpStep(lib, l.dW, dr, x, c);
    }
  }
  for (let i = 0; i < H; i++) {
    const l = L[i]!;
    lib.scal(lib.sub(l.delta.head(rows), s.r[i]!.head(rows), l.post.head(rows)), -1 / (p.rate * p.steps));
    if (net.bias) lib.sumRows(l.db, l.delta.head(rows), 1 / rows, 0);
  }
}

/** The top target ĥ_{H−1} and g_i(h_i) of the forward states, before the relaxation starts. */
function startTargets(ctx: StepContext, s: DtpInferenceState, p: DtpInferenceParams): void {
  const { net, rows } = ctx, H = net.layers.length - 1;
  topTarget(ctx, p.targetStep, s.targets[H - 1]!);
  for (let i = 1; i < H; i++) s.fb(i, net.layers[i]!.post, s.clean[i]!, rows);
}

/** Drives from the current states (all layers in parallel): τ_i = h_i + g_{i+1}(r_{i+1}) − g_{i+1}(h_{i+1}) into targets[i], i < H−1. */
function drives(ctx: StepContext, s: DtpInferenceState): void {
  const { net, rows } = ctx, lib = net.lib, H = net.layers.length - 1;
  for (let i = H - 2; i >= 0; i--) {
    s.fb(i + 1, s.r[i + 1]!, s.scratch[i + 1]!, rows);
    lib.sub(s.targets[i]!.head(rows), s.scratch[i + 1]!.head(rows), s.clean[i + 1]!.head(rows));
    lib.axpy(s.targets[i]!.head(rows), 1, net.layers[i]!.post.head(rows));
  }
}

/** Relaxes the hidden states for T steps and writes every layer's δ (see the header). */
export function relaxTeach(ctx: StepContext, s: DtpInferenceState, p: DtpInferenceParams): void {
  const { net, rows } = ctx;
  const lib = net.lib, L = net.layers, H = L.length - 1;
  outputDelta(ctx);
  if (H === 0) return;
  startTargets(ctx, s, p);
  for (let i = 0; i < H; i++) {
    lib.copy(s.u[i]!.head(rows), L[i]!.a.head(rows));
    lib.copy(s.r[i]!.head(rows), L[i]!.post.head(rows));
  }
  for (let t = 0; t < p.steps; t++) {
    drives(ctx, s);
    for (let i = 0; i < H; i++) {
      const l = L[i]!;
      // u += ε (τ − r);  r = f(u)   (rd: scratch for f'(u), here unused)
      lib.sub(s.rd[i]!.head(rows), s.targets[i]!.head(rows), s.r[i]!.head(rows));
      lib.axpy(s.u[i]!.head(rows), p.rate, s.rd[i]!.head(rows));
      lib.activate(l.act, s.r[i]!.head(rows), s.u[i]!.head(rows), s.rd[i]!.head(rows));
    }
  }
  const c = -1 / (p.rate * p.steps);
  for (let i = 0; i < H; i++) {
    const l = L[i]!;
    lib.sub(l.delta.head(rows), s.r[i]!.head(rows), l.post.head(rows));
    lib.scal(l.delta.head(rows), c);
  }
}

export const dtpInference = defineRule<DtpInferenceParams, DtpInferenceState>({
  id: 'dtp-inference',
  title: 'Target propagation by iterative inference (STDP-compatible rule)',
  cite: 'Bengio, Lee, Bornschein, Mesnard & Lin 2015 (arXiv:1502.04156); Bengio et al. 2017, Neural Comput. 29(3):555',
  noConv: 'its iterative inference relaxes dense hidden states through learned dense inverses (Bengio et al. 2015, 2017 define it on dense layers)',
  objections: { removes: ['weightTransport', 'derivativeTransport', 'linearFeedback'], partly: ['spiking'] },
  spiking: {
    // dtp's spiking recipe (src/rules/dtp.ts): ReLU, He init, Adam 5e-3, dfa's window, and its decoders
    // on the LIF rate curve (rateModel 'lif'), for the same reason: the relaxation's targets come from them.
    train: { activation: 'relu', init: 'he', lr: 5e-3 },
    sim: RATE_RULE_WINDOW,
    parts: {
      ...SPIKING_TARGET_PARTS,
      update: 'STDP-compatible, after the window: as the hidden rates relax towards their targets, each weight changes by its presynaptic spikes (Bernoulli at the window\'s rates) times the postsynaptic rate change (Bengio et al. 2015), not by pair-based spike timing; the relaxation itself is graded. The readout learns from the error times presynaptic rates.',
    },
  },
  // A spiking record made before rateModel existed had ReLU decoders ('activation'): neutralParams says so,
  // and such a record is stale under today's 'lif'.
  defaults: { targetStep: 0.33, sigma: 0.36, feedback: 'dae', rateModel: 'lif', steps: 6, rate: 0.5, spikeSteps: 10 },
  neutralParams: { rateModel: 'activation' },
  spikingParams: ['rateModel', 'spikeSteps'],
  // dtp's recipe (tanh, Adam 1e-3, cosine). Results: docs/report.md.
  train: { optimizer: 'adam', lr: 0.001, momentum: 0, weightDecay: 0, schedule: 'cosine', activation: 'tanh', init: 'xavier', epochs: 20, batch: 100, hidden: [256, 256, 256] },
  init: (net, p, ws, rng) => {
    checkDtpParams('dtp-inference', p);
    if (!Number.isInteger(p.steps) || p.steps < 1) throw new Error(`dtp-inference: steps must be an integer >= 1, got ${p.steps}`);
    if (!(p.rate > 0) || !Number.isFinite(p.rate)) throw new Error(`dtp-inference: rate must be a positive finite number, got ${p.rate}`);
    if (!Number.isInteger(p.spikeSteps) || p.spikeSteps < 1) throw new Error(`dtp-inference: spikeSteps must be an integer >= 1, got ${p.spikeSteps}`);
    const base = makeDtpState(net, ws, rng, p.rateModel, 'dtp-inference');
    const hidden = net.layers.slice(0, net.layers.length - 1);
    let stdp: StdpState | null = null;
    if (net instanceof SpikingNetwork) {
      const sim = net.sim;
      stdp = {
        x: hidden.map((l) => ws.f32([net.batch, l.inSize])),
        draw: ws.f32([net.batch * Math.max(...hidden.map((l) => l.inSize))]),
        rng: net.lib.rngIn(ws.f32([4]), rng.nextU32() | 0),
        q: hidden.map((l) => (l.index === 0 ? sim.maxRate * sim.dt : sim.dt / sim.rateScale)),
      };
    }
    return {
      ...base,
      u: hidden.map((l) => ws.f32([net.batch, l.outSize])),
      r: hidden.map((l) => ws.f32([net.batch, l.outSize])),
      rd: hidden.map((l) => ws.f32([net.batch, l.outSize])),
      stdp,
    };
  },
  params: (s) => inverseParams(s.inv),
  teach: (ctx, s, p) => (s.stdp ? spikingRelaxTeach(ctx, s, p) : relaxTeach(ctx, s, p)),
  update: (ctx, s, p) => {
    if (s.stdp) {
      // hidden dW, db were written by the STDP window in teach; the readout learns from e and its input rates
      const out = ctx.net.output, lib = ctx.net.lib, rows = ctx.rows;
      lib.gemm(out.dW, out.delta.head(rows), out.pre.head(rows), 'tn', 1 / rows, 0);
      if (ctx.net.bias) lib.sumRows(out.db, out.delta.head(rows), 1 / rows, 0);
    } else localGrads(ctx);
    inverseGrads(ctx, s.inv, p.sigma, p.feedback);
  },
});
