/** eRBP, event-driven random backpropagation (Neftci, Augustine, Paul & Detorakis 2017, Front.
 *  Neurosci. 11:324): DFA carried by spikes into a dendritic compartment, run online in the time loop.
 *  Per step t:
 *    e(t)   = softmax(m(t)) − y                          error neurons (graded: the ± error-neuron pair's net rate)
 *    U_l    ← λU·U_l + (1 − λU)·e(t)·G_l                 dendritic compartment, fixed random G_l (hidden);  U_L = e
 *    Θ_l(t) = [bmin <= J_l(t) <= bmax]                   boxcar of the somatic input current (the gate)
 *    dW_l  += (U_l ⊙ Θ_l)ᵀ · amp·s_{l−1}(t) / (rows·T)  triggered by presynaptic spikes: only spiking inputs
 *                                                          change (one add and two compares per event in hardware)
 *  From readoutStart t_c on (no error before the readout has integrated), normalised by rows·(T − t_c).
 *  The sum is event-driven as the text has it: each presynaptic spike adds its row's gated signal to
 *  dWᵀ's row (f32_spike_outer, from the step's spike lists), spikes × n work per step instead of a
 *  rows × n_in × n product, and dW = amp/(rows·(T − t_c))·(Σ_t Σ spikes ⊗ signal)ᵀ is formed once at the
 *  end of the window. Per error step and layer (R rows, n_in → n, c classes, S_t input spikes): the input's
 *  spike list (the simulator's packed, S_t + R copies; without them R·n_in compares), one pass for U, Θ,
 *  the penalty, g and db (f32_erbp_gate: R·n·(2c + 7) flops, 24·R·n bytes), and S_t·n adds into dWᵀ with
 *  its rows held in registers.
 *  Activity penalty (rateReg ρ, bioprop's, as in superspike.ts): the gated signal is Θ_l ⊙ (U_l + ρ·amp·s_l(t)),
 *  whose time average adds ρ·rate·Θ: the surrogate gradient of ½ρ·Σ rate² (keeps hidden rates off saturation).
 *  Objections: weightTransport removed (G random), spiking removed, derivativeTransport removed (the
 *  boxcar gate is the neuron's own state, no derivative is transported), linearFeedback not, timing
 *  partly (continuous accumulation, window-end weight step), target not. */
import { defineRule, type StepContext } from './types.js';
import type { Network } from '../net/network.js';
import type { Tensor } from '../core/tensor.js';
import type { IntBuffer } from '../core/intbuf.js';
import { spikeOuterScratch } from '../backend/learn.js';
import { simOf, simCounterState, type SpikingSim } from '../net/spiking.js';
import { stepError, zeroGrads, needMembrane, errorSteps, listInputSpikes } from './shared/online.js';
import { randomMatrix } from './shared/feedback.js';

type P = { feedbackScale: number; tauU: number; bmin: number; bmax: number; rateReg: number };
interface State {
  sim: SpikingSim; G: Tensor[]; U: Tensor[]; gate: Tensor[]; colsum: Tensor; e: Tensor; probs: Tensor;
  /** Σ over the window of presynaptic spikes ⊗ gated signal, [n_in, n_out] per layer (dWᵀ unscaled). */
  acc: Tensor[];
  /** A layer's input spikes of this step as lists (spikeRows), and spikeOuter's scratch. */
  idx: IntBuffer<'i32'>; counts: IntBuffer<'i32'>; work: IntBuffer<'i32'>;
  onStep: (t: number) => void; ctx: { rows: number; p: P };
}


export const erbp = defineRule({
  id: 'erbp',
  title: 'Event-driven random backpropagation (eRBP)',
  cite: 'Neftci et al. 2017, Front. Neurosci. 11:324',
  noConv: 'Neftci et al. 2017 define it on dense layers: its error events reach each hidden neuron through a dense random matrix and its updates are per-synapse gated products, which a convolution shares across positions; the convolutional form is not built',
  objections: { removes: ['weightTransport', 'derivativeTransport', 'spiking'], partly: ['timing'] },
  defaults: { feedbackScale: 0.3, tauU: 5e-3, bmin: 0.5, bmax: 4, rateReg: 0.01 } as P,
  // 100 ms windows at dt = 1 ms, the error read from 30 ms on: 70 ms windows (40 error steps) trailed them
  // on full MNIST epoch by epoch (docs/measurements.md).
  spiking: { only: true, sim: { steps: 100, dt: 1e-3, encoder: 'poisson', maxRate: 200, rateScale: 0.01, readoutStart: 30, neuronParams: { tauMem: 10e-3, tauSyn: 5e-3, refractory: 1e-3 } },
    parts: {
      forward: 'LIF spikes from Poisson input; a leaky membrane readout of the last hidden layer gives the output.',
      feedback: 'Graded: the error is projected through fixed random G into each hidden neuron\'s dendritic compartment every step (the paper sends it as error-neuron spikes; here their net rate).',
      error: 'Graded and online: softmax of the instantaneous readout minus the label, every step after readoutStart.',
      update: 'Event-driven: each presynaptic spike adds the gated dendritic value to its synapses, every step; applied at the window end.',
    } },
  // The window and lr of superspike.ts (docs/measurements.md).
  train: { optimizer: 'adam', lr: 5e-3, momentum: 0, weightDecay: 0, schedule: 'cosine', activation: 'relu', init: 'he', epochs: 10, batch: 100, hidden: [256, 256, 256] },
  init(net: Network, p: P, ws, rng) {
    if (!(p.feedbackScale > 0)) throw new Error(`erbp: feedbackScale must be > 0, got ${p.feedbackScale}`);
    if (!(p.tauU >= 0)) throw new Error(`erbp: tauU must be >= 0 s, got ${p.tauU}`);
    if (!(p.bmin < p.bmax)) throw new Error(`erbp: need bmin < bmax, got ${p.bmin}, ${p.bmax}`);
    if (!(p.rateReg >= 0)) throw new Error(`erbp: rateReg must be >= 0, got ${p.rateReg}`);
    const sim = simOf(net, erbp.spiking!.sim);
    needMembrane('erbp', sim);
    const C = net.classes, Bt = net.batch, hidden = net.layers.slice(0, -1);
    const G = hidden.map((l) => randomMatrix(net, ws, rng, C, l.outSize, 'normal', p.feedbackScale)); // N(0, scale²)
    const maxOut = Math.max(...hidden.map((l) => l.outSize), 1), maxIn = Math.max(...net.layers.map((l) => l.inSize));
    const s: State = {
      sim, G, U: hidden.map((l) => ws.f32([Bt, l.outSize])), gate: hidden.map((l) => ws.f32([Bt, l.outSize])),
      colsum: ws.scratchF32([maxOut]), e: ws.f32([Bt, C]), probs: ws.f32([Bt, C]),
      acc: net.layers.map((l) => ws.scratchF32([l.inSize, l.outSize])),
      idx: ws.i32(Bt * maxIn), counts: ws.i32(Bt), work: ws.i32(spikeOuterScratch(Bt, maxIn)),
      onStep: () => {}, ctx: { rows: Bt, p },
    };
    const lib = net.lib, L = net.layers.length - 1;
    const spikesIn = (l: number) => (l === 0 ? sim.inSpikes : sim.sl[l - 1]!.spikes).head(s.ctx.rows); // 0/1
    const outer = (l: number, g: Tensor) => { // acc_l += s_inᵀ·g, per presynaptic spike
      listInputSpikes(sim, l, s.ctx.rows, s.idx, 0, s.counts, 0);
      lib.spikeOuter(s.acc[l]!, s.idx, 0, s.counts, 0, g, s.work);
    };
    s.onStep = (t) => {
      if (t < sim.readoutStart) return; // no error events before the readout has integrated
      const rows = s.ctx.rows, q = s.ctx.p, scale = 1 / (rows * errorSteps(sim));
      const lu = q.tauU > 0 ? Math.exp(-sim.dt / q.tauU) : 0;
      stepError(net, sim, rows, s.probs, s.e);
      outer(L, s.e.head(rows));
      if (net.bias) lib.sumRows(net.layers[L]!.db, s.e.head(rows), scale, 1);
      // Θ = [bmin <= J <= bmax] on the drive I = (1 − λm)·J: (1 − λm)·bmin <= I <= (1 − λm)·bmax
      const lm = sim.r.decay, lo = (1 - lm) * q.bmin, hi = (1 - lm) * q.bmax;
      for (let l = 0; l < L; l++) {
        const g = s.gate[l]!.head(rows);
        // U ← λU·U + (1 − λU)·e·G; g = Θ ⊙ (U + ρ·amp·s) (the activity penalty: the neuron's own spikes in
        // rate units, amp·s for s ∈ {0, 1}), or Θ ⊙ U without it; db += scale·Σ_rows g. One pass (f32_erbp_gate).
        const rhoAmp = Math.fround(Math.fround(q.rateReg) * Math.fround(sim.sl[l + 1]!.ampIn));
        lib.erbpGate(s.U[l]!.head(rows), s.e.head(rows), s.G[l]!, 1 - lu, lu, sim.sl[l]!.I.head(rows), lo, hi, rhoAmp, q.rateReg > 0 ? spikesIn(l + 1) : null,
          g, net.bias ? net.layers[l]!.db : null, scale, s.colsum.head(net.layers[l]!.outSize));
        outer(l, g);
      }
    };
    return s;
  },
  forward(ctx: StepContext, s: State, p: P, training: boolean) {
    if (!training) { s.sim.run(ctx.rows); return; }
    s.ctx.rows = ctx.rows; s.ctx.p = p;
    const lib = ctx.net.lib, sim = s.sim;
    zeroGrads(ctx.net);
    for (const U of s.U) lib.fill(U.head(ctx.rows), 0); // the dendrite rests between examples too
    for (const a of s.acc) lib.fill(a, 0);
    sim.run(ctx.rows, s.onStep);
    const scale = 1 / (ctx.rows * errorSteps(sim));
    ctx.net.layers.forEach((l, i) => lib.scal(lib.transpose(l.dW, s.acc[i]!), scale * sim.sl[i]!.ampIn)); // dW = amp·scale·accᵀ
  },
  resume: simCounterState,
  teach: (ctx: StepContext, s: State) => {
    const { net, rows } = ctx;
    net.lib.copy(net.output.delta.head(rows), s.e.head(rows));
    s.gate.forEach((g, l) => net.lib.copy(net.layers[l]!.delta.head(rows), g.head(rows)));
  },
  update: () => { /* accumulated per presynaptic event in forward */ },
});
