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
 *  λmax dt = 0.2 the Bernoulli draw is its one-spike approximation), drawn only for the pixels with x > 0
 *  (the others cannot spike). Every spike train is filtered by the PSP kernel, as two exponential traces
 *  (untruncated, where the authors' code cuts κ after 10 steps). The filter is linear, so W is applied
 *  to the spikes before filtering: each step's current s·Wᵀ is summed from the spike list of the layer
 *  below (on a per-presentation Wᵀ: at most λmax dt = 20 % of the inputs spike) and the basal potential
 *  is (y_L − y_S)/(τL − τS) with y the traces of that current (the same sums as W·PSP up to float
 *  rounding, without a dense GEMM per step); likewise the apical average is Y·(the output PSP's average).
 *  A layer's step is one kernel call (f32_dendritic_layer_step). Somata integrate the conductance
 *  equations by Euler steps and fire Bernoulli(λmax σ(·) dt) (on a seeded WASM
 *  stream): the model has no threshold or reset, so f32_lif_step does not apply. Each phase lasts
 *  phaseTime (+ ⌊Wald(2, 1)⌋ ms with randomPhases, drawn per batch) and averages over its last `window`
 *  ms; testing is one testTime forward phase averaged over its last testWindow. The examples of a batch
 *  are simulated side by side (the paper: one at a time). Every presentation starts from rest. */
import type { Tensor } from '../core/tensor.js';
import type { Workspace } from '../core/workspace.js';
import type { Rng } from '../core/rng.js';
import type { WasmRng } from '../wasm/rng.js';
import type { DendriticLayerBuffers, DendriticLayerConstants, DendriticInputBuffers, SpikeLists } from '../backend.js';
import type { Network } from './network.js';
import { RasterRecorder, type Raster, type RasterOptions, type RasterSource } from './raster.js';
import { ENCODER, LEARNING, NEURON, type StepProfile } from './profile.js';
import { LAMBDA_MAX, G_L, G_B, G_D, E_E, E_I, K_B, K_D, TAU_L, TAU_S, SIGMOID, wald } from '../neurons/dendritic.js';

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
   *  current s·Wᵀ [B, n_out] and its two PSP traces (W applied before filtering: the filter is linear).
   *  tmp is no longer read; it keeps the saved state's layout, so older training states still resume. */
  private readonly WT: Tensor[] = [];
  private readonly cur: Tensor[] = [];
  private readonly yl: Tensor[] = [];
  private readonly ys: Tensor[] = [];
  private readonly tmp: Tensor | null = null;
  /** Spike lists: index 0 the input's, l+1 layer l's (rewritten every step: workspace scratch). */
  private readonly lists: SpikeLists[] = [];
  /** The arguments of the input's dendriticInputStep and of each layer's dendriticLayerStep (the views
   *  are set per step; nothing is allocated). */
  private readonly inputBuffers: DendriticInputBuffers | null = null;
  private readonly stepBuffers: DendriticLayerBuffers[] = [];
  private readonly stepConstants: DendriticLayerConstants[] = [];
  /** The phase's window average of the output layer's PSP (x_L − x_S)/(τL − τS) [B, C]: the apical
   *  potentials are linear in it (A = Y·PSP), so Ā = Y·(its average), one product per phase. */
  private readonly outPsp: Tensor | null = null;
  /** The spike stream (its state in the workspace), or null (rate). */
  private readonly rng: WasmRng | null = null;
  private readonly decayL = Math.exp(-1 / TAU_L);
  private readonly decayS = Math.exp(-1 / TAU_S);
  /** Time per part of the step loop when set (benchmarks); null costs nothing. */
  profile: StepProfile | null = null;

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
      const pscale = 1 / (TAU_L - TAU_S), n0 = net.layers[0]!.inSize;
      // Scratch beside the saved state (the f32 buffers above are the state's layout; these are rebuilt
      // every presentation or step): the input's lit pixels and every layer's spike lists.
      this.lists = [n0, ...net.layers.map((l) => l.outSize)].map((n) => ({ list: ws.i32(B * n), counts: ws.i32(B) }));
      const lit = { idx: ws.i32(B * n0), q: ws.scratchF32([B, n0]), counts: ws.i32(B) };
      this.inputBuffers = { lit, out: this.lists[0]!, xl: this.spk[0]!.xl, xs: this.spk[0]!.xs, pbar: null };
      this.stepBuffers = net.layers.map((l, i) => ({
        src: this.lists[i]!, wt: this.WT[i]!, out: this.lists[i + 1]!, pbar: null,
        cur: this.cur[i]!, yl: this.yl[i]!, ys: this.ys[i]!, bias: null, a: null, soma: this.soma[i]!, drive: null,
        sig: this.sig[i]!, avg: null, spikes: null, xl: this.spk[i + 1]!.xl, xs: this.spk[i + 1]!.xs,
      }));
      this.stepConstants = net.layers.map(() => ({
        lamL: this.decayL, lamS: this.decayS, pA: pscale, pB: -pscale, gA: 0, gS: 0, dS: 0, kAvg: 0, avgSig: false, rate: LAMBDA_MAX,
        traces: false, kL: 0, kS: 0,
      }));
      this.outPsp = ws.f32([B, C]);
      // The spike stream: a generator whose state is a workspace buffer, seeded from the caller's stream.
      this.rng = net.lib.rngIn(ws.f32([4]), rng.nextU32() | 0);
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

  /** Apical potentials of every hidden layer from output activity `pOut` [B, C] (first `rows` rows) into `dst`. */
  private apicalFrom(rows: number, pOut: Tensor, dst: Tensor[], alpha: number, beta: number): void {
    const net = this.net, p = pOut.head(rows);
    for (let m = 0; m < net.layers.length - 1; m++) net.lib.gemm(dst[m]!.head(rows), p, this.Y[m]!, 'nn', alpha, beta);
  }

  /** Teaching drive g_E E_E + g_I E_I = 16 t − 8 for one-hot t (g_E = t, g_I = 1 − t). */
  private targetDrive(rows: number): void {
    const lib = this.net.lib;
    lib.axpy(lib.fill(this.drive.head(rows), E_I), E_E - E_I, this.net.target.head(rows));
  }

  /** Rate version: steady states of both phases in one pass. */
  private ratePass(rows: number, train: boolean): void {
    const net = this.net, s = this;
    const lib = net.lib, L = net.layers.length;
    const pre0 = s.pre[0]!.head(rows);
    lib.scal(lib.copy(pre0, net.input.head(rows)), LAMBDA_MAX); // input rate λmax·x
    for (let m = 0; m < L - 1; m++) {
      const l = net.layers[m]!, a = l.a.head(rows), post = l.post.head(rows), Cb = s.Cbar[m]!.head(rows);
      lib.gemm(a, s.pre[m]!.head(rows), l.W, 'nt'); // basal B
      if (net.bias) lib.addRow(a, l.b);
      lib.scaleAdd(Cb, K_B, a, 0, a); // C = k_B B
      lib.activate(SIGMOID, post, Cb);
      lib.scal(post, LAMBDA_MAX); // φ = λmax σ(C) = the next layer's presynaptic rate
    }
    const out = net.output, V = out.a.head(rows), U = s.Ubar.head(rows);
    lib.gemm(V, s.pre[L - 1]!.head(rows), out.W, 'nt'); // dendrite V
    if (net.bias) lib.addRow(V, out.b);
    lib.scaleAdd(U, K_D, V, 0, V); // U^f = k_D V
    lib.copy(out.post.head(rows), U); // the prediction (argmax of the somatic potential)
    if (!train) return;
    for (let l = 0; l < L; l++) lib.copy(s.preBar[l]!.head(rows), s.pre[l]!.head(rows));
    // Forward-phase output rate, and the target phase's conductance-weighted steady state.
    const sig = s.sig[L - 1]!.head(rows), phiT = s.phiT.head(rows);
    lib.scal(lib.activate(SIGMOID, sig, U), LAMBDA_MAX);
    this.apicalFrom(rows, s.sig[L - 1]!, s.Af, 1, 0);
    this.targetDrive(rows);
    const gTot = G_L + G_D + 1; // g_E + g_I = 1
    lib.scaleAdd(phiT, G_D / gTot, V, 1 / gTot, s.drive.head(rows)); // U^t
    lib.scal(lib.activate(SIGMOID, phiT, phiT), LAMBDA_MAX); // φ^t
    this.apicalFrom(rows, s.phiT, s.At, 1, 0);
  }

  /** Spiking version: one presentation (forward + target phases when training, one test phase otherwise). */
  private spikingPresentation(rows: number, rng: Rng | null, train: boolean, onStep?: (t: number) => void): void {
    const net = this.net, s = this, p = this.o;
    const lib = net.lib;
    // Start from rest; the weights are fixed for the presentation, so transpose them once for the event-driven synapses.
    for (const t of s.soma) lib.fill(t.head(rows), 0);
    for (const b of s.spk) { lib.fill(b.xl.head(rows), 0); lib.fill(b.xs.head(rows), 0); }
    for (let l = 0; l < net.layers.length; l++) {
      lib.fill(s.yl[l]!.head(rows), 0);
      lib.fill(s.ys[l]!.head(rows), 0);
      lib.transpose(s.WT[l]!, net.layers[l]!.W);
    }
    // The pixels that can spike (λmax·x > 0): only they draw, and only their traces move.
    const lit = s.inputBuffers!.lit;
    lib.poissonPrepare(net.input.head(rows), LAMBDA_MAX, lit);
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
    lib.copy(net.output.post.head(rows), s.Ubar.head(rows));
  }

  /** Simulates `steps` ms; the last `window` ms are averaged (forward phase: C̄, Ū, p̄, Ā^f; target: φ̄^t, Ā^t). */
  private runPhase(rows: number, steps: number, window: number, target: boolean, train: boolean, onStep?: (t: number) => void): void {
    const net = this.net, s = this;
    const lib = net.lib, L = net.layers.length;
    const inv = 1 / window, dt = 1, pscale = 1 / (TAU_L - TAU_S);
    if (!target) {
      for (let m = 0; m < L - 1; m++) lib.fill(s.Cbar[m]!.head(rows), 0);
      lib.fill(s.Ubar.head(rows), 0);
      if (train) for (let l = 0; l < L; l++) lib.fill(s.preBar[l]!.head(rows), 0);
    } else {
      lib.fill(s.phiT.head(rows), 0);
    }
    if (train) lib.fill(s.outPsp!.head(rows), 0);
    const pr = this.profile;
    pr?.start();
    for (let t = 0; t < steps; t++) {
      const avg = t >= steps - window;
      // Poisson-like input at rate λmax x, drawn for the lit pixels; the traces (and the first layer's
      // p̄ += PSP / window) only in the forward phase of training, the one that reads them.
      const fwd = train && !target, pk = avg && fwd ? inv * pscale : 0;
      const ib = s.inputBuffers!, in0 = s.spk[0]!;
      ib.xl = in0.xl.head(rows); ib.xs = in0.xs.head(rows); ib.pbar = pk !== 0 ? s.preBar[0]!.head(rows) : null;
      lib.dendriticInputStep(rows, net.layers[0]!.inSize, ib, s.rng!, fwd, s.decayL, s.decayS, pk, -pk);
      pr?.lap(ENCODER);
      for (let l = 0; l < L; l++) {
        const lay = net.layers[l]!, out = s.spk[l + 1]!, b = s.stepBuffers[l]!, k = s.stepConstants[l]!;
        const teach = target && l === L - 1; // the output soma under the teaching drive
        // One call: the input current s·Wᵀ from the spike list below (W applied before the PSP filter,
        // which is linear; only the inputs that spiked are summed), its PSP traces y_L, y_S, the basal /
        // dendritic potential W·PSP = (y_L − y_S)/(τL − τS) (+ b), the soma's Euler step, dt = 1 ms
        //   hidden and forward-phase output: C ← (1 − g_L − g_B) C + g_B B            (Ċ = −g_L C + g_B (B − C))
        //   target-phase output: U ← (1 − g_L − g_D − 1) U + g_D V + (g_E E_E + g_I E_I), g_E + g_I = 1
        // its rate σ, the phase average (C̄, Ū or φ̄^t = λmax σ(U) averaged), spikes at rate λmax σ as lists,
        // and their traces where read: a hidden layer's in the forward phase (with the next layer's
        // p̄ += PSP / window), the output's in both phases of training (its PSP averaged for Ā).
        b.cur = s.cur[l]!.head(rows);
        b.yl = s.yl[l]!.head(rows); b.ys = s.ys[l]!.head(rows); b.bias = net.bias ? lay.b : null;
        b.soma = s.soma[l]!.head(rows); b.drive = teach ? s.drive.head(rows) : null; b.sig = s.sig[l]!.head(rows);
        b.avg = !avg || (target && l < L - 1) ? null : l < L - 1 ? s.Cbar[l]!.head(rows) : target ? s.phiT.head(rows) : s.Ubar.head(rows);
        b.spikes = onStep ? out.s.head(rows) : null; b.xl = out.xl.head(rows); b.xs = out.xs.head(rows);
        b.pbar = l < L - 1 ? (pk !== 0 ? s.preBar[l + 1]!.head(rows) : null) : train && avg ? s.outPsp!.head(rows) : null;
        k.gA = (teach ? G_D : G_B) * dt; k.gS = 1 - (teach ? G_L + G_D + 1 : G_L + G_B) * dt; k.dS = dt;
        k.kAvg = teach ? inv * LAMBDA_MAX : inv; k.avgSig = teach;
        k.traces = l < L - 1 ? fwd : train; k.kL = l < L - 1 ? pk : inv * pscale; k.kS = -k.kL;
        lib.dendriticLayerStep(b, k, s.rng!);
        pr?.lap(NEURON);
      }
      onStep?.(t);
      pr?.start(); // a raster's recording is not the simulation's
    }
    if (train) { // Ā^f or Ā^t = Y·(the output PSP's window average)
      this.apicalFrom(rows, s.outPsp!, target ? s.At : s.Af, 1, 0);
      pr?.lap(LEARNING);
    }
  }
}
