// Spiking networks with the rate Network's signals, so rules written against Network run unchanged.
//
// SpikingSim runs a presentation window of `steps` time steps over the layers of any Network (its W, b,
// input) and leaves rate-like signals in the layer buffers the rules read:
//   post  (hidden) rateScale · firing rate in Hz over the window  (= rateScale/(T·dt) · spike count)
//   deriv (hidden) gain · mean surrogate over the window (the neuron's pseudo-derivative)
//   a     (hidden) mean normalised input current J over the window
//   output.post    the decoded output: 'membrane' = mean over steps [readoutStart, T) of a non-spiking
//                  leaky readout (time constant tauOut; 0 = the synaptic current) of the last hidden
//                  layer's spikes (steady state W·x + b, the rate network's logits; deriv = 1), or
//                  'count' = the output layer spikes too and post is its rate over [readoutStart, T)
// Per step t, for every layer l (input spikes s_0 from the encoder, s_l from layer l):
//   cur   = s_{l−1} · W_lᵀ                  dense GEMM, or event-driven (f32_event_nn over the spiking
//                                           inputs' rows of W_lᵀ) when the spike density < eventDensity
//   I     ← λs·I + (1 − λs)·(gain·(amp_{l−1}·cur + b) + offset)       exponential current synapse
//   (neuron) v ← λm·v + (1 − λm)·I, spike, reset, refractory        (drive (1 − λm)·I, src/neurons)
// A convolutional layer's current is the convolution of the layer below's 0/1 spikes (channels last): below
// the crossover density each nonzero input scatters its kernel-sized patch onto the output currents
// (eventConv2d), above it the im2col patches and the GEMM; both give the same sums. Its units step like a
// dense layer's. Its pooling, which must be average pooling, pools this step's spikes, and the next layer
// reads those graded values (no spike lists; the event kernels skip their zeros): pooling is linear, so
// their mean over the window is the pooled rate (Hunsberger & Eliasmith 2016 pool by averaging, as
// LeNet-5's subsampling layers do). Such a layer's post is the pooled rate; deriv and a stay on its
// convolution's units.
// amp converts spikes to the rate network's units (encoder amplitude at the input, rateScale/dt for
// hidden layers), so a constant-rate input gives the same mean current as in the rate network; offset
// (default vTh) puts the firing threshold at W·x + b = 0 as in Hunsberger & Eliasmith's soft-LIF nets.
//
// STATE RESET: every run() starts from rest — membranes (at vReset, or uniform in [vReset, vTh) with
// vInit 'random', the default), refractory counters, adaptation, synaptic
// currents, the readout and the encoder — for every row. Examples never leak into one another (snnTorch
// users must call reset themselves; here it is part of the window). Only the Poisson encoder's window counter runs on.
//
// SpikingNetwork is a Network whose forward(rows) is the window above, so the Trainer, the loss and every
// rule accept it as is.
import type { Backend, LayerStepBuffers, SpikeLists } from '../backend.js';
import { SEQUENCE_STAGES } from '../backend/core.js';
import type { Tensor } from '../core/tensor.js';
import type { Workspace } from '../core/workspace.js';
import type { WasmRng } from '../wasm/rng.js';
import { Network, type NetworkOptions, type Layer } from './network.js';
import { getNeuron, neuronParams, type Neuron, type NeuronParams, type NeuronState, type Resolved } from '../neurons/index.js';
import { makeEncoder, ENCODERS, type Encoder, type EncoderName } from '../encode/index.js';
import { RasterRecorder, type Raster, type RasterOptions, type RasterSource } from './raster.js';
import { ENCODER, LEARNING, NEURON, PROPAGATION, TRACES, type StepProfile } from './profile.js';
import { convEventThreshold, eventThreshold } from './event-threshold.js';
import { maxPoolInSpiking, parseArch } from './arch.js';

export type Readout = 'membrane' | 'count';

export interface SpikingOptions {
  /** Neuron model id (src/neurons; default 'lif') and parameter overrides. */
  neuron?: string;
  neuronParams?: Record<string, unknown>;
  /** Time steps per presentation window (default 50). */
  steps?: number;
  /** Step (s, default 1e-3). */
  dt?: number;
  encoder?: EncoderName;
  /** Input rate (Hz) for a pixel of 1 (default 100). */
  maxRate?: number;
  readout?: Readout;
  /** post = rateScale · rate (Hz) for hidden layers (default 0.01: 100 Hz ↦ 1). */
  rateScale?: number;
  /** Input current J = offset + gain·(W·x + b) (defaults: offset = vTh, gain 1). */
  gain?: number;
  offset?: number;
  /** Use event-driven propagation when the fraction of inputs that spiked is below this; 'auto' (the
   *  default) measures the crossover per layer shape on this machine (src/net/event-threshold.ts). Either
   *  way the sums are the same as the dense GEMM's: this only trades time. */
  eventDensity?: number | 'auto';
  /** Seed of the Poisson encoder's RNG stream (default: the network's seed). */
  seed?: number;
  /** Readout filter time constant (s) of the 'membrane' readout: m ← λo·m + (1 − λo)·I, λo = exp(−dt/tauOut);
   *  0 = the synaptic current itself (Hunsberger & Eliasmith's synapse-filtered output). Default: tauMem. */
  tauOut?: number;
  /** Steps at the start of the window left out of the decoded output (classification start t_c; default 0). */
  readoutStart?: number;
  /** Membranes at the start of a window: 'random' = U(vReset, vTh) per neuron (as Nengo does; removes
   *  the synchronised first-spike transient of a short window), 'zero' = vReset. Default 'random'. */
  vInit?: 'random' | 'zero';
  /** Whether the window leaves the mean input current of each hidden layer in its `a` (default true).
   *  A rule that never reads `a` (fa, dfa: rates and surrogate derivatives only) sets false and saves a
   *  read and a write per neuron and step. */
  meanDrive?: boolean;
}

export const SPIKING_DEFAULTS = { neuron: 'lif', steps: 50, dt: 1e-3, encoder: 'poisson' as EncoderName, maxRate: 100, readout: 'membrane' as Readout, rateScale: 0.01, gain: 1, eventDensity: 'auto' as number | 'auto', vInit: 'random' as 'random' | 'zero', meanDrive: true };

/** SpikingSim's JS-side counters (SpikingSim.counters()), one entry per layer. */
export interface SimCounters {
  spikeCount: number[];
  neuronSteps: number[];
  eventSteps: number[];
  denseSteps: number[];
  simSeconds: number;
}

/** Per-layer simulation buffers (batch × out unless noted). */
export interface SpikeLayer {
  WT: Tensor; // [in, out] (a convolution's: [k·k·c, out channels]) transposed weights for event-driven propagation, refreshed each run
  tmp: Tensor; // [out] scratch of the convolutional bias drive
  biasDrive: Tensor; // [out] (1 − λs)·(1 − λm)·(gain·b + offset) (hidden) or (1 − λs)·b (membrane readout)
  cur: Tensor; // s_{l−1}·W_lᵀ of this step
  I: Tensor; // synaptic current (scaled as the neuron's drive)
  spikes: Tensor; // this step's spikes (0/1); the readout's membrane for a 'membrane' output layer
  dstep: Tensor; // this step's surrogate
  st: NeuronState | null; // null for the membrane readout
  /** Spike amplitude of this layer's input (encoder's for layer 0). */
  ampIn: number;
  spiking: boolean;
  /** The fused step's buffers (neurons with a layerStep), kept so a step allocates nothing. */
  fused: LayerStepBuffers | null;
  /** This layer's spike lists for the next layer's event-driven propagation (fused hidden layers; else null). */
  out: SpikeLists | null;
  /** The fused step's propagation from the spike lists of this layer's input (when they exist). */
  from: LayerStepBuffers['from'];
  /** The input is not this layer's own spike lists: a convolution, or graded pooled spikes (spike matrix only). */
  denseIn: boolean;
  /** This step's spikes average-pooled ([batch, pooled size]), what the next layer reads; null without pooling. */
  pooled: Tensor | null;
}

/** The mark of a call kept in a sequence whose count is not booked. */
const NO_COUNT = -2;

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class SpikingSim implements RasterSource {
  readonly lib: Backend;
  readonly steps: number;
  readonly dt: number;
  readonly maxRate: number;
  readonly encoderName: EncoderName;
  readonly readout: Readout;
  readonly rateScale: number;
  readonly gain: number;
  readonly offset: number;
  readonly eventDensity: number | 'auto';
  /** Per layer, the input spike density below which propagation is event-driven (eventDensity, or measured). */
  private thresholds: Float64Array | null = null;
  readonly neuron: Neuron<NeuronParams>;
  readonly np: NeuronParams;
  readonly r: Resolved;
  readonly enc: Encoder & { dispose(): void };
  readonly inSpikes: Tensor; // [batch, features]
  /** The encoder's spikes as lists (encoders that can write them), else null. */
  readonly inLists: SpikeLists | null;
  readonly sl: SpikeLayer[];
  /** Spikes and neuron-steps per layer since resetRates(): mean rate = spikes / (neuronSteps·dt). */
  readonly spikeCount: Float64Array;
  readonly neuronSteps: Float64Array;
  /** Steps that used event-driven / dense propagation per layer since resetRates(). */
  readonly eventSteps: Float64Array;
  /** A convolution or pooling: no step runs as a sequence (their kernels are not row kernels). */
  private readonly denseNet: boolean;
  /** Units a time step updates per row (the encoder's and every layer's): the size a sequence's split is judged by. */
  private readonly stepWidth: number;
  /** Per layer, its input's spike count at the last step (a sequence's guess of the path). */
  private readonly lagIn: Float64Array;
  /** Per call kept in the sequence, the layer whose spike count it returns (-1: the encoder's, NO_COUNT: none). */
  private readonly stageLayer: Int32Array;
  private readonly stageCounts: Float64Array;
  readonly denseSteps: Float64Array;
  simSeconds = 0;
  /** Time per part of the step loop when set (benchmarks); null costs nothing. */
  profile: StepProfile | null = null;
  readonly vInit: 'random' | 'zero';
  readonly meanDrive: boolean;
  readonly tauOut: number;
  readonly readoutStart: number;
  /** Seed of the encoder's and the initial membranes' RNG streams. */
  readonly seed: number;
  private readonly vRng: WasmRng; // the initial membranes' stream (state in the workspace)

  constructor(readonly net: Network, ws: Workspace, o: SpikingOptions = {}) {
    const lib = net.lib;
    const d = { ...SPIKING_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as typeof SPIKING_DEFAULTS & SpikingOptions;
    if (!Number.isInteger(d.steps) || d.steps < 1) throw new RangeError(`spiking: steps must be a positive integer, got ${d.steps}`);
    if (!(d.dt > 0) || !Number.isFinite(d.dt)) throw new RangeError(`spiking: dt must be > 0 s, got ${d.dt}`);
    if (!(ENCODERS as string[]).includes(d.encoder)) throw new Error(`spiking: unknown encoder '${d.encoder}' (known: ${ENCODERS.join(', ')})`);
    if (d.readout !== 'membrane' && d.readout !== 'count') throw new Error(`spiking: readout must be 'membrane' or 'count', got '${String(d.readout)}'`);
    for (const key of ['rateScale', 'gain', 'maxRate'] as const) if (!(d[key] > 0) || !Number.isFinite(d[key])) throw new RangeError(`spiking: ${key} must be > 0, got ${d[key]}`);
    if (d.eventDensity !== 'auto' && !(d.eventDensity >= 0 && d.eventDensity <= 1)) throw new RangeError(`spiking: eventDensity must be in [0, 1] or 'auto', got ${d.eventDensity}`);
    this.lib = lib;
    this.steps = d.steps; this.dt = d.dt; this.maxRate = d.maxRate; this.encoderName = d.encoder; this.readout = d.readout;
    this.rateScale = d.rateScale; this.gain = d.gain; this.eventDensity = d.eventDensity;
    if (d.vInit !== 'random' && d.vInit !== 'zero') throw new Error(`spiking: vInit must be 'random' or 'zero', got '${String(d.vInit)}'`);
    this.vInit = d.vInit;
    if (typeof d.meanDrive !== 'boolean') throw new TypeError(`spiking: meanDrive must be true or false, got ${String(d.meanDrive)}`);
    this.meanDrive = d.meanDrive;
    this.readoutStart = d.readoutStart ?? 0;
    if (!Number.isInteger(this.readoutStart) || this.readoutStart < 0 || this.readoutStart >= d.steps) throw new RangeError(`spiking: readoutStart must be an integer in [0, steps), got ${d.readoutStart}`);
    this.neuron = getNeuron(d.neuron);
    this.np = neuronParams(this.neuron, d.neuronParams, d.dt);
    this.offset = d.offset ?? this.np.vTh;
    this.r = this.neuron.resolve(this.np, d.dt);
    this.tauOut = d.tauOut ?? this.np.tauMem;
    if (!(this.tauOut >= 0) || !Number.isFinite(this.tauOut)) throw new RangeError(`spiking: tauOut must be >= 0 s, got ${d.tauOut}`);
    const B = net.batch, F = net.sizes[0]!;
    this.seed = d.seed ?? net.seed;
    this.enc = makeEncoder(lib, ws, d.encoder, B, F, { dt: d.dt, steps: d.steps, maxRate: d.maxRate, seed: this.seed });
    this.inSpikes = ws.f32([B, F]);
    this.inLists = this.enc.stepLists ? { list: ws.i32(B * F), counts: ws.i32(B) } : null;
    this.vRng = lib.rngIn(ws.f32([4]), (this.seed ^ 0x5bd1e995) | 0);
    const L = net.layers.length;
    const maxPool = net.arch ? maxPoolInSpiking(parseArch(net.arch), 'spiking: arch') : null;
    if (maxPool) throw new Error(maxPool);
    this.sl = net.layers.map((l, i) => {
      const spiking = i < L - 1 || this.readout === 'count';
      const denseIn = !!l.conv || !!net.layers[i - 1]?.pool;
      return {
        WT: l.conv ? ws.f32([l.conv.geom.patch, l.W.shape[0]!]) : ws.f32([l.inSize, l.outSize]), tmp: ws.f32([l.outSize]), biasDrive: ws.f32([l.outSize]),
        cur: ws.f32([B, l.outSize]), I: ws.f32([B, l.outSize]), spikes: ws.f32([B, l.outSize]), dstep: ws.f32([B, l.outSize]),
        st: spiking ? this.neuron.init(ws, B * l.outSize) : null,
        ampIn: i === 0 ? this.enc.amplitude : this.rateScale / d.dt, spiking, fused: null, out: null, from: null,
        denseIn, pooled: l.pool ? ws.f32([B, l.pool.geom.outSize]) : null,
      };
    });
    this.sl.forEach((s, i) => {
      if (!s.st || !this.neuron.layerStep) return;
      if (i < L - 1 && !this.sl[i + 1]!.denseIn) s.out = { list: ws.i32(B * net.layers[i]!.outSize), counts: ws.i32(B) };
      s.fused = {
        cur: s.cur, bias: s.biasDrive, I: s.I, v: s.st.v, refrac: s.st.refrac, adapt: s.st.adapt ?? null, spikes: s.spikes, dstep: s.dstep,
        post: null, deriv: s.dstep, acc: s.I, list: s.out?.list ?? null, counts: s.out?.counts ?? null, from: null,
      };
    });
    this.sl.forEach((s, i) => {
      const src = i === 0 ? this.inLists : this.sl[i - 1]!.out;
      if (src && !s.denseIn) s.from = { ...src, wt: s.WT };
    });
    this.denseNet = net.layers.some((l) => l.conv || l.pool);
    this.stepWidth = net.layers.reduce((w, l) => w + l.outSize, net.layers[0]!.inSize);
    this.lagIn = new Float64Array(L);
    this.stageLayer = new Int32Array(SEQUENCE_STAGES).fill(NO_COUNT);
    this.stageCounts = new Float64Array(SEQUENCE_STAGES);
    this.spikeCount = new Float64Array(L); this.neuronSteps = new Float64Array(L);
    this.eventSteps = new Float64Array(L); this.denseSteps = new Float64Array(L);
  }

  /** Mean firing rate (Hz) per layer since resetRates() (the membrane readout reports NaN). */
  meanRates(): number[] {
    return Array.from(this.spikeCount, (c, i) => (this.sl[i]!.spiking && this.neuronSteps[i]! > 0 ? c / (this.neuronSteps[i]! * this.dt) : NaN));
  }

  /**
   * Records a spike raster: runs one presentation window over row 0 of net.input (put the example there)
   * and keeps the spikes of the first `neurons` neurons of `layer` (1 = first hidden layer). The firing-rate
   * and timing counters are left as they were, so a raster after training does not change the record's
   * firingRates. Returns null when that layer does not spike (the membrane readout, or no such layer).
   * Advances the encoder's and the initial membranes' RNG streams like any window.
   */
  raster(o: RasterOptions = {}): Raster | null {
    const layer = o.layer ?? 1, s = this.sl[layer - 1];
    if (!Number.isInteger(layer) || !s || !s.spiking) return null;
    const rec = new RasterRecorder(layer, this.steps, this.net.layers[layer - 1]!.outSize, o);
    const saved = [this.spikeCount, this.neuronSteps, this.eventSteps, this.denseSteps].map((a) => a.slice());
    const simSeconds = this.simSeconds;
    this.run(1, (t) => rec.record(t, s.spikes.data));
    [this.spikeCount, this.neuronSteps, this.eventSteps, this.denseSteps].forEach((a, i) => a.set(saved[i]!));
    this.simSeconds = simSeconds;
    return rec.raster;
  }

  resetRates(): void {
    this.spikeCount.fill(0); this.neuronSteps.fill(0); this.eventSteps.fill(0); this.denseSteps.fill(0);
  }

  /**
   * The JS-side counters (firing rates, event fractions, simulated seconds) as plain numbers, to save
   * with a training run's state; setCounters() puts them back on resume. Every other piece of simulator
   * state (membranes, currents, the encoder's and the initial membranes' RNG streams) is in workspace
   * tensors.
   */
  counters(): SimCounters {
    return {
      spikeCount: Array.from(this.spikeCount), neuronSteps: Array.from(this.neuronSteps),
      eventSteps: Array.from(this.eventSteps), denseSteps: Array.from(this.denseSteps), simSeconds: this.simSeconds,
    };
  }

  setCounters(v: unknown): void {
    const c = (v ?? {}) as Partial<Record<keyof SimCounters, unknown>>;
    const L = this.spikeCount.length;
    const arrays = (['spikeCount', 'neuronSteps', 'eventSteps', 'denseSteps'] as const).map((key) => {
      const a = c[key];
      if (!Array.isArray(a) || a.length !== L || a.some((x) => typeof x !== 'number' || !(x >= 0))) {
        throw new Error(`spiking.setCounters: ${key} must list ${L} non-negative numbers (one per layer), got ${JSON.stringify(a)}`);
      }
      return a as number[];
    });
    if (typeof c.simSeconds !== 'number' || !(c.simSeconds >= 0)) throw new Error(`spiking.setCounters: simSeconds must be a number >= 0, got ${JSON.stringify(c.simSeconds)}`);
    [this.spikeCount, this.neuronSteps, this.eventSteps, this.denseSteps].forEach((a, i) => a.set(arrays[i]!));
    this.simSeconds = c.simSeconds;
  }

  /** The resolved simulator settings (what a resumed run must match). */
  settings(): Record<string, unknown> {
    return {
      neuron: this.neuron.id, neuronParams: { ...this.np }, steps: this.steps, dt: this.dt, encoder: this.encoderName, maxRate: this.maxRate,
      readout: this.readout, rateScale: this.rateScale, gain: this.gain, offset: this.offset, eventDensity: this.eventDensity,
      vInit: this.vInit, tauOut: this.tauOut, readoutStart: this.readoutStart, seed: this.seed,
    };
  }

  /** Back to rest for the first `rows` rows (see STATE RESET in the header). */
  reset(rows: number): void {
    const lib = this.lib, net = this.net;
    this.enc.reset(rows, net.input);
    for (let i = 0; i < this.sl.length; i++) {
      const s = this.sl[i]!, l = net.layers[i]!, n = rows * l.outSize;
      if (s.st) {
        this.neuron.reset(lib, s.st, n);
        if (this.vInit === 'random') this.vRng.uniform(s.st.v.head(n), this.np.vReset, this.np.vTh);
      }
      lib.fill(s.I.head(rows), 0);
      lib.fill(s.spikes.head(rows), 0);
      lib.fill(l.post.head(rows), 0);
      if (l.pool) lib.fill(l.pool.act.head(rows), 0);
      lib.fill(l.deriv.head(rows), 0);
      lib.fill(l.a.head(rows), 0);
    }
  }

  /**
   * One presentation window over the first `rows` rows of net.input; onStep(t) runs after step t with
   * this step's spikes (sl[l].spikes, inSpikes), surrogates (sl[l].dstep) and currents in place. Without
   * onStep nothing reads them during the window, so the steps keep only the running sums and the spike
   * lists that carry the spikes to the next layer (the dense spikes are made from the lists when a
   * layer's input is too dense for event-driven propagation). With `feed`, layer i >= 1 receives at step t
   * the 0/1 spikes feed(i, t) returns in place of layer i − 1's (null: its own), e.g. a replay of another window.
   */
  run(rows: number, onStep?: (t: number) => void, feed?: (i: number, t: number) => Tensor | null): void {
    const t0 = now();
    const lib = this.lib, net = this.net, layers = net.layers, r = this.r, T = this.steps;
    const lm = r.decay, ls = r.synDecay, L = layers.length, lo = this.tauOut > 0 ? Math.exp(-this.dt / this.tauOut) : 0;
    const t0c = this.readoutStart;
    const pr = this.profile;
    const perStep = onStep !== undefined;
    this.prepare();
    this.reset(rows);
    pr?.start();
    // On a pool, the window's chain of row kernels (per step the encoder, each layer summed from the spike
    // lists of the one below, the readout) runs as one sequence: each thread steps its own rows through the
    // whole window, with one hand-over between threads per window instead of one per call. A layer whose
    // input looks too dense for the lists ends the sequence; the step goes on call by call.
    const chain = !perStep && !feed && this.inLists !== null && !this.denseNet;
    let seq = false;
    try {
      for (let t = 0; t < T; t++) {
        const inL = this.inLists;
        let inS = this.inSpikes.head(rows), lists = inL, dense = !inL || perStep || this.sl[0]!.denseIn; // the input as lists, as 0/1 (dense), or both
        if (seq && lib.sequenceRoom() < L + 2) { this.endSequence(rows); seq = false; }
        if (chain && !seq) seq = lib.beginSequence(rows, rows * this.stepWidth * (T - t)); // the work of the rest of the window
        if (seq) this.stageLayer[lib.sequenceStages()] = -1;
        let inCount = inL ? this.enc.stepLists!(rows, t, net.input, dense ? inS : null, inL) : this.enc.step(rows, t, net.input, inS);
        pr?.lap(ENCODER);
        for (let i = 0; i < L; i++) {
          const l = layers[i]!, s = this.sl[i]!;
          // spikes are summed on the units (a pooled layer's on its convolution's units, pooled at the end)
          const I = s.I.head(rows), spikes = s.spikes.head(rows), post = (l.pool ? l.pool.act : l.post).head(rows);
          if (seq && !this.joins(i, lists, rows)) {
            inCount = this.endSequence(rows);
            seq = false;
          }
          if (!seq) this.lagIn[i] = inCount;
          const fed = i > 0 && feed ? feed(i, t) : null;
          if (fed) { inS = fed.head(rows); inCount = lib.sumsq(inS); lists = null; dense = true; }
          if (seq) this.stageLayer[lib.sequenceStages()] = i;
          if (seq && !s.st) lib.eventListMatmul(s.cur.head(rows), lists!.list, lists!.counts, s.WT);
          const fromLists = seq || this.propagate(i, l, s, rows, inS, inCount, lists, dense);
          pr?.lap(PROPAGATION);
          if (s.st) {
            // I ← λs·I + (1 − λs)(1 − λm)·gain·amp·cur + biasDrive: the drive (1 − λm)·J of the neuron
            const alpha = (1 - ls) * (1 - lm) * this.gain * s.ampIn, dstep = s.dstep.head(rows);
            const counted = i < L - 1 || t >= t0c; // spike count (the output's from t_c)
            let c: number;
            if (s.fused) { // one pass: (propagation,) synapse, neuron, and the sums Σ spikes, Σ surrogate, Σ drive
              const b = s.fused, keep = perStep || !s.out;
              b.cur = s.cur.head(rows); b.I = I; b.spikes = keep ? spikes : null; b.dstep = perStep ? dstep : null;
              b.post = counted ? post : null; b.deriv = l.deriv.head(rows); b.acc = this.meanDrive ? l.a.head(rows) : null;
              b.from = fromLists ? s.from : null;
              c = this.neuron.layerStep!(lib, r, s.st, b, alpha, ls);
              pr?.lap(NEURON);
              lists = s.out; dense = keep;
            } else {
              lib.addRow(lib.axpby(I, alpha, s.cur.head(rows), ls), s.biasDrive);
              c = this.neuron.step(lib, r, s.st, I, spikes, dstep);
              pr?.lap(NEURON);
              if (counted) lib.traceStep(post, spikes, 1);
              lib.traceStep(l.deriv.head(rows), dstep, 1); // Σ surrogate
              if (this.meanDrive) lib.traceStep(l.a.head(rows), I, 1); // Σ drive
              pr?.lap(TRACES);
              lists = null; dense = true;
            }
            if (!seq) this.spikeCount[i]! += c; // else counted at the sequence's end
            inS = s.pooled ? lib.avgPool(s.pooled.head(rows), spikes, l.pool!.geom) : spikes; inCount = c;
          } else {
            // membrane readout: I ← λs·I + (1 − λs)(amp·cur + b), m ← λo·m + (1 − λo)·I, post += m from t_c on
            lib.readoutStep(s.cur.head(rows), s.biasDrive, I, spikes, t >= t0c ? post : null, (1 - ls) * s.ampIn, ls, lo);
            pr?.lap(NEURON);
          }
          this.neuronSteps[i]! += I.size;
        }
        onStep?.(t);
        pr?.lap(LEARNING);
      }
    } catch (e) {
      if (seq) lib.abortSequence(); // the workers wait for stages that will not come
      throw e;
    }
    if (seq) this.endSequence(rows);
    for (let i = 0; i < L; i++) {
      const l = layers[i]!, s = this.sl[i]!, post = l.post.head(rows), deriv = l.deriv.head(rows), a = l.a.head(rows);
      if (s.st) {
        if (l.pool) lib.avgPool(post, lib.scal(l.pool.act.head(rows), this.rateScale / (T * this.dt)), l.pool.geom);
        else lib.scal(post, this.rateScale / ((i === L - 1 ? T - t0c : T) * this.dt));
        lib.scal(deriv, this.gain / T);
        lib.scal(a, 1 / (T * (1 - lm)));
      } else {
        lib.scal(post, 1 / (T - t0c));
        lib.fill(deriv, 1);
        lib.copy(a, post);
      }
    }
    // A convolution's weight gradient reads its patches: those of the rates below, not of the last step's spikes.
    for (const l of layers) if (l.conv) lib.im2col(l.conv.cols.head(rows * l.conv.geom.positions), l.pre.head(rows), l.conv.geom);
    this.simSeconds += (now() - t0) / 1000;
  }

  /**
   * Whether layer i's input is likely sparse enough to be summed from its spike lists (propagate's
   * rule on the count of its input at the previous step): what a sequence guesses before the counts of
   * this step exist. The guess chooses only the path, never the sums (event-threshold.ts), and the
   * statistics count what propagate would have chosen (endSequence).
   */
  private eventLikely(i: number, rows: number): boolean {
    return this.eventPath(i, rows, this.lagIn[i]!);
  }

  /** propagate's rule: layer i's input of `count` spikes over `rows` rows is summed event-driven. */
  private eventPath(i: number, rows: number, count: number): boolean {
    const l = this.net.layers[i]!;
    return count === 0 || count < this.thresholds![i]! * rows * (l.conv ? l.conv.geom.inSize : l.inSize);
  }

  /** Whether layer i's step can join the sequence being recorded (its input as lists, likely sparse, and room for its stages). */
  private joins(i: number, lists: SpikeLists | null, rows: number): boolean {
    const s = this.sl[i]!, room = this.lib.sequenceRoom();
    return lists !== null && this.eventLikely(i, rows) && (s.st ? s.fused !== null && s.from !== null && room > 0 : room > 1);
  }

  /**
   * Runs the sequence of kept calls and books what each reported, as the calls one by one would
   * have: spikes per layer, event or dense steps by propagate's rule on the input's actual count, and
   * that count for the next step's guess. Returns the count of the last call (the input of what follows).
   */
  private endSequence(rows: number): number {
    const counts = this.stageCounts, n = this.lib.endSequence(counts);
    let last = 0;
    for (let s = 0; s < n; s++) {
      const i = this.stageLayer[s]!;
      if (i === NO_COUNT) continue;
      if (i >= 0) {
        if (this.sl[i]!.st) this.spikeCount[i]! += counts[s]!; // a readout's stage counts its input events
        if (this.eventPath(i, rows, last)) this.eventSteps[i]! += 1;
        else this.denseSteps[i]! += 1;
        this.lagIn[i] = last;
      }
      last = counts[s]!;
    }
    this.stageLayer.fill(NO_COUNT, 0, n);
    return last;
  }

  /**
   * The spike density under which a batch × k spike matrix times a k × n matrix is summed event-driven
   * (from spike lists when `lists`, else from the 0/1 matrix): eventDensity when it is fixed, else this
   * machine's measured crossover for the shape (net/event-threshold.ts). Either path gives the same sums.
   */
  crossover(k: number, n: number, lists: boolean): number {
    return this.eventDensity === 'auto' ? eventThreshold(this.lib, this.net.batch, k, n, lists) : this.eventDensity;
  }

  /** Per window: Wᵀ for the event kernel and the bias drive (weights change between windows). */
  private prepare(): void {
    const lib = this.lib, r = this.r, lm = r.decay, ls = r.synDecay;
    if (!this.thresholds) {
      const ed = this.eventDensity, B = this.net.batch;
      // a convolution whose patch exceeds the GEMM's K block stays dense: the scatter would change the bits
      this.thresholds = Float64Array.from(this.net.layers, (l, i) =>
        (l.conv ? (l.conv.geom.patch > 256 ? 0 : ed === 'auto' ? convEventThreshold(lib, B, l.conv.geom, l.W.shape[0]!) : ed)
          : this.crossover(l.inSize, l.outSize, (i === 0 ? this.inLists : this.sl[i - 1]!.out) !== null)));
    }
    for (let i = 0; i < this.sl.length; i++) {
      const l = this.net.layers[i]!, s = this.sl[i]!;
      lib.transpose(s.WT, l.W);
      if (s.st) {
        lib.fill(s.biasDrive, this.offset);
        // a convolution's bias is per channel: the same at every position (tmp is free, it serves event propagation)
        if (this.net.bias) lib.axpy(s.biasDrive, this.gain, l.conv ? lib.repeatCols(s.tmp, l.b, l.conv.geom.positions) : l.b);
        lib.scal(s.biasDrive, (1 - ls) * (1 - lm));
      } else {
        lib.fill(s.biasDrive, 0);
        if (this.net.bias) lib.axpy(s.biasDrive, 1 - ls, l.b);
      }
    }
  }

  /**
   * cur = s_in · Wᵀ (a convolution's: conv(s_in, W)), event-driven when the input is sparse enough (the
   * same sums either way), from the input's spike lists when it has them (f32_event_list_nn), else from
   * its spike matrix (f32_event_nn, f32_event_conv), or by a dense GEMM; `dense` says whether inS holds
   * the spike matrix (else it is made from the lists first). inCount is the spike count of the layer
   * below: after pooling it bounds the nonzero inputs from above. Returns true, computing nothing, when
   * the fused step is to sum cur from the lists.
   */
  private propagate(i: number, l: Layer, s: SpikeLayer, rows: number, inS: Tensor, inCount: number, lists: SpikeLists | null, dense: boolean): boolean {
    const lib = this.lib, cur = s.cur.head(rows);
    const event = this.eventPath(i, rows, inCount);
    if (event) this.eventSteps[i]! += 1;
    else this.denseSteps[i]! += 1;
    if (l.conv) { // inS: the 0/1 spikes or pooled spikes below, as a matrix
      if (inCount === 0) lib.fill(cur, 0);
      else if (event) lib.eventConv2d(cur, inS, s.WT, l.conv.geom);
      else lib.conv2d(cur, inS, l.W, null, l.conv.cols.head(rows * l.conv.geom.positions), l.conv.geom);
      return false;
    }
    if (event && lists) {
      if (s.fused && s.from) return true;
      lib.eventListMatmul(cur, lists.list, lists.counts, s.WT);
    } else if (inCount === 0) {
      lib.fill(cur, 0);
    } else {
      if (!dense) lib.listSpikes(inS, lists!.list, lists!.counts);
      if (event) lib.eventMatmul(cur, inS, s.WT);
      else lib.gemm(cur, inS, l.W, 'nt');
    }
    return false;
  }

  dispose(): void {
    this.enc.dispose();
  }
}

export interface SpikingNetworkOptions extends NetworkOptions {
  spiking?: SpikingOptions;
}

/** A Network whose forward(rows) runs one spiking presentation window (SpikingSim). */
export class SpikingNetwork extends Network {
  readonly sim: SpikingSim;

  constructor(lib: Backend, o: SpikingNetworkOptions) {
    super(lib, o);
    try {
      this.sim = new SpikingSim(this, this.ws, o.spiking);
    } catch (e) {
      super.dispose();
      throw e;
    }
  }

  override forward(rows = this.batch): void {
    this.sim.run(rows);
  }

  override dispose(): void {
    this.sim.dispose();
    super.dispose();
  }
}

/**
 * Rule.resume for a rule whose state holds its simulator as `sim`: the firing-rate counters (everything
 * else of the simulator is in workspace tensors). On a SpikingNetwork `sim` is net.sim, which the trainer
 * saves too (restoring it twice is harmless).
 */
export const simCounterState = {
  save: (s: { sim: SpikingSim }): unknown => s.sim.counters(),
  load: (s: { sim: SpikingSim }, v: unknown): void => s.sim.setCounters(v),
};

/** The simulator of a SpikingNetwork, or a new one over a rate Network's layers (buffers in net.ws). */
export function simOf(net: Network, o: SpikingOptions = {}): SpikingSim {
  return net instanceof SpikingNetwork ? net.sim : new SpikingSim(net, net.ws, o);
}
