// A batched, layered settling engine for the phase-based rules (CHL, equilibrium propagation, GeneRec).
//
// The network's dense layers become a layered recurrent net: layer l's state s_l (its `post` buffer,
// [batch, n_l]) is driven from below through W_l and from above through γ·W_{l+1}ᵀ:
//   a_l = s_{l−1}·W_lᵀ + b_l + γ·s_{l+1}·W_{l+1}         (no top-down term for the output layer)
//   s_l ← clamp((1−ε)·s_l + ε·f(a_l))                     (f = the layer's activation)
// For the hard sigmoid (and a linear output) with ε = 1 this is the exact minimiser of the Hopfield
// energy E = Σ_l γ^l [½‖s_l‖² − s_l·(W_l s_{l−1} + b_l)] over layer l with its neighbours held fixed,
// so layer-by-layer sweeps are block-coordinate descent on E (the energy never rises): the fixed point
// of Scellier & Bengio's dynamics (γ = 1) or of Xie & Seung's weak-feedback net (γ < 1), reached in few
// sweeps. The output layer can be free, nudged by −β·∂C/∂s_L (C = the network's loss: softmax cross-
// entropy on a linear output, or ½‖s − y‖²), or clamped to a given tensor.
//
// Warm start: a feedforward sweep (net.forward) — with weak or moderate feedback the fixed point is
// close to it. The bottom-up drive of layer 0 (x·W_0ᵀ + b_0) is constant while the input is clamped,
// so it is computed once per example and reused by every sweep and phase. Sweeps alternate direction
// (down from the output, then up from the input): a nudge at the output reaches the first layer in one
// sweep. Stopping test: the largest state change of a sweep (over every unit of every row) <= tol, or
// maxIter sweeps. Every buffer is made once, in the network's workspace; settle() allocates nothing.
import type { Network, Layer } from './network.js';
import type { Workspace } from '../core/workspace.js';
import type { Tensor } from '../core/tensor.js';

export interface SettleOptions {
  /** Feedback gain γ on the top-down path γ·W_{l+1}ᵀ (1 = the symmetric energy model). */
  gamma: number;
  /** Step size ε in (0, 1]: 1 = exact layer-wise fixed-point update. */
  eps: number;
  /** Largest number of sweeps per phase. */
  maxIter: number;
  /** Stop when the largest state change of a sweep is <= tol. */
  tol: number;
}

/** What the output layer does during a phase. */
export type OutputMode =
  | { kind: 'free' }
  /** Weak clamping: the output minimises E + β·C (β may be negative: symmetric / random-sign EP). */
  | { kind: 'nudge'; beta: number }
  /** Hard clamping to `target` ([batch, classes]; rows beyond `rows` ignored). */
  | { kind: 'clamp'; target: Tensor };

/** Iterations counted per phase label: `sweeps` summed over examples, and the examples settled. */
export interface SettleStats {
  [phase: string]: { sweeps: number; examples: number; meanSweeps: number };
}

export function checkSettleOptions(who: string, o: SettleOptions): void {
  if (!(Number.isFinite(o.gamma) && o.gamma > 0)) throw new RangeError(`${who}: gamma must be a positive finite number, got ${o.gamma}`);
  if (!(o.eps > 0 && o.eps <= 1)) throw new RangeError(`${who}: eps must be in (0, 1], got ${o.eps}`);
  if (!(Number.isInteger(o.maxIter) && o.maxIter >= 1)) throw new RangeError(`${who}: maxIter must be an integer >= 1, got ${o.maxIter}`);
  if (!(o.tol >= 0 && Number.isFinite(o.tol))) throw new RangeError(`${who}: tol must be a finite number >= 0, got ${o.tol}`);
}

export class Settler {
  /** x·W_0ᵀ + b_0 of the current batch (constant while the input is clamped). */
  private readonly inDrive: Tensor;
  /** f(a) for activations that are not a plain clamp, and the throw-away post of the deriv pass. */
  private readonly scratch: Tensor;
  /** ∂C/∂s_L and softmax(s_L) during a nudged phase. */
  private readonly grad: Tensor;
  private readonly probs: Tensor;
  private readonly slots = new Map<string, Tensor[]>();
  /** settleDifference(): each hidden layer's drive at the free state, and the drive change (made when asked for). */
  private readonly freeDrive: Tensor[] = [];
  private readonly dDrive: Tensor | null = null;
  /** settleDifference() with an activation other than the hard sigmoid / linear: f(a⁻) and f(a⁻ + d). */
  private readonly fFree: Tensor | null = null;
  private readonly counts = new Map<string, { sweeps: number; examples: number }>();
  /** Sweeps of the last settle() call, and the largest state change of its last sweep. */
  lastSweeps = 0;
  lastChange = 0;

  constructor(readonly net: Network, ws: Workspace, slotNames: readonly string[], difference = false) {
    const B = net.batch, L = net.layers, wide = Math.max(...L.map((l) => l.outSize));
    this.inDrive = ws.f32([B, L[0]!.outSize]);
    this.scratch = ws.f32([B, wide]);
    if (difference) {
      for (const l of L.slice(0, -1)) this.freeDrive.push(ws.f32([B, l.outSize]));
      this.dDrive = ws.f32([B, wide]);
      if (L.slice(0, -1).some((l) => l.act.name !== 'hardSigmoid' && l.act.name !== 'linear')) this.fFree = ws.f32([B, wide]);
    }
    this.grad = ws.f32([B, net.classes]);
    this.probs = ws.f32([B, net.classes]);
    for (const name of slotNames) this.slots.set(name, L.map((l) => ws.f32([B, l.outSize])));
  }

  /** Warm start: a feedforward sweep (no feedback) from net.input; caches layer 0's bottom-up drive. */
  feedforward(rows: number): void {
    const net = this.net;
    net.forward(rows);
    const l0 = net.layers[0]!;
    net.lib.copy(this.inDrive.head(rows), l0.a.head(rows));
  }

  /**
   * Relaxes the states (each layer's post) of the first `rows` rows towards the fixed point, from
   * their current values. Returns the number of sweeps, counted under `label` in stats().
   */
  settle(rows: number, mode: OutputMode, o: SettleOptions, label: string): number {
    const net = this.net, layers = net.layers, top = layers.length - 1;
    const out = layers[top]!;
    if (mode.kind === 'clamp') net.lib.copy(out.post.head(rows), mode.target.head(rows));
    const last = mode.kind === 'clamp' ? top - 1 : top; // highest layer that moves
    let sweeps = 0, change = 0;
    if (last >= 0) {
      for (let it = 0; it < o.maxIter; it++) {
        change = 0;
        if (it % 2 === 0) for (let l = last; l >= 0; l--) change = Math.max(change, this.updateLayer(rows, l, mode, o));
        else for (let l = 0; l <= last; l++) change = Math.max(change, this.updateLayer(rows, l, mode, o));
        sweeps = it + 1;
        if (!(change > o.tol)) break; // also stops on NaN: the trainer's loss check reports it
      }
      for (let l = 0; l <= last; l++) this.derivOf(rows, layers[l]!);
    }
    this.lastSweeps = sweeps;
    this.lastChange = change;
    this.count(label, sweeps, rows);
    return sweeps;
  }

  /**
   * The clamped phase in difference coordinates: with the free state s⁻ in the layers' post, the output
   * clamped to `target` and the hidden layers relaxed, writes Δ_l = s⁺_l − s⁻_l into `diff` (one [batch, n_l]
   * per layer; the output's is target − s⁻_L) and leaves every post at s⁻. The same fixed point as settle()
   * in clamp mode, s⁺_l = f(a⁻_l + Δa_l) with a⁻_l the drive at s⁻ and Δa_l = W_l·Δ_{l−1} + γ·W_{l+1}ᵀ·Δ_{l+1}
   * (the bias cancels), but Δ is the state: in float32, s⁺ − s⁻ formed from two settled states is lost
   * below the states' rounding unit (~3e-8 for states near 0.5), while Δ keeps float32's relative precision
   * however small it is. Exact for the hard sigmoid and a linear layer (settleDiffStep); other activations
   * form f(a⁻ + Δa) − f(a⁻) and keep that floor. The stopping test is on the largest |change of Δ_l|·weight(l):
   * with Xie & Seung's γ^{l−top} it measures each layer in the units of its update. Returns the sweeps.
   */
  settleDifference(rows: number, target: Tensor, o: SettleOptions, diff: Tensor[], weight: (l: number) => number, label: string): number {
    const net = this.net, lib = net.lib, layers = net.layers, top = layers.length - 1;
    const dD = this.dDrive;
    if (!dD) throw new Error('settle: settleDifference needs a Settler made with difference = true');
    lib.sub(diff[top]!.head(rows), target.head(rows), layers[top]!.post.head(rows));
    for (let l = 0; l < top; l++) { // a⁻_l: the drive of layer l at the free state
      const L = layers[l]!, a = this.freeDrive[l]!.head(rows);
      if (l === 0) lib.copy(a, this.inDrive.head(rows));
      else {
        lib.gemm(a, L.pre.head(rows), L.W, 'nt');
        if (net.bias) lib.addRow(a, L.b);
      }
      lib.gemm(a, layers[l + 1]!.post.head(rows), layers[l + 1]!.W, 'nn', o.gamma, 1);
      lib.fill(diff[l]!.head(rows), 0);
    }
    let sweeps = 0, change = 0;
    for (let it = 0; it < o.maxIter && top > 0; it++) {
      change = 0;
      if (it % 2 === 0) for (let l = top - 1; l >= 0; l--) change = Math.max(change, weight(l) * this.diffLayer(rows, l, o, diff));
      else for (let l = 0; l < top; l++) change = Math.max(change, weight(l) * this.diffLayer(rows, l, o, diff));
      sweeps = it + 1;
      if (!(change > o.tol)) break;
    }
    this.lastSweeps = sweeps;
    this.lastChange = change;
    this.count(label, sweeps, rows);
    return sweeps;
  }

  /** One layer-wise update of Δ_l (settleDifference); returns its largest change. */
  private diffLayer(rows: number, l: number, o: SettleOptions, diff: Tensor[]): number {
    const lib = this.net.lib, layers = this.net.layers, L = layers[l]!, n = L.outSize;
    const d = this.dDrive!.matrix(rows, n), a = this.freeDrive[l]!.head(rows), s = diff[l]!.head(rows);
    lib.gemm(d, diff[l + 1]!.head(rows), layers[l + 1]!.W, 'nn', o.gamma);
    if (l > 0) lib.gemm(d, diff[l - 1]!.head(rows), L.W, 'nt', 1, 1);
    const act = L.act;
    if (act.name === 'hardSigmoid') return lib.settleDiffStep(s, a, d, o.eps, act.p[0], act.p[1]);
    if (act.name === 'linear') return lib.settleDiffStep(s, a, d, o.eps);
    const f0 = this.fFree!.matrix(rows, n), f1 = this.scratch.matrix(rows, n);
    lib.activate(act, f0, a);
    lib.add(d, d, a);
    lib.activate(act, f1, d);
    lib.sub(f1, f1, f0);
    return lib.settleStep(s, f1, o.eps);
  }

  private count(label: string, sweeps: number, rows: number): void {
    let c = this.counts.get(label);
    if (!c) this.counts.set(label, (c = { sweeps: 0, examples: 0 }));
    c.sweeps += sweeps * rows;
    c.examples += rows;
  }

  /** One layer-wise update of layer l; returns its largest state change. */
  private updateLayer(rows: number, l: number, mode: OutputMode, o: SettleOptions): number {
    const net = this.net, lib = net.lib, layers = net.layers, top = layers.length - 1;
    const L = layers[l]!, a = L.a.head(rows), post = L.post.head(rows);
    if (l === 0) lib.copy(a, this.inDrive.head(rows));
    else {
      lib.gemm(a, L.pre.head(rows), L.W, 'nt');
      if (net.bias) lib.addRow(a, L.b);
    }
    if (l < top) {
      const up = layers[l + 1]!;
      lib.gemm(a, up.post.head(rows), up.W, 'nn', o.gamma, 1);
    } else if (mode.kind === 'nudge' && mode.beta !== 0) {
      const beta = mode.beta, target = net.target.head(rows);
      if (net.loss === 'xent') {
        // a_L ← a_L − β·(softmax(s_L) − y): a fixed-point step of s_L + β∇C(s_L) = a_L (contracts for |β| < 2)
        const grad = this.grad.head(rows);
        lib.softmaxXent(this.probs.head(rows), grad, post, target);
        lib.axpy(a, -beta, grad);
      } else {
        // mse: the exact minimiser of ½‖s − a‖² + β·½‖s − y‖² is (a + β·y)/(1 + β) (then clamped)
        lib.scaleAdd(a, 1 / (1 + beta), a, beta / (1 + beta), target);
      }
    }
    const act = L.act;
    if (act.name === 'hardSigmoid') return lib.settleStep(post, a, o.eps, act.p[0], act.p[1]);
    if (act.name === 'linear') return lib.settleStep(post, a, o.eps);
    const f = this.scratch.matrix(rows, L.outSize);
    lib.activate(act, f, a);
    return lib.settleStep(post, f, o.eps);
  }

  /** deriv = f'(a) at the settled drive (post is left alone). */
  private derivOf(rows: number, L: Layer): void {
    this.net.lib.activate(L.act, this.scratch.matrix(rows, L.outSize), L.a.head(rows), L.deriv.head(rows));
  }

  /** The snapshot buffers of `slot` (one [batch, n_l] tensor per layer). */
  slot(name: string): Tensor[] {
    const s = this.slots.get(name);
    if (!s) throw new Error(`settle: no snapshot slot '${name}' (have: ${[...this.slots.keys()].join(', ')})`);
    return s;
  }

  /** Copies every layer's state (post) of the first `rows` rows into `slot`. */
  snapshot(name: string, rows: number): void {
    const s = this.slot(name), lib = this.net.lib, layers = this.net.layers;
    for (let i = 0; i < layers.length; i++) lib.copy(s[i]!.head(rows), layers[i]!.post.head(rows));
  }

  /** Copies `slot` back into every layer's post. */
  restore(name: string, rows: number): void {
    const s = this.slot(name), lib = this.net.lib, layers = this.net.layers;
    for (let i = 0; i < layers.length; i++) lib.copy(layers[i]!.post.head(rows), s[i]!.head(rows));
  }

  /** Mean sweeps per example for every phase label so far. */
  stats(): SettleStats {
    const r: SettleStats = {};
    for (const [k, c] of this.counts) r[k] = { ...c, meanSweeps: c.examples ? c.sweeps / c.examples : 0 };
    return r;
  }

  resetStats(): void {
    this.counts.clear();
  }

  /**
   * The sweep counters behind stats() (plain numbers, JSON-safe), to save with a training run's state;
   * setCounters() puts them back when the run resumes, so its metrics cover every epoch.
   */
  counters(): Record<string, { sweeps: number; examples: number }> {
    return Object.fromEntries([...this.counts].map(([k, c]) => [k, { ...c }]));
  }

  setCounters(v: unknown): void {
    const bad = (what: string) => new Error(`settle.setCounters: ${what}`);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad(`expected an object of per-phase counters, got ${JSON.stringify(v)}`);
    const entries = Object.entries(v as Record<string, unknown>).map(([k, c]) => {
      const { sweeps, examples } = (c ?? {}) as { sweeps?: unknown; examples?: unknown };
      if (!Number.isSafeInteger(sweeps) || !Number.isSafeInteger(examples) || (sweeps as number) < 0 || (examples as number) < 0) {
        throw bad(`phase '${k}' needs non-negative integer sweeps and examples, got ${JSON.stringify(c)}`);
      }
      return [k, { sweeps: sweeps as number, examples: examples as number }] as const;
    });
    this.counts.clear();
    for (const [k, c] of entries) this.counts.set(k, c);
  }
}
