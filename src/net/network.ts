// A dense network of any depth, with every buffer made once for a batch size.
// Layout: activations [batch, features] row-major; W [out, in]; forward is
// a_l = pre_l · W_lᵀ + b_l (gemm_nt), post_l = f(a_l), deriv_l = f'(a_l). The output layer is linear
// when the loss is softmax cross-entropy (the softmax lives in the loss).
// Convolutional layers (NetworkOptions.arch; docs/conv.md) keep one row per example, channels last:
// a = conv(pre, W) + b with W [channels, k·k·c_in] as a GEMM on im2col patches, and an optional pooling
// after the activation, so post = pool(f(a)) while a, deriv and delta stay on the convolution's units.
import type { Backend } from '../backend.js';
import type { Tensor } from '../core/tensor.js';
import { Workspace } from '../core/workspace.js';
import { ACT_NAMES, resolveAct, type ResolvedAct } from '../activations.js';
import { initWeights, type InitScheme, INIT_SCHEMES } from './init.js';
import { parseArch, planArch, formatArch, type LayerSpec } from './arch.js';
import type { ConvGeometry, PoolGeometry } from '../backend/conv.js';
import type { IntBuffer } from '../core/intbuf.js';

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
  /** Layer sizes, input first: [784, 256, 256, 10]; with `arch`, only [input features, classes]. */
  sizes: number[];
  /**
   * The hidden layers as a spec ('c6k5p2-p2-c16k5-p2-f120-f84', or a preset: 'lenet5'; src/net/arch.ts)
   * or a parsed list, instead of the hidden sizes in `sizes`. Needs `inputShape` when it has convolutions.
   */
  arch?: string | readonly LayerSpec[];
  /** [height, width, channels] of an input row (channels last), for convolutional layers. */
  inputShape?: readonly [number, number, number];
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
  post: Tensor; // [batch, out] f(a) (pooled: [batch, pooled size])
  deriv: Tensor; // [batch, out] f'(a)
  delta: Tensor; // [batch, out] teaching signal written by the rule
  /** A convolutional layer: W is [channels, k·k·c_in], out = positions·channels (absent: dense). */
  conv?: ConvStage;
  /** Pooling after the activation: post = pool(f(a)) (absent: post = f(a)). */
  pool?: PoolStage;
}

export interface ConvStage {
  geom: ConvGeometry;
  /** The patches of the last forward pass, shape [batch·positions, k·k·c_in] (the weight gradient reads them). */
  cols: Tensor;
  /** Scratch of the input gradient, shape [batch·positions, k·k·c_in]. */
  dcols: Tensor;
}

export interface PoolStage {
  kind: 'max' | 'avg';
  geom: PoolGeometry;
  /** The activation f(a) before pooling, shape [batch, out]. */
  act: Tensor;
  /** A signal arriving at post, before it is routed back through the pooling, shape [batch, pooled size]. */
  grad: Tensor;
  /** Max pooling's arg-max per pooled unit (null for average pooling). */
  arg: IntBuffer<'i32'> | null;
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
  /** The hidden layers' spec (presets expanded) when built from `arch`, else null. */
  readonly arch: string | null;
  readonly inputShape: readonly [number, number, number] | null;
  /** Whether any layer is convolutional (rules without a convolutional form refuse such a network). */
  readonly convolutional: boolean;
  private readonly owned: IntBuffer<'i32'>[] = [];

  constructor(readonly lib: Backend, o: NetworkOptions) {
    let sizes = o.sizes;
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new Error(`network: sizes must list at least two positive integers (input … output), got ${JSON.stringify(sizes)}`);
    }
    const plan = o.arch === undefined ? null : archPlan(o, sizes);
    if (plan) sizes = [sizes[0]!, ...plan.map((p) => p.postSize), sizes[1]!];
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
    this.arch = plan ? formatArch(plan.map((p) => p.spec)) : null;
    this.inputShape = plan && o.inputShape ? Object.freeze([...o.inputShape]) as unknown as [number, number, number] : null;
    this.convolutional = !!plan?.some((p) => p.conv);
    const B = o.batch;
    this.input = this.ws.f32([B, sizes[0]!]);
    const rng = lib.rng(o.seed);
    try {
      this.layers = [];
      let pre = this.input;
      for (let l = 0; l + 1 < sizes.length; l++) {
        const p = plan?.[l], cs = p?.spec;
        if (p?.conv && cs?.kind === 'conv') {
          this.layers.push(this.convLayer(l, p.conv, cs.channels, p.pool, cs.pool?.kind ?? 'max', specs[l]!, pre, rng, o.initScale));
          pre = this.layers[l]!.post;
          continue;
        }
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

  private convLayer(index: number, g: ConvGeometry, channels: number, pg: PoolGeometry | null, kind: 'max' | 'avg', act: ResolvedAct,
    pre: Tensor, rng: ReturnType<Backend['rng']>, initScale: number | undefined): Layer {
    const B = this.batch, ws = this.ws, outSize = g.positions * channels;
    const layer: Layer = {
      index, inSize: g.inSize, outSize, act,
      W: ws.f32([channels, g.patch]), b: ws.f32([channels]), dW: ws.f32([channels, g.patch]), db: ws.f32([channels]),
      pre, a: ws.f32([B, outSize]), post: ws.f32([B, pg ? pg.outSize : outSize]), deriv: ws.f32([B, outSize]), delta: ws.f32([B, outSize]),
      conv: { geom: g, cols: ws.f32([B * g.positions, g.patch]), dcols: ws.f32([B * g.positions, g.patch]) },
    };
    if (pg) {
      // The arg-max indices live in the heap outside the workspace (which holds f32 tensors); dispose() frees them.
      const arg = kind === 'max' ? this.lib.ints('i32', B * pg.outSize) : null;
      if (arg) this.owned.push(arg);
      layer.pool = { kind, geom: pg, act: ws.f32([B, outSize]), grad: ws.f32([B, pg.outSize]), arg };
    }
    initWeights(rng, layer.W, this.init, initScale);
    return layer;
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
      if (l.conv) {
        lib.conv2d(a, l.pre.head(rows), l.W, this.bias ? l.b : null, l.conv.cols.head(rows * l.conv.geom.positions), l.conv.geom);
      } else {
        lib.gemm(a, l.pre.head(rows), l.W, 'nt');
        if (this.bias) lib.addRow(a, l.b);
      }
      const p = l.pool;
      lib.activate(l.act, p ? p.act.head(rows) : l.post.head(rows), a, l.deriv.head(rows));
      if (p) {
        if (p.arg) lib.maxPool(l.post.head(rows), p.arg, p.act.head(rows), p.geom);
        else lib.avgPool(l.post.head(rows), p.act.head(rows), p.geom);
      }
    }
  }

  /**
   * Sends layer l's teaching signal down through F (W_l's shape: W_l itself for backprop, a feedback
   * matrix or kernel otherwise): layer l−1's delta becomes the signal at its post routed back through its
   * pooling, not yet multiplied by its f' (the caller does that). Dense: delta_{l−1} = delta_l · F.
   */
  sendDown(l: number, F: Tensor, rows = this.batch): void {
    const up = this.layers[l]!, into = this.postSignal(l - 1, rows);
    if (up.conv) this.lib.conv2dInputGrad(into, up.delta.head(rows), F, up.conv.dcols.head(rows * up.conv.geom.positions), up.conv.geom);
    else this.lib.gemm(into, up.delta.head(rows), F, 'nn');
    this.unpool(l - 1, rows);
  }

  /**
   * Where a signal at layer l's post is to be written ([rows, post size]): its delta when it has no
   * pooling, else the pooling's buffer, which unpool(l) then routes into delta.
   */
  postSignal(l: number, rows = this.batch): Tensor {
    const cur = this.layers[l]!;
    return cur.pool ? cur.pool.grad.head(rows) : cur.delta.head(rows);
  }

  /** Routes the signal written at postSignal(l) back through layer l's pooling into its delta (no pooling: nothing). */
  unpool(l: number, rows = this.batch): void {
    const cur = this.layers[l]!, p = cur.pool;
    if (!p) return;
    if (p.arg) this.lib.maxPoolBackward(cur.delta.head(rows), p.grad.head(rows), p.arg, p.geom);
    else this.lib.avgPoolBackward(cur.delta.head(rows), p.grad.head(rows), p.geom);
  }

  /** dW_l = alpha·δ_lᵀ·pre_l (patches for a convolution), db_l = alpha·Σ δ_l, over the first rows. */
  weightGrads(l: Layer, rows: number, alpha: number): void {
    const lib = this.lib;
    if (l.conv) {
      lib.conv2dWeightGrad(l.dW, this.bias ? l.db : null, l.delta.head(rows), l.conv.cols.head(rows * l.conv.geom.positions), l.conv.geom, alpha, 0);
      return;
    }
    lib.gemm(l.dW, l.delta.head(rows), l.pre.head(rows), 'tn', alpha, 0);
    if (this.bias) lib.sumRows(l.db, l.delta.head(rows), alpha, 0);
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
    for (const b of this.owned.splice(0)) b.dispose();
    this.ws.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** The fan-in and fan-out of a layer's weights as torch counts them (a kernel: k·k·c_in and channels·k·k). */
export function fans(l: Layer): [number, number] {
  if (!l.conv) return [l.inSize, l.outSize];
  const g = l.conv.geom;
  return [g.patch, l.W.shape[0]! * g.k * g.k];
}

/** The checked layer plan of options with `arch`: sizes must be [input features, classes]. */
function archPlan(o: NetworkOptions, sizes: readonly number[]) {
  const flag = 'network: arch';
  if (sizes.length !== 2) throw new Error(`${flag}: with arch, sizes must be [input features, classes] (the hidden layers come from arch), got ${JSON.stringify(sizes)}`);
  const layers = typeof o.arch === 'string' ? parseArch(o.arch, flag) : o.arch!;
  if (!Array.isArray(layers)) throw new Error(`${flag}: expected a spec string or a list of layers, got ${typeof o.arch}`);
  const hasConv = layers.some((l) => l.kind === 'conv');
  const shape = o.inputShape ?? (hasConv ? null : [1, 1, sizes[0]!]);
  if (!shape) throw new Error(`${flag}: convolutional layers need inputShape [height, width, channels] (for ${sizes[0]} input features)`);
  if (hasConv && shape[0]! * shape[1]! * shape[2]! !== sizes[0]) {
    throw new Error(`${flag}: inputShape ${JSON.stringify(shape)} holds ${shape[0]! * shape[1]! * shape[2]!} values, but the input has ${sizes[0]} features`);
  }
  return planArch(layers, shape, flag);
}
