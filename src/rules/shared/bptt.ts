// Backpropagation through time with surrogate gradients over a SpikingSim window (Neftci, Mostafa &
// Zenke 2019, IEEE Signal Process. Mag. 36(6):51, sections III–IV): the exact gradient of the window's
// loss with the spike's Heaviside derivative replaced by the neuron's surrogate (the f32_lif_step
// surrogate of the membrane before reset), the reset detached as snnTorch and Norse detach it, and no
// gradient through a neuron while it is held refractory.
//
// The forward pass is the simulator's own window (src/net/spiking.ts), so training and evaluation see
// the same network; a per-step callback records what the adjoint needs, stacked over the window in
// [steps, batch, n] workspace tensors made once: the input spikes, and for each spiking layer its spikes
// (which also decide, in the adjoint, who was refractory) and its surrogate. Nothing else is kept: the
// synaptic current and membrane enter the adjoint only through those.
//
// The adjoint, layer by layer from the top (a layer's spikes depend on the layer below at the same step
// only, so no recurrence crosses layers and every matrix product is one GEMM over the stacked window):
//   membrane readout   m_t = λo·m_{t−1} + (1 − λo)·I_t,  I_t = λs·I_{t−1} + (1 − λs)(amp·s_t·Wᵀ + b),
//                      post = mean_{t >= t_c} m_t:
//                        gm ← [t >= t_c]·e/(T − t_c) + λo·gm,  gI ← (1 − λo)·gm + λs·gI,  G_t = gI
//   spiking layer      I_t = λs·I_{t−1} + c·s^{in}_t·Wᵀ + c_b·b + const,  v: the LIF map, s_t = H(m_t − ϑ):
//                        the steps of f32_lif_adjoint_step from t = T − 1 down to 0 give G_t = ∂L/∂I_t
//   every layer        ∂L/∂s^{in}_t = c·G_t·W  (one GEMM: the input of the layer below's adjoint),
//                      dW = c·Σ_t G_tᵀ·s^{in}_t / rows  (one GEMM over the stacked steps),
//                      δ = c_b·Σ_t G_t (∂loss/∂b per example), db = Σ_rows δ / rows
// with c = (1 − λs)(1 − λm)·gain·amp and c_b = (1 − λs)(1 − λm)·gain for a spiking layer (the drive
// SpikingSim adds), c = (1 − λs)·amp and c_b = 1 − λs for the membrane readout, and e = ∂loss/∂post the
// network's error. A 'count' readout spikes like a hidden layer and is read as rateScale·rate over
// [t_c, T): its ∂L/∂s_t is [t >= t_c]·e·rateScale/((T − t_c)·dt).
//
// A partial batch (rows < batch) runs the adjoint over every row with the error of the missing rows
// set to zero, so their records (left from an earlier batch) add nothing.
import type { Tensor } from '../../core/tensor.js';
import type { Network } from '../../net/network.js';
import type { SpikingSim } from '../../net/spiking.js';
import type { LifAdjointParams } from '../../backend.js';

export class Bptt {
  private readonly T: number;
  private readonly sIn: Tensor; // [T, B, features] input spikes
  private readonly S: (Tensor | null)[]; // [T, B, n_l] spikes of each spiking layer (null: membrane readout)
  private readonly D: (Tensor | null)[]; // [T, B, n_l] surrogates
  private readonly G: Tensor[]; // [T, B, n_l] ∂L/∂s, then ∂L/∂I, of each layer
  private readonly gv: Tensor[]; // [B, n_l] carried adjoints (membrane; the readout's m)
  private readonly gI: Tensor[]; // [B, n_l] carried adjoints of the current
  private readonly e: Tensor; // [B, classes] the error, zero beyond the batch's rows
  private readonly preT: Tensor; // scratch: a layer's input spikes transposed, [in, T·B]
  private readonly dWT: Tensor; // scratch: dWᵀ [in, out] of the event-driven weight gradient
  private readonly adj: LifAdjointParams;
  private readonly cW: number[];
  private readonly cB: number[];
  /** onStep for SpikingSim.run: records step t. */
  readonly record: (t: number) => void;

  constructor(readonly net: Network, readonly sim: SpikingSim) {
    if (net.layers.some((l) => l.conv)) throw new Error(`bp --spiking: backpropagation through time is built for dense LIF layers; this network has convolutional layers (${net.arch})`);
    if (sim.neuron.id !== 'lif') throw new Error(`bp --spiking: backpropagation through time runs through the 'lif' neuron's dynamics, got neuron '${sim.neuron.id}'`);
    const ws = net.ws, T = sim.steps, B = net.batch, lib = net.lib, layers = net.layers;
    this.T = T;
    this.sIn = ws.f32([T, B, net.sizes[0]!]);
    this.S = sim.sl.map((s, l) => (s.spiking ? ws.f32([T, B, layers[l]!.outSize]) : null));
    this.D = sim.sl.map((s, l) => (s.spiking ? ws.f32([T, B, layers[l]!.outSize]) : null));
    this.G = layers.map((l) => ws.f32([T, B, l.outSize]));
    this.gv = layers.map((l) => ws.f32([B, l.outSize]));
    this.gI = layers.map((l) => ws.f32([B, l.outSize]));
    this.e = ws.f32([B, net.classes]);
    const maxIn = Math.max(...layers.map((l) => l.inSize)), maxOut = Math.max(...layers.map((l) => l.outSize));
    this.preT = ws.f32([maxIn * T * B]);
    this.dWT = ws.f32([maxIn * maxOut]);
    const lm = sim.r.decay, ls = sim.r.synDecay, k = sim.r.kernel;
    this.adj = { decay: lm, synDecay: ls, reset: k.reset ?? 'zero', refSteps: k.refSteps ?? 0 };
    this.cB = sim.sl.map((s) => (s.spiking ? (1 - ls) * (1 - lm) * sim.gain : 1 - ls));
    this.cW = sim.sl.map((s, l) => this.cB[l]! * s.ampIn);
    this.record = (t) => {
      lib.copy(this.sIn.row(t), sim.inSpikes);
      for (let l = 0; l < layers.length; l++) {
        const S = this.S[l], D = this.D[l];
        if (S && D) { lib.copy(S.row(t), sim.sl[l]!.spikes); lib.copy(D.row(t), sim.sl[l]!.dstep); }
      }
    };
  }

  /** A training window over the first `rows` rows, recorded for backward(). */
  forward(rows: number): void {
    this.sim.run(rows, this.record);
  }

  /**
   * The adjoint of the last recorded window for the loss whose gradient with respect to the output is
   * net.error (after net.computeLoss): leaves G and each layer's δ.
   */
  backward(rows: number): void {
    const { net, sim, T } = this, lib = net.lib, layers = net.layers, top = layers.length - 1;
    const B = net.batch, t0c = sim.readoutStart;
    const e = this.e;
    if (rows < B) lib.fill(e, 0);
    lib.copy(e.head(rows), net.error.head(rows));
    const Gt = this.G[top]!, ls = sim.r.synDecay;
    if (!sim.sl[top]!.spiking) {
      const lo = sim.tauOut > 0 ? Math.exp(-sim.dt / sim.tauOut) : 0, w = 1 / (T - t0c);
      const gm = this.gv[top]!, gI = this.gI[top]!;
      lib.fill(gm, 0); lib.fill(gI, 0);
      for (let t = T - 1; t >= 0; t--) {
        if (t >= t0c) lib.axpby(gm, w, e, lo); else lib.scal(gm, lo);
        lib.axpby(gI, 1 - lo, gm, ls);
        lib.copy(Gt.row(t), gI);
      }
    } else {
      const w = sim.rateScale / ((T - t0c) * sim.dt);
      for (let t = 0; t < T; t++) {
        if (t >= t0c) lib.axpby(Gt.row(t), w, e, 0); else lib.fill(Gt.row(t), 0);
      }
    }
    for (let l = top; l >= 0; l--) {
      const G = this.G[l]!, S = this.S[l], D = this.D[l], n = layers[l]!.outSize;
      if (S && D) {
        const gv = this.gv[l]!, gI = this.gI[l]!;
        lib.fill(gv, 0); lib.fill(gI, 0);
        for (let t = T - 1; t >= 0; t--) lib.lifAdjointStep(G.row(t), D.row(t), S, t, gv, gI, this.adj);
      }
      const delta = layers[l]!.delta;
      lib.fill(delta, 0);
      for (let t = 0; t < T; t++) lib.axpy(delta, this.cB[l]!, G.row(t));
      if (l > 0) lib.gemm(this.G[l - 1]!.matrix(T * B, layers[l - 1]!.outSize), G.matrix(T * B, n), layers[l]!.W, 'nn', this.cW[l]!, 0);
    }
  }

  /**
   * dW, db of every layer from the adjoint (mean over the batch's rows). dW = c·Σ_t G_tᵀ·s_t is one GEMM
   * over the stacked window, or, when few inputs spiked (below gradDensity), its transpose summed over the spikes only: dWᵀ = c·Sᵀ·G with the event kernel.
   */
  /** The input spike density below which the weight gradient sums over spikes: the simulator's
   *  eventDensity when it is fixed; with 'auto' (measured for propagation, a different kernel) the fixed
   *  0.15 this path was measured at. */
  private get gradDensity(): number {
    return typeof this.sim.eventDensity === 'number' ? this.sim.eventDensity : 0.15;
  }

  grads(rows: number): void {
    const { net, T } = this, lib = net.lib, layers = net.layers, TB = T * net.batch;
    for (let l = 0; l < layers.length; l++) {
      const layer = layers[l]!, pre = (l === 0 ? this.sIn : this.S[l - 1]!).matrix(TB, layer.inSize);
      const G = this.G[l]!.matrix(TB, layer.outSize), c = this.cW[l]! / rows;
      if (lib.sumsq(pre) < this.gradDensity * TB * layer.inSize) { // 0/1 spikes: Σs² = count
        const preT = this.preT.matrix(layer.inSize, TB), dWT = this.dWT.matrix(layer.inSize, layer.outSize);
        lib.transpose(preT, pre);
        lib.eventMatmul(dWT, preT, G);
        lib.transpose(layer.dW, dWT);
        lib.scal(layer.dW, c);
      } else lib.gemm(layer.dW, G, pre, 'tn', c, 0);
      if (net.bias) lib.sumRows(layer.db, layer.delta, 1 / rows, 0);
    }
  }
}
