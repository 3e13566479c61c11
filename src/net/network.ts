// A dense network of any depth, with every buffer made once for a batch size.
// Layout: activations [batch, features] row-major; W [out, in]; forward is
// a_l = pre_l · W_lᵀ + b_l (gemm_nt), post_l = f(a_l), deriv_l = f'(a_l). The output layer is linear
// when the loss is softmax cross-entropy (the softmax lives in the loss).
import type { Backend } from '../backend.js';
import type { Tensor } from '../core/tensor.js';
import { Workspace } from '../core/workspace.js';
import { ACT_NAMES, resolveAct, type ResolvedAct } from '../activations.js';
import { initWeights, type InitScheme, INIT_SCHEMES } from './init.js';

export type LossName = 'xent' | 'mse';

/** A trainable tensor and the buffer its gradient estimate is written to. */
export interface Param {
  name: string;
  value: Tensor;
  grad: Tensor;
  /** Whether weight decay applies (true for weights, false for biases). */
  decay: boolean;
}

export interface NetworkOptions {
  /** Layer sizes, input first: [784, 256, 256, 10]. */
  sizes: number[];
  /** Hidden activation, or one per hidden layer (default 'relu'). */
  activation?: string | string[];
  /** Output activation for the mse loss (default 'linear'); xent always uses a linear output + softmax. */
  outputActivation?: string;
  loss?: LossName;
  init?: InitScheme;
  /** Scale for the 'uniform' and 'normal' schemes. */
  initScale?: number;
  bias?: boolean;
  /** Rows per batch: every buffer is made for this many. */
  batch: number;
  seed: number;
}

export interface Layer {
  index: number;
  inSize: number;
  outSize: number;
  act: ResolvedAct;
  W: Tensor; // [out, in]
  b: Tensor; // [out]
  dW: Tensor; // [out, in] gradient estimate written by the rule
  db: Tensor; // [out]
  pre: Tensor; // [batch, in]: the network input or the previous layer's post
  a: Tensor; // [batch, out] pre-activation
  post: Tensor; // [batch, out] f(a)
  deriv: Tensor; // [batch, out] f'(a)
  delta: Tensor; // [batch, out] teaching signal written by the rule
}

export class Network {
  readonly ws: Workspace;
  readonly layers: Layer[];
  readonly input: Tensor; // [batch, sizes[0]]
  readonly target: Tensor; // [batch, classes]
  readonly error: Tensor; // [batch, classes]: dLoss/d(output pre-activation) (xent) or dLoss/dy (mse)
  readonly probs: Tensor; // [batch, classes]: softmax output for xent, a copy of y for mse
  readonly batch: number;
  readonly sizes: readonly number[];
  readonly loss: LossName;
  readonly bias: boolean;
  readonly seed: number;
  readonly init: InitScheme;
  readonly activations: readonly string[];
  readonly outputActivation: string;

  constructor(readonly lib: Backend, o: NetworkOptions) {
    const sizes = o.sizes;
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new Error(`network: sizes must list at least two positive integers (input … output), got ${JSON.stringify(sizes)}`);
    }
    if (!Number.isInteger(o.batch) || o.batch < 1) throw new Error(`network: batch must be a positive integer, got ${o.batch}`);
    if (!Number.isInteger(o.seed)) throw new Error(`network: seed must be an integer, got ${o.seed}`);
    const nHidden = sizes.length - 2;
    const acts = Array.isArray(o.activation) ? o.activation : new Array<string>(nHidden).fill(o.activation ?? 'relu');
    if (acts.length !== nHidden) throw new Error(`network: ${acts.length} activations given for ${nHidden} hidden layers`);
    this.loss = o.loss ?? 'xent';
    if (this.loss !== 'xent' && this.loss !== 'mse') throw new Error(`network: unknown loss '${String(this.loss)}' (expected xent or mse)`);
    this.outputActivation = this.loss === 'xent' ? 'linear' : (o.outputActivation ?? 'linear');
    this.init = o.init ?? 'he';
    if (!INIT_SCHEMES.includes(this.init)) throw new Error(`network: unknown init '${this.init}' (expected one of ${INIT_SCHEMES.join(', ')})`);
    const specs = [...acts, this.outputActivation].map((name) => {
      if (!(ACT_NAMES as string[]).includes(name)) throw new Error(`network: unknown activation '${name}' (known: ${ACT_NAMES.join(', ')})`);
      return resolveAct('network', name);
    });
    this.ws = new Workspace(lib.heap);
    this.batch = o.batch;
    this.sizes = Object.freeze([...sizes]);
    this.bias = o.bias ?? true;
    this.seed = o.seed;
    this.activations = Object.freeze([...acts]);
    const B = o.batch;
    this.input = this.ws.f32([B, sizes[0]!]);
    const rng = lib.rng(o.seed);
    try {
      this.layers = [];
      let pre = this.input;
      for (let l = 0; l + 1 < sizes.length; l++) {
        const inSize = sizes[l]!, outSize = sizes[l + 1]!;
        const layer: Layer = {
          index: l, inSize, outSize, act: specs[l]!,
          W: this.ws.f32([outSize, inSize]), b: this.ws.f32([outSize]),
          dW: this.ws.f32([outSize, inSize]), db: this.ws.f32([outSize]),
          pre, a: this.ws.f32([B, outSize]), post: this.ws.f32([B, outSize]),
          deriv: this.ws.f32([B, outSize]), delta: this.ws.f32([B, outSize]),
        };
        initWeights(rng, layer.W, this.init, o.initScale);
        this.layers.push(layer);
        pre = layer.post;
      }
    } finally {
      rng.dispose();
    }
    const C = sizes[sizes.length - 1]!;
    this.target = this.ws.f32([B, C]);
    this.error = this.ws.f32([B, C]);
    this.probs = this.ws.f32([B, C]);
  }

  get output(): Layer {
    return this.layers[this.layers.length - 1]!;
  }

  get classes(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  /** Forward pass over the first `rows` rows of `input`: fills a, post, deriv of every layer. */
  forward(rows = this.batch): void {
    const lib = this.lib;
    for (const l of this.layers) {
      const a = l.a.head(rows);
      lib.gemm(a, l.pre.head(rows), l.W, 'nt');
      if (this.bias) lib.addRow(a, l.b);
      lib.activate(l.act, l.post.head(rows), a, l.deriv.head(rows));
    }
  }

  /** Loss summed over the first `rows` rows; writes `error` (and `probs`). Call after forward(). */
  computeLoss(rows = this.batch): number {
    const lib = this.lib, y = this.output.post.head(rows), target = this.target.head(rows), error = this.error.head(rows);
    if (this.loss === 'xent') return lib.softmaxXent(this.probs.head(rows), error, y, target);
    lib.copy(this.probs.head(rows), y);
    return lib.mse(error, y, target);
  }

  /** Rows among the first `rows` whose output argmax matches the target's. Call after forward(). */
  countCorrect(rows = this.batch): number {
    return this.lib.countCorrect(this.output.post.head(rows), this.target.head(rows));
  }

  /** The forward weights and biases as optimiser params. */
  params(): Param[] {
    const ps: Param[] = [];
    for (const l of this.layers) {
      ps.push({ name: `W${l.index}`, value: l.W, grad: l.dW, decay: true });
      if (this.bias) ps.push({ name: `b${l.index}`, value: l.b, grad: l.db, decay: false });
    }
    return ps;
  }

  /** Number of non-finite values in the weights and biases (0 for a healthy network). */
  nonFiniteWeights(): number {
    let n = 0;
    for (const l of this.layers) n += this.lib.nonFinite(l.W) + this.lib.nonFinite(l.b);
    return n;
  }

  /** Frees every buffer of the network. */
  dispose(): void {
    this.ws.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
