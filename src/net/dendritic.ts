/** A network of three-compartment neurons (src/neurons/dendritic.ts) on a Network's weights: hidden
 *  layers of basal/apical/soma units, an output layer of dendrite/soma units, fixed feedback Y_m from the
 *  output to every hidden layer's apical dendrites (Guerguiev, Lillicrap & Richards 2017, Methods). One
 *  presentation runs a forward phase and, when training, a target phase in which the label's teaching
 *  conductances drive the output somata; it leaves phase averages for a learning rule (rules/dendrites.ts).
 *
 *  Rate version (the nonspiking mode of the authors' code): every average is the steady state
 *  (C = k_B B, U^f = k_D V, U^t the conductance-weighted average), rates pass forward directly, the input
 *  rate is λmax·x.
 *  Spiking version: dt = 1 ms. Input spikes ~ Bernoulli(λmax x dt) (the paper draws Poisson counts; at
 *  λmax dt = 0.2 the Bernoulli draw is its one-spike approximation). Every spike train is filtered by the
 *  PSP kernel, as two exponential traces (f32_trace_step; untruncated, where the authors' code cuts κ
 *  after 10 steps). The filter is linear, so W is applied to the spikes before filtering: each step's
 *  current s·Wᵀ is event-driven (f32_event_nn on a per-presentation Wᵀ: at most λmax dt = 20 % of the
 *  inputs spike) and the basal potential is (y_L − y_S)/(τL − τS) with y the traces of that current (the
 *  same sums as W·PSP up to float rounding, without a dense GEMM per step). Somata integrate the
 *  conductance equations by Euler steps and fire Bernoulli(λmax σ(·) dt) (f32_bernoulli on a seeded WASM
 *  stream): the model has no threshold or reset, so f32_lif_step does not apply. Each phase lasts
 *  phaseTime (+ ⌊Wald(2, 1)⌋ ms with randomPhases, drawn per batch) and averages over its last `window`
 *  ms; testing is one testTime forward phase averaged over its last testWindow. The examples of a batch
 *  are simulated side by side (the paper: one at a time). Every presentation starts from rest. */
import type { Tensor } from '../core/tensor.js';
import type { Workspace } from '../core/workspace.js';
import type { Rng } from '../core/rng.js';
import type { Network } from './network.js';
import { RasterRecorder, type Raster, type RasterOptions, type RasterSource } from './raster.js';
import { LAMBDA_MAX, G_L, G_B, G_D, E_E, E_I, K_B, K_D, TAU_L, TAU_S, wald } from '../neurons/dendritic.js';

/** The simulation's mode and timing (ms). */
export interface DendriticOptions {
  spiking: boolean;
  /** Training phase length and its averaging window, test phase length and its window. */
  phaseTime: number;
  window: number;
  testTime: number;
  testWindow: number;
  /** Random phase lengths (+⌊Wald(2, 1)⌋ ms). */
  randomPhases: boolean;
}

interface SpikeBuffers {
  s: Tensor; // spikes [B, n]
  xl: Tensor; // long trace
  xs: Tensor; // short trace
}

export class DendriticSim implements RasterSource {
  /** Presynaptic signal of layer l (the rate, or the PSP in the spiking version): [B, n_{l−1}]. */
  readonly pre: Tensor[];
  /** Forward-phase averages: presynaptic signal per layer, hidden somata C̄, output soma Ū. */
  readonly preBar: Tensor[];
  readonly Cbar: Tensor[];
  readonly Ubar: Tensor;
  /** Target-phase output rate average φ̄^t, and apical averages per hidden layer for both phases. */
  readonly phiT: Tensor;
  readonly Af: Tensor[];
  readonly At: Tensor[];
  /** Scratch: σ of a layer, its derivative. */
  readonly sig: Tensor[];
  readonly dsig: Tensor[];
  private readonly drive: Tensor; // [B, C]: 16 t − 8 during the target phase
  // Spiking only
  private readonly soma: Tensor[] = []; // C (hidden) and U (output) membrane, per layer
  private readonly spk: SpikeBuffers[] = []; // index 0 = input, l+1 = layer l
  /** Event-driven synapses: Wᵀ per layer [n_in, n_out] (refreshed per presentation), the spike-driven
   *  current s·Wᵀ [B, n_out], its two PSP traces (W applied before filtering: the filter is linear), and
   *  an n_out scratch for f32_event_nn. */
  private readonly WT: Tensor[] = [];
  private readonly cur: Tensor[] = [];
  private readonly yl: Tensor[] = [];
  private readonly ys: Tensor[] = [];
  private readonly tmp: Tensor | null = null;
  /** The output layer's PSP (x_L − x_S)/(τL − τS) [B, C], which drives the apical compartments. */
  private readonly outPsp: Tensor | null = null;
  /** The spike stream's 16-byte xoshiro128** state (assembly/kernels/rng.ts), or null (rate). */
  private readonly rngState: Tensor | null = null;
  private readonly decayL = Math.exp(-1 / TAU_L);
  private readonly decayS = Math.exp(-1 / TAU_S);

  /** Buffers in `ws` for `net` with feedback matrices `Y` [classes, n_m]; the spike stream is seeded from `rng`. */
  constructor(readonly net: Network, readonly Y: readonly Tensor[], readonly o: DendriticOptions, ws: Workspace, rng: Rng) {
    const B = net.batch, C = net.classes, L = net.layers.length;
    const hidden = net.layers.slice(0, L - 1);
    const sizesIn = net.layers.map((l) => l.inSize);
    this.pre = sizesIn.map((n, l) => (l === 0 || o.spiking ? ws.f32([B, n]) : net.layers[l - 1]!.post));
    this.preBar = sizesIn.map((n) => ws.f32([B, n]));
    this.Cbar = hidden.map((l) => ws.f32([B, l.outSize]));
    this.Ubar = ws.f32([B, C]);
    this.phiT = ws.f32([B, C]);
    this.Af = hidden.map((l) => ws.f32([B, l.outSize]));
    this.At = hidden.map((l) => ws.f32([B, l.outSize]));
    this.sig = net.layers.map((l) => ws.f32([B, l.outSize]));
    this.dsig = net.layers.map((l) => ws.f32([B, l.outSize]));
    this.drive = ws.f32([B, C]);
    if (o.spiking) {
      this.soma = net.layers.map((l) => ws.f32([B, l.outSize]));
      this.spk = [net.layers[0]!.inSize, ...net.layers.map((l) => l.outSize)].map((n) => ({
        s: ws.f32([B, n]), xl: ws.f32([B, n]), xs: ws.f32([B, n]),
      }));
      this.WT = net.layers.map((l) => ws.f32([l.inSize, l.outSize]));
      this.cur = net.layers.map((l) => ws.f32([B, l.outSize]));
      this.yl = net.layers.map((l) => ws.f32([B, l.outSize]));
      this.ys = net.layers.map((l) => ws.f32([B, l.outSize]));
      this.tmp = ws.f32([Math.max(...net.layers.map((l) => l.outSize))]);
      this.outPsp = ws.f32([B, C]);
      // The spike stream: a 16-byte generator state in a workspace buffer, seeded from the caller's stream.
      this.rngState = ws.f32([4]);
      net.k.rng_seed(rng.nextU32() | 0, this.rngState.ptr);
    }
  }

  /** One presentation of the first `rows` rows of net.input: forward and target phases when training
   *  (phase lengths drawn from `rng`), one test phase otherwise; the prediction is left in net.output.post. */
  present(rows: number, rng: Rng, train: boolean): void {
    if (this.o.spiking) this.spikingPresentation(rows, rng, train);
    else this.ratePass(rows, train);
  }

  /** A spike raster of hidden layer `o.layer` (default 1) during one test presentation of row 0; null
   *  for the rate version or a layer that is not hidden. */
  raster(o: RasterOptions = {}): Raster | null {
    const layer = o.layer ?? 1, L = this.net.layers.length;
    if (!this.o.spiking || !Number.isInteger(layer) || layer < 1 || layer > L - 1) return null;
    const rec = new RasterRecorder(layer, this.o.testTime, this.net.layers[layer - 1]!.outSize, o);
    const buf = this.spk[layer]!.s;
    this.spikingPresentation(1, null, false, (t) => rec.record(t, buf.data));
    return rec.raster;
  }

  /** Apical potentials of every hidden layer from output activity `pOut` [rows, C] into `dst`. */
  private apicalFrom(rows: number, pOut: Tensor, dst: Tensor[], alpha: number, beta: number): void {
    const net = this.net;
    for (let m = 0; m < net.layers.length - 1; m++) {
      const n = net.layers[m]!.outSize;
      net.k.f32_gemm_nn(rows, n, net.classes, alpha, beta, pOut.ptr, this.Y[m]!.ptr, dst[m]!.ptr);
    }
  }

  /** Teaching drive g_E E_E + g_I E_I = 16 t − 8 for one-hot t (g_E = t, g_I = 1 − t). */
  private targetDrive(rows: number): void {
    const net = this.net, n = rows * net.classes;
    net.k.f32_fill(n, E_I, this.drive.ptr);
    net.k.f32_axpy(n, E_E - E_I, net.target.ptr, this.drive.ptr);
  }

  /** Rate version: steady states of both phases in one pass. */
  private ratePass(rows: number, train: boolean): void {
    const net = this.net, s = this;
    const k = net.k, L = net.layers.length, C = net.classes;
    k.f32_copy(rows * net.layers[0]!.inSize, net.input.ptr, s.pre[0]!.ptr);
    k.f32_scal(rows * net.layers[0]!.inSize, LAMBDA_MAX, s.pre[0]!.ptr); // input rate λmax·x
    for (let m = 0; m < L - 1; m++) {
      const l = net.layers[m]!, n = rows * l.outSize;
      k.f32_gemm_nt(rows, l.outSize, l.inSize, 1, 0, s.pre[m]!.ptr, l.W.ptr, l.a.ptr); // basal B
      if (net.bias) k.f32_add_row(rows, l.outSize, l.b.ptr, l.a.ptr);
      k.f32_scale_add(n, K_B, l.a.ptr, 0, l.a.ptr, s.Cbar[m]!.ptr); // C = k_B B
      k.f32_sigmoid_fwd(n, 0, 0, 0, s.Cbar[m]!.ptr, l.post.ptr, 0);
      k.f32_scal(n, LAMBDA_MAX, l.post.ptr); // φ = λmax σ(C) = the next layer's presynaptic rate
    }
    const out = net.output, n = rows * C;
    k.f32_gemm_nt(rows, C, out.inSize, 1, 0, s.pre[L - 1]!.ptr, out.W.ptr, out.a.ptr); // dendrite V
    if (net.bias) k.f32_add_row(rows, C, out.b.ptr, out.a.ptr);
    k.f32_scale_add(n, K_D, out.a.ptr, 0, out.a.ptr, s.Ubar.ptr); // U^f = k_D V
    k.f32_copy(n, s.Ubar.ptr, out.post.ptr); // the prediction (argmax of the somatic potential)
    if (!train) return;
    for (let l = 0; l < L; l++) k.f32_copy(rows * net.layers[l]!.inSize, s.pre[l]!.ptr, s.preBar[l]!.ptr);
    // Forward-phase output rate, and the target phase's conductance-weighted steady state.
    k.f32_sigmoid_fwd(n, 0, 0, 0, s.Ubar.ptr, s.sig[L - 1]!.ptr, 0);
    k.f32_scal(n, LAMBDA_MAX, s.sig[L - 1]!.ptr);
    this.apicalFrom(rows, s.sig[L - 1]!, s.Af, 1, 0);
    this.targetDrive(rows);
    const gTot = G_L + G_D + 1; // g_E + g_I = 1
    k.f32_scale_add(n, G_D / gTot, out.a.ptr, 1 / gTot, s.drive.ptr, s.phiT.ptr); // U^t
    k.f32_sigmoid_fwd(n, 0, 0, 0, s.phiT.ptr, s.phiT.ptr, 0);
    k.f32_scal(n, LAMBDA_MAX, s.phiT.ptr); // φ^t
    this.apicalFrom(rows, s.phiT, s.At, 1, 0);
  }

  /** Spiking version: one presentation (forward + target phases when training, one test phase otherwise). */
  private spikingPresentation(rows: number, rng: Rng | null, train: boolean, onStep?: (t: number) => void): void {
    const net = this.net, s = this, p = this.o;
    const k = net.k, C = net.classes;
    // Start from rest; the weights are fixed for the presentation, so transpose them once for the event-driven synapses.
    for (const t of s.soma) k.f32_fill(rows * t.cols, 0, t.ptr);
    for (const b of s.spk) { k.f32_fill(rows * b.xl.cols, 0, b.xl.ptr); k.f32_fill(rows * b.xs.cols, 0, b.xs.ptr); }
    for (let l = 0; l < net.layers.length; l++) {
      const lay = net.layers[l]!;
      k.f32_fill(rows * lay.outSize, 0, s.yl[l]!.ptr);
      k.f32_fill(rows * lay.outSize, 0, s.ys[l]!.ptr);
      k.f32_transpose(lay.outSize, lay.inSize, lay.W.ptr, s.WT[l]!.ptr);
    }
    const extra = () => (train && p.randomPhases ? Math.floor(wald(rng!, 2, 1)) : 0);
    if (train) {
      const tf = p.phaseTime + extra();
      this.runPhase(rows, tf, p.window, false, true);
      this.targetDrive(rows);
      const tt = p.phaseTime + extra();
      this.runPhase(rows, tt, p.window, true, true);
    } else {
      this.runPhase(rows, p.testTime, p.testWindow, false, false, onStep);
    }
    k.f32_copy(rows * C, s.Ubar.ptr, net.output.post.ptr);
  }

  /** Simulates `steps` ms; the last `window` ms are averaged (forward phase: C̄, Ū, p̄, Ā^f; target: φ̄^t, Ā^t). */
  private runPhase(rows: number, steps: number, window: number, target: boolean, train: boolean, onStep?: (t: number) => void): void {
    const net = this.net, s = this;
    const k = net.k, L = net.layers.length, C = net.classes;
    const rng = s.rngState!.ptr, inv = 1 / window, dt = 1, pscale = 1 / (TAU_L - TAU_S);
    const zero = (t: Tensor, n: number) => k.f32_fill(rows * n, 0, t.ptr);
    if (!target) {
      for (let m = 0; m < L - 1; m++) { zero(s.Cbar[m]!, net.layers[m]!.outSize); if (train) zero(s.Af[m]!, net.layers[m]!.outSize); }
      zero(s.Ubar, C);
      if (train) for (let l = 0; l < L; l++) zero(s.preBar[l]!, net.layers[l]!.inSize);
    } else {
      zero(s.phiT, C);
      for (let m = 0; m < L - 1; m++) zero(s.At[m]!, net.layers[m]!.outSize);
    }
    const spikeAndFilter = (b: SpikeBuffers, prob: Tensor, n: number) => {
      k.f32_bernoulli(n, LAMBDA_MAX * dt, prob.ptr, rng, b.s.ptr);
      k.f32_trace_step(n, s.decayL, b.s.ptr, b.xl.ptr);
      k.f32_trace_step(n, s.decayS, b.s.ptr, b.xs.ptr);
    };
    for (let t = 0; t < steps; t++) {
      const avg = t >= steps - window;
      spikeAndFilter(s.spk[0]!, net.input, rows * net.layers[0]!.inSize); // Poisson-like input, rate λmax x
      for (let l = 0; l < L; l++) {
        const lay = net.layers[l]!, n = rows * lay.outSize, inp = s.spk[l]!, soma = s.soma[l]!;
        // Basal / dendritic potential W·PSP = W·(x_L − x_S)/(τL − τS). The filter is linear, so it is
        // applied after W: the spikes' current s·Wᵀ (event-driven: only the inputs that spiked, ≤ λmax dt
        // = 20 % of them) feeds two traces y_L, y_S, and W·PSP = (y_L − y_S)/(τL − τS).
        k.f32_event_nn(rows, lay.outSize, lay.inSize, inp.s.ptr, s.WT[l]!.ptr, s.tmp!.ptr, s.cur[l]!.ptr);
        k.f32_trace_step(n, s.decayL, s.cur[l]!.ptr, s.yl[l]!.ptr);
        k.f32_trace_step(n, s.decayS, s.cur[l]!.ptr, s.ys[l]!.ptr);
        k.f32_scale_add(n, pscale, s.yl[l]!.ptr, -pscale, s.ys[l]!.ptr, lay.a.ptr);
        if (net.bias) k.f32_add_row(rows, lay.outSize, lay.b.ptr, lay.a.ptr);
        if (l < L - 1 || !target) {
          // Ċ = −g_L C + g_B (B − C): Euler, dt = 1 ms → C ← (1 − g_L − g_B) C + g_B B
          k.f32_axpby(n, G_B * dt, lay.a.ptr, 1 - (G_L + G_B) * dt, soma.ptr);
        } else {
          // Target phase: U ← U + dt(−g_L U + g_D (V − U) + g_E (E_E − U) + g_I (E_I − U)), g_E + g_I = 1
          k.f32_axpby(n, G_D * dt, lay.a.ptr, 1 - (G_L + G_D + 1) * dt, soma.ptr);
          k.f32_axpy(n, dt, s.drive.ptr, soma.ptr);
        }
        k.f32_sigmoid_fwd(n, 0, 0, 0, soma.ptr, s.sig[l]!.ptr, 0);
        spikeAndFilter(s.spk[l + 1]!, s.sig[l]!, n); // spikes at rate λmax σ(soma)
        if (!avg) continue;
        if (l < L - 1) {
          if (!target) k.f32_axpy(n, inv, soma.ptr, s.Cbar[l]!.ptr);
        } else if (!target) k.f32_axpy(n, inv, soma.ptr, s.Ubar.ptr);
        else k.f32_axpy(n, inv * LAMBDA_MAX, s.sig[l]!.ptr, s.phiT.ptr); // φ̄^t
        if (train && !target) { // p̄ += PSP / window
          const ni = rows * lay.inSize;
          k.f32_axpy(ni, inv * pscale, inp.xl.ptr, s.preBar[l]!.ptr);
          k.f32_axpy(ni, -inv * pscale, inp.xs.ptr, s.preBar[l]!.ptr);
        }
      }
      if (train && avg) { // Ā += A / window, A from the output's PSP
        const out = s.spk[L]!, psp = s.outPsp!;
        k.f32_scale_add(rows * C, pscale, out.xl.ptr, -pscale, out.xs.ptr, psp.ptr);
        this.apicalFrom(rows, psp, target ? s.At : s.Af, inv, 1);
      }
      onStep?.(t);
    }
  }
}
