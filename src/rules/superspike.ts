/** SuperSpike (Zenke & Ganguli 2018, Neural Computation 30:1514): a three-factor rule for LIF networks,
 *  run online inside the time loop of every presentation window (src/net/spiking.ts). Per step t:
 *    e(t)   = softmax(m(t)) − y                        output error of the membrane readout (graded error neurons)
 *    ε_j(t) ← λm·ε_j + (1 − λm)·amp·s_j(t)             presynaptic PSP trace (membrane-filtered spikes)
 *    hidden, random feedback (default):  mod_l(t) = (e(t)·B_l) ⊙ σ'(U_l(t))   (B_l fixed, N(0, scale²), DFA-style,
 *                                        every hidden layer fed straight from the output as in sim_rfb.cpp)
 *    hidden, symmetric feedback:         mod_l(t) = (mod_{l+1}(t)·W_{l+1}) ⊙ σ'(U_l(t))
 *    activity penalty (rateReg ρ):      mod_l(t) += ρ·ε_{l+1}(t) ⊙ σ'(U_l(t))   (ε_{l+1}: layer l's own filtered spike
 *                                        train in rate units, 100 Hz ↦ 1: the surrogate gradient of ½ρ·Σ rate²)
 *    dW_l  = Σ_{t >= t_c} mod_l(t)ᵀ·ε_{l−1}(t) / (rows·(T − t_c))   (output: mod_L = e; t_c = readoutStart: no
 *                                        error is read before the readout has integrated t_c steps)
 *  The last line is the paper's update integral ẇ_ij ∝ e_i·σ'(U_i)·(ε∗S_j), summed over the window. Formed
 *  step by step it is a dense rows × n_in × n_out product per step per layer. Because ε is a linear filter
 *  of the spikes, the same sum is reordered exactly (only float rounding differs) by presynaptic spike:
 *    Σ_{t>=t_c} mod(t)ᵀ·ε(t) = λm·m̄(t_c)ᵀ·ε(t_c − 1) + (1 − λm)·amp·Σ_{s>=t_c} m̄(s)ᵀ·S(s),
 *    m̄(s) = mod(s) + λm·m̄(s + 1)          (the teaching signal filtered backwards in time, m̄(T) = 0)
 *  so the window stores mod(t) and the input spikes of the error steps (as spike lists), and at its end
 *  walks back over them; the spikes before t_c enter through one product with ε(t_c − 1). The weight
 *  step comes at the window end either way.
 *  Work per layer (R rows, n_in → n_out, c classes, K = T − t_c error steps, S_t spikes into the layer
 *  at step t; flops, and bytes of f32/i32 moved):
 *    steps t < t_c      ε ← λm·ε + a·s                            3·R·n_in            20·R·n_in B
 *    each error step    spike list of the input (f32_spike_pack   S_t + R copies      8·S_t + 8·R B
 *                       from the simulator's lists; f32_spike_rows' R·n_in compares when it keeps none)
 *                       hidden: mod, ε_{l+1}, db in one pass       R·n_out·(2c + 7)    24·R·n_out B
 *                       (f32_superspike_mod; symmetric feedback adds the GEMM, 2·R·n_{l+1}·n_out)
 *    window end, per k  m̄ ← mod + λm·m̄ (axpby)                   3·R·n_out           12·R·n_out B
 *                       dWᵀ rows += m̄ rows per spike (f32_spike_outer)  S_t·n_out adds, C row in registers
 *    window end, once   ε(t_c − 1) product (GEMM), transpose, scale     2·R·n_in·n_out + 2·n_in·n_out
 *  Against the dense per-step product, 2·R·n_in·n_out·K flops, the window costs Σ_t S_t·n_out adds plus
 *  O(R·(n_in + c·n_out)) per step: at a spike density ρ of the inputs, a factor ~1/(2ρ) less.
 *  σ' is the fast-sigmoid surrogate 1/(1 + k|U − ϑ|)² of the membrane before reset (f32_lif_step).
 *  Simplifications, stated: the eligibility trace's second (α-kernel) filtering and the van Rossum
 *  filtering of the error are folded into a single membrane filter of the PSP; the error is the
 *  softmax cross-entropy of the instantaneous readout rather than a van Rossum distance to target
 *  spike trains; per-parameter RMSmax is replaced by the shared optimiser (Adam by default). The paper's
 *  code regularises hidden activity heterosynaptically (dW_ij −= ρ·w_ij·ν̄_i⁴); here the activity penalty
 *  above is used instead: without either, hidden layers fire at 170–260 Hz and learn less, and the
 *  activity penalty learned more than the heterosynaptic term (docs/measurements.md).
 *  Objections: weightTransport removed (random B; not with feedback=symmetric), spiking removed (LIF
 *  spikes forward), derivativeTransport partly (local surrogate only), linearFeedback not (linear
 *  projection of e), timing partly (online within a window, but a window-end weight step), target not. */
import { defineRule, type StepContext } from './types.js';
import type { Network } from '../net/network.js';
import type { Tensor } from '../core/tensor.js';
import type { IntBuffer } from '../core/intbuf.js';
import { spikeOuterScratch } from '../backend/learn.js';
import { simOf, simCounterState, type SpikingSim } from '../net/spiking.js';
import { stepError, zeroGrads, needMembrane, errorSteps, listInputSpikes } from './shared/online.js';
import { randomMatrix } from './shared/feedback.js';

interface State {
  sim: SpikingSim; B: Tensor[]; eps: Tensor[]; mod: Tensor[]; e: Tensor; probs: Tensor;
  /** Per error step k = t − t_c: the teaching signals mod_l(t) (mod_L = e); every layer's input spikes as
   *  lists (spikeRows): step k's counts from k·rows in counts[l], its entries from at[l·(K + 1) + k] in idx[l]. */
  modHist: Tensor[][]; idx: IntBuffer<'i32'>[]; counts: IntBuffer<'i32'>[]; at: Float64Array; work: IntBuffer<'i32'>;
  /** ε_l(t_c − 1), the traces when the error starts; the filtered teaching signal m̄_l; Σ spikes ⊗ m̄ (dWᵀ, unscaled). */
  epsStart: Tensor[]; mbar: Tensor[]; acc: Tensor[]; colsum: Tensor;
  onStep: (t: number) => void; ctx: { rows: number; p: P } ;
}
type P = { feedback: string; feedbackScale: number; rateReg: number };

export const superspike = defineRule({
  id: 'superspike',
  title: 'SuperSpike (surrogate gradient, random feedback)',
  cite: 'Zenke & Ganguli 2018, Neural Computation 30:1514',
  noConv: 'Zenke & Ganguli 2018 define it on dense layers: its eligibility trace is per synapse, and a convolution shares each kernel weight across positions, so a trace per shared weight would be a sum over positions the paper does not define; the convolutional form is not built',
  objections: { removes: ['weightTransport', 'spiking'], partly: ['derivativeTransport', 'timing'] },
  defaults: { feedback: 'random', feedbackScale: 0.3, rateReg: 0.01 } as P,
  // Paper: τmem 10 ms, τsyn 5 ms, refractory 5 ms at dt = 0.1 ms over seconds-long trials. On MNIST we keep
  // τmem = 10 ms and τsyn = 5 ms but step at 1 ms for 100 ms windows, the error read from 30 ms on: in 30 ms
  // windows hidden neurons at ~25 Hz fire less than once, too few spikes to carry the digit, and 70 ms
  // windows (40 error steps) ended below 100 ms on full MNIST (docs/measurements.md).
  spiking: { only: true, sim: { steps: 100, dt: 1e-3, encoder: 'poisson', maxRate: 200, rateScale: 0.01, readoutStart: 30, neuronParams: { tauMem: 10e-3, tauSyn: 5e-3, refractory: 1e-3 } },
    parts: {
      forward: 'LIF spikes from Poisson input; a leaky membrane readout of the last hidden layer gives the output.',
      feedback: 'Graded: the output error reaches each hidden layer through fixed random B every time step (not spikes).',
      error: 'Graded and online: softmax of the instantaneous readout minus the label, every step after readoutStart.',
      update: 'Online three-factor: every step, presynaptic spike traces times the fed-back error times the surrogate of the membrane; applied at the window end.',
    } },
  // lr 5e-3, chosen on an MNIST slice among Adam rates 2e-3 to 1.5e-2 (docs/measurements.md).
  train: { optimizer: 'adam', lr: 5e-3, momentum: 0, weightDecay: 0, schedule: 'cosine', activation: 'relu', init: 'he', epochs: 10, batch: 100, hidden: [256, 256, 256] },
  init(net: Network, p: P, ws, rng) {
    if (p.feedback !== 'random' && p.feedback !== 'symmetric') throw new Error(`superspike: feedback must be 'random' or 'symmetric', got '${p.feedback}'`);
    if (!(p.feedbackScale > 0)) throw new Error(`superspike: feedbackScale must be > 0, got ${p.feedbackScale}`);
    if (!(p.rateReg >= 0)) throw new Error(`superspike: rateReg must be >= 0, got ${p.rateReg}`);
    const sim = simOf(net, superspike.spiking!.sim);
    needMembrane('superspike', sim);
    const C = net.classes, Bt = net.batch, K = errorSteps(sim);
    const B = net.layers.slice(0, -1).map((l) => randomMatrix(net, ws, rng, C, l.outSize, 'normal', p.feedbackScale)); // N(0, scale²)
    const eps = net.layers.map((l) => ws.f32([Bt, l.inSize]));
    const mod = net.layers.slice(0, -1).map((l) => ws.f32([Bt, l.outSize]));
    const steps = (shape: (l: Network['layers'][number]) => number[]) => net.layers.map((l) => Array.from({ length: K }, () => ws.scratchF32(shape(l))));
    const s: State = {
      sim, B, eps, mod, e: ws.f32([Bt, C]), probs: ws.f32([Bt, C]),
      modHist: steps((l) => [Bt, l.outSize]),
      idx: net.layers.map((l) => ws.i32(K * Bt * l.inSize)), counts: net.layers.map(() => ws.i32(K * Bt)), at: new Float64Array(net.layers.length * (K + 1)),
      work: ws.i32(spikeOuterScratch(Bt, Math.max(...net.layers.map((l) => l.inSize)))),
      epsStart: net.layers.map((l) => ws.scratchF32([Bt, l.inSize])), mbar: net.layers.map((l) => ws.scratchF32([Bt, l.outSize])),
      acc: net.layers.map((l) => ws.scratchF32([l.inSize, l.outSize])), colsum: ws.scratchF32([Math.max(...net.layers.map((l) => l.outSize))]),
      onStep: () => {}, ctx: { rows: Bt, p },
    };
    const lib = net.lib, L = net.layers.length - 1, lm = sim.r.decay, t0 = sim.readoutStart;
    s.onStep = (t) => {
      const rows = s.ctx.rows, scale = 1 / (rows * K), lam = s.ctx.p.rateReg;
      // PSP traces: every layer's before t_c; from t_c on only those the activity penalty reads, updated in
      // the teaching signal's pass below (ε_{l+1} is layer l's own filtered spike train)
      if (t < t0) for (let l = 0; l <= L; l++) {
        const src = l === 0 ? sim.inSpikes : sim.sl[l - 1]!.spikes;
        lib.axpby(s.eps[l]!.head(rows), (1 - lm) * sim.sl[l]!.ampIn, src.head(rows), lm);
      }
      if (t === t0 - 1) for (let l = 0; l <= L; l++) lib.copy(s.epsStart[l]!.head(rows), s.eps[l]!.head(rows));
      if (t < t0) return; // no error (and no update) before the readout has integrated
      const k = t - t0, e = s.modHist[L]![k]!.head(rows);
      stepError(net, sim, rows, s.probs, e);
      for (let l = 0; l <= L; l++) { // this step's input spikes, listed after the previous steps'
        const at = s.at[l * (K + 1) + k]!;
        s.at[l * (K + 1) + k + 1] = at + listInputSpikes(sim, l, rows, s.idx[l]!, at, s.counts[l]!, k * rows);
      }
      if (net.bias) lib.sumRows(net.layers[L]!.db, e, scale, 1);
      for (let l = L - 1; l >= 0; l--) {
        // mod_l = (e·B_l or mod_{l+1}·W_{l+1} + ρ·ε_{l+1}) ⊙ σ'(U_l), db_l += scale·Σ_rows mod_l: one pass
        // (f32_superspike_mod) with the random feedback's small product inside, after the GEMM with symmetric
        const m = s.modHist[l]![k]!.head(rows), random = s.ctx.p.feedback === 'random', own = sim.sl[l]!;
        if (!random) lib.gemm(m, s.modHist[l + 1]![k]!.head(rows), net.layers[l + 1]!.W, 'nn');
        lib.superspikeMod(m, random ? e : null, random ? s.B[l]! : null, lam > 0 ? own.spikes.head(rows) : null, (1 - lm) * sim.sl[l + 1]!.ampIn, lm,
          lam > 0 ? s.eps[l + 1]!.head(rows) : null, lam, own.dstep.head(rows), net.bias ? net.layers[l]!.db : null, scale, s.colsum.head(net.layers[l]!.outSize));
      }
    };
    return s;
  },
  forward(ctx: StepContext, s: State, p: P, training: boolean) {
    if (!training) { s.sim.run(ctx.rows); return; }
    const { net, rows } = ctx, lib = net.lib, sim = s.sim, K = errorSteps(sim), L = net.layers.length - 1;
    s.ctx.rows = rows; s.ctx.p = p;
    zeroGrads(net);
    for (const t of s.eps) lib.fill(t.head(rows), 0);
    sim.run(rows, s.onStep);
    lib.copy(s.e.head(rows), s.modHist[L]![K - 1]!.head(rows)); // the last step's signals, for teach
    s.mod.forEach((m, l) => lib.copy(m.head(rows), s.modHist[l]![K - 1]!.head(rows)));
  },
  resume: simCounterState,
  teach: (ctx: StepContext, s: State) => { // report the last step's modulated signals as the deltas
    const { net, rows } = ctx;
    net.lib.copy(net.output.delta.head(rows), s.e.head(rows));
    s.mod.forEach((m, l) => net.lib.copy(net.layers[l]!.delta.head(rows), m.head(rows)));
  },
  update(ctx: StepContext, s: State) { // db was summed step by step in forward; dW is formed here
    const { net, rows } = ctx, lib = net.lib, sim = s.sim, K = errorSteps(sim), L = net.layers.length - 1;
    // Σ_t mod(t)ᵀ·ε(t) over the error steps, reordered by presynaptic spike (see the header): walking back
    // from the last step, m̄ ← λm·m̄ + mod(t) and each input spike of step t adds its row's m̄ to dWᵀ.
    const lm = sim.r.decay, scale = 1 / (rows * K);
    for (let l = 0; l <= L; l++) {
      const acc = s.acc[l]!, mbar = s.mbar[l]!.head(rows), amp = sim.sl[l]!.ampIn;
      lib.fill(acc, 0);
      lib.fill(mbar, 0);
      for (let k = K - 1; k >= 0; k--) {
        lib.axpby(mbar, 1, s.modHist[l]![k]!.head(rows), lm);
        lib.spikeOuter(acc, s.idx[l]!, s.at[l * (K + 1) + k]!, s.counts[l]!, k * rows, mbar, s.work);
      }
      // the spikes before t_c reach the error steps only through ε(t_c − 1), decayed by λm per step
      if (sim.readoutStart > 0) lib.gemm(acc, s.epsStart[l]!.head(rows), mbar, 'tn', lm / ((1 - lm) * amp), 1);
      lib.scal(lib.transpose(net.layers[l]!.dW, acc), scale * (1 - lm) * amp); // dW = (1 − λm)·amp·scale·accᵀ
    }
  },
});
