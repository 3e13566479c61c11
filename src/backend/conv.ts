// Convolution and pooling (assembly/kernels/conv.ts for the data movement, the GEMM for the arithmetic),
// channels last: a batch of feature maps is [n, h·w·c], one example per row (docs/conv.md).
//   conv2d:           cols = im2col(x);  out[n·ho·wo, O] = cols · Wᵀ (+ bias per channel)
//   conv2dInputGrad:  dcols = δ[n·ho·wo, O] · F;  dx = col2im(dcols)          (F = W for backprop)
//   conv2dWeightGrad: dW = α·δᵀ · cols + β·dW;  db = α·Σ_positions δ + β·db
//   eventConv2d:      out = conv(x, W) by scattering each nonzero input's kernel patch (sparse spikes)
// The geometry is an object checked once when it is made, so a call checks tensors only and allocates
// nothing.
import type { Tensor } from '../core/tensor.js';
import type { Ctor } from './core.js';
import { IntBuffer } from '../core/intbuf.js';
import { finite, fmtShape, integer, isTensor, disjoint } from './checks.js';

/** A convolution's geometry: input h×w×c, k×k kernel, stride, zero padding; output ho×wo per channel. */
export class ConvGeometry {
  readonly ho: number;
  readonly wo: number;
  /** Elements of one input example (h·w·c) and of one patch (k·k·c). */
  readonly inSize: number;
  readonly patch: number;
  /** Output positions per example (ho·wo). */
  readonly positions: number;

  constructor(readonly h: number, readonly w: number, readonly c: number, readonly k: number, readonly stride = 1, readonly pad = 0, op = 'conv2d') {
    for (const [name, v] of [['h', h], ['w', w], ['c', c], ['k', k], ['stride', stride]] as const) integer(op, name, v, 1, 1 << 20);
    integer(op, 'pad', pad, 0, 1 << 20);
    if (k > h + 2 * pad || k > w + 2 * pad) {
      throw new RangeError(`${op}: kernel ${k}×${k} does not fit the ${h}×${w} input with padding ${pad} (expected k <= ${Math.min(h, w) + 2 * pad})`);
    }
    this.ho = Math.floor((h + 2 * pad - k) / stride) + 1;
    this.wo = Math.floor((w + 2 * pad - k) / stride) + 1;
    this.inSize = h * w * c;
    this.patch = k * k * c;
    this.positions = this.ho * this.wo;
  }

  toString(): string {
    return `${this.h}×${this.w}×${this.c} input, ${this.k}×${this.k} kernel, stride ${this.stride}, padding ${this.pad}`;
  }
}

/** A pooling's geometry: input h×w×c, k×k windows at a stride (default k), no padding. */
export class PoolGeometry {
  readonly ho: number;
  readonly wo: number;
  readonly inSize: number;
  readonly outSize: number;

  constructor(readonly h: number, readonly w: number, readonly c: number, readonly k: number, readonly stride = k, op = 'pool') {
    for (const [name, v] of [['h', h], ['w', w], ['c', c], ['k', k], ['stride', stride]] as const) integer(op, name, v, 1, 1 << 20);
    if (k > h || k > w) throw new RangeError(`${op}: window ${k}×${k} does not fit the ${h}×${w} input (expected k <= ${Math.min(h, w)})`);
    this.ho = Math.floor((h - k) / stride) + 1;
    this.wo = Math.floor((w - k) / stride) + 1;
    this.inSize = h * w * c;
    this.outSize = this.ho * this.wo * c;
  }

  toString(): string {
    return `${this.h}×${this.w}×${this.c} input, ${this.k}×${this.k} window, stride ${this.stride}`;
  }
}

function geometry<G>(op: string, g: unknown, cls: new (...a: any[]) => G): G {
  if (!(g instanceof cls)) throw new TypeError(`${op}: geometry must be a ${cls.name}, got ${g === null ? 'null' : typeof g}`);
  return g;
}

/** Throws unless t is a live tensor of n rows of `cols` elements (rank >= 1; [n, …] with n·cols elements). */
function batchOf(op: string, name: string, t: unknown, cols: number, n?: number): number {
  isTensor(op, name, t);
  const rows = t.shape.length >= 2 ? t.shape[0]! : 1;
  if (t.size !== rows * cols || (n !== undefined && rows !== n)) {
    throw new Error(`${op}: ${name} is ${fmtShape(t.shape)}, expected [${n ?? 'n'}, ${cols}]${n === undefined ? '' : ` (n = ${n})`}`);
  }
  return rows;
}

function shapeIs(op: string, name: string, t: unknown, r: number, c: number): void {
  isTensor(op, name, t);
  if (t.size !== r * c || (t.shape.length === 2 && (t.shape[0] !== r || t.shape[1] !== c)) || t.shape.length > 2) {
    throw new Error(`${op}: ${name} is ${fmtShape(t.shape)}, expected [${r}, ${c}]`);
  }
}

function indexBuffer(op: string, name: string, b: unknown, n: number): IntBuffer<'i32'> {
  if (!(b instanceof IntBuffer) || b.kind !== 'i32') throw new TypeError(`${op}: ${name} must be an IntBuffer<'i32'>, got ${b instanceof IntBuffer ? String(b) : typeof b}`);
  if (b.disposed) throw new Error(`${op}: ${name} ${b} was disposed`);
  if (b.length < n) throw new RangeError(`${op}: ${name} ${b} is too short: needs ${n} indices`);
  return b as IntBuffer<'i32'>;
}

/** The Conv methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withConv<B extends Ctor>(Base: B) {
  abstract class ConvOps extends Base {
    /** cols [n·ho·wo, k·k·c] = the patches of x [n, h·w·c] (zeros in the padding). */
    im2col(cols: Tensor, x: Tensor, g: ConvGeometry): Tensor {
      const op = 'im2col';
      geometry(op, g, ConvGeometry);
      const n = batchOf(op, 'x', x, g.inSize);
      shapeIs(op, 'cols', cols, n * g.positions, g.patch);
      disjoint(op, 'cols', cols, 'x', x, true);
      this.kernels.f32_im2col(n, g.h, g.w, g.c, g.k, g.stride, g.pad, g.ho, g.wo, x.ptr, cols.ptr);
      return cols;
    }

    /** x [n, h·w·c] = the sum of every patch row of cols [n·ho·wo, k·k·c] put back where im2col read it. */
    col2im(x: Tensor, cols: Tensor, g: ConvGeometry): Tensor {
      const op = 'col2im';
      geometry(op, g, ConvGeometry);
      const n = batchOf(op, 'x', x, g.inSize);
      shapeIs(op, 'cols', cols, n * g.positions, g.patch);
      disjoint(op, 'x', x, 'cols', cols, true);
      this.kernels.f32_col2im(n, g.h, g.w, g.c, g.k, g.stride, g.pad, g.ho, g.wo, cols.ptr, x.ptr);
      return x;
    }

    /**
     * out [n, ho·wo·O] = conv(x [n, h·w·c], W [O, k·k·c]) + bias [O] (or no bias: null), channels last;
     * cols [n·ho·wo, k·k·c] receives the patches (the weight gradient reads them again).
     */
    conv2d(out: Tensor, x: Tensor, W: Tensor, bias: Tensor | null, cols: Tensor, g: ConvGeometry): Tensor {
      const op = 'conv2d';
      geometry(op, g, ConvGeometry);
      isTensor(op, 'W', W);
      const O = W.shape.length === 2 && W.shape[1] === g.patch ? W.shape[0]! : -1;
      if (O < 1) throw new Error(`${op}: W is ${fmtShape(W.shape)}, expected [out channels, ${g.patch}] (k·k·c for ${g})`);
      const n = batchOf(op, 'x', x, g.inSize);
      batchOf(op, 'out', out, g.positions * O, n);
      shapeIs(op, 'cols', cols, n * g.positions, g.patch);
      if (bias !== null) shapeIs(op, 'bias', bias, 1, O);
      disjoint(op, 'out', out, 'x', x, true);
      disjoint(op, 'out', out, 'W', W, true);
      disjoint(op, 'out', out, 'cols', cols, true);
      if (bias !== null) disjoint(op, 'out', out, 'bias', bias, true);
      disjoint(op, 'cols', cols, 'x', x, true);
      const m = n * g.positions, kern = this.kernels;
      kern.f32_im2col(n, g.h, g.w, g.c, g.k, g.stride, g.pad, g.ho, g.wo, x.ptr, cols.ptr);
      kern.f32_gemm_nt(m, O, g.patch, 1, 0, cols.ptr, W.ptr, out.ptr);
      if (bias !== null) kern.f32_add_row(m, O, bias.ptr, out.ptr);
      return out;
    }

    /**
     * dx [n, h·w·c] = the gradient reaching the input when delta [n, ho·wo·O] is sent back through the
     * kernel F [O, k·k·c]: dcols = delta · F, then col2im. dcols [n·ho·wo, k·k·c] is scratch.
     */
    conv2dInputGrad(dx: Tensor, delta: Tensor, F: Tensor, dcols: Tensor, g: ConvGeometry): Tensor {
      const op = 'conv2dInputGrad';
      geometry(op, g, ConvGeometry);
      isTensor(op, 'F', F);
      const O = F.shape.length === 2 && F.shape[1] === g.patch ? F.shape[0]! : -1;
      if (O < 1) throw new Error(`${op}: F is ${fmtShape(F.shape)}, expected [out channels, ${g.patch}] (k·k·c for ${g})`);
      const n = batchOf(op, 'delta', delta, g.positions * O);
      batchOf(op, 'dx', dx, g.inSize, n);
      shapeIs(op, 'dcols', dcols, n * g.positions, g.patch);
      disjoint(op, 'dcols', dcols, 'delta', delta, true);
      disjoint(op, 'dcols', dcols, 'F', F, true);
      disjoint(op, 'dcols', dcols, 'dx', dx, true);
      disjoint(op, 'dx', dx, 'delta', delta, true);
      const m = n * g.positions, kern = this.kernels;
      kern.f32_gemm_nn(m, g.patch, O, 1, 0, delta.ptr, F.ptr, dcols.ptr);
      kern.f32_col2im(n, g.h, g.w, g.c, g.k, g.stride, g.pad, g.ho, g.wo, dcols.ptr, dx.ptr);
      return dx;
    }

    /**
     * dW [O, k·k·c] = alpha·deltaᵀ · cols + beta·dW over delta [n, ho·wo·O] and the patches cols
     * [n·ho·wo, k·k·c] of the forward pass; db [O] (or null) = alpha·(sum of delta over examples and
     * positions) + beta·db. beta = 0 never reads dW, db.
     */
    conv2dWeightGrad(dW: Tensor, db: Tensor | null, delta: Tensor, cols: Tensor, g: ConvGeometry, alpha = 1, beta = 0): Tensor {
      const op = 'conv2dWeightGrad';
      geometry(op, g, ConvGeometry);
      isTensor(op, 'dW', dW);
      const O = dW.shape.length === 2 && dW.shape[1] === g.patch ? dW.shape[0]! : -1;
      if (O < 1) throw new Error(`${op}: dW is ${fmtShape(dW.shape)}, expected [out channels, ${g.patch}] (k·k·c for ${g})`);
      finite(op, 'alpha', alpha);
      finite(op, 'beta', beta);
      const n = batchOf(op, 'delta', delta, g.positions * O);
      shapeIs(op, 'cols', cols, n * g.positions, g.patch);
      if (db !== null) shapeIs(op, 'db', db, 1, O);
      disjoint(op, 'dW', dW, 'delta', delta, true);
      disjoint(op, 'dW', dW, 'cols', cols, true);
      if (db !== null) disjoint(op, 'dW', dW, 'db', db, true);
      if (db !== null) disjoint(op, 'db', db, 'delta', delta, true);
      const m = n * g.positions, kern = this.kernels;
      kern.f32_gemm_tn(O, g.patch, m, alpha, beta, delta.ptr, cols.ptr, dW.ptr);
      if (db !== null) kern.f32_sum_rows(m, O, alpha, beta, delta.ptr, db.ptr);
      return dW;
    }

    /**
     * Event-driven convolution: out [n, ho·wo·O] = conv(x [n, h·w·c], W) without bias, from wt = Wᵀ
     * [k·k·c, O], each nonzero input adding its kernel-sized patch (f32_event_conv). Bit-identical to
     * conv2d(out, x, W, null, …) when k·k·c <= 256 (the GEMM's K block); beyond, the same terms in one
     * running sum. Returns the number of nonzero inputs.
     */
    eventConv2d(out: Tensor, x: Tensor, wt: Tensor, g: ConvGeometry): number {
      const op = 'eventConv2d';
      geometry(op, g, ConvGeometry);
      isTensor(op, 'wt', wt);
      const O = wt.shape.length === 2 && wt.shape[0] === g.patch ? wt.shape[1]! : -1;
      if (O < 1) throw new Error(`${op}: wt is ${fmtShape(wt.shape)}, expected [${g.patch}, out channels] (k·k·c for ${g}, the transposed kernel)`);
      const n = batchOf(op, 'x', x, g.inSize);
      batchOf(op, 'out', out, g.positions * O, n);
      disjoint(op, 'out', out, 'x', x, true);
      disjoint(op, 'out', out, 'wt', wt, true);
      return this.kernels.f32_event_conv(n, g.h, g.w, g.c, g.k, g.stride, g.pad, g.ho, g.wo, O, x.ptr, wt.ptr, out.ptr);
    }

    /** out [n, ho·wo·c] = the max of each window of x [n, h·w·c]; arg (≥ n·ho·wo·c entries) its index in the row. */
    maxPool(out: Tensor, arg: IntBuffer<'i32'>, x: Tensor, g: PoolGeometry): Tensor {
      const op = 'maxPool';
      geometry(op, g, PoolGeometry);
      const n = batchOf(op, 'x', x, g.inSize);
      batchOf(op, 'out', out, g.outSize, n);
      indexBuffer(op, 'arg', arg, n * g.outSize);
      disjoint(op, 'out', out, 'x', x, true);
      this.kernels.f32_maxpool(n, g.h, g.w, g.c, g.k, g.stride, g.ho, g.wo, x.ptr, out.ptr, arg.ptr);
      return out;
    }

    /** dx [n, h·w·c] = grad [n, ho·wo·c] routed to the arg-max of each window (from maxPool's arg). */
    maxPoolBackward(dx: Tensor, grad: Tensor, arg: IntBuffer<'i32'>, g: PoolGeometry): Tensor {
      const op = 'maxPoolBackward';
      geometry(op, g, PoolGeometry);
      const n = batchOf(op, 'grad', grad, g.outSize);
      batchOf(op, 'dx', dx, g.inSize, n);
      indexBuffer(op, 'arg', arg, n * g.outSize);
      disjoint(op, 'dx', dx, 'grad', grad, true);
      this.kernels.f32_maxpool_bwd(n, g.inSize, g.outSize, grad.ptr, arg.ptr, dx.ptr);
      return dx;
    }

    /** out [n, ho·wo·c] = the mean of each window of x [n, h·w·c]. */
    avgPool(out: Tensor, x: Tensor, g: PoolGeometry): Tensor {
      const op = 'avgPool';
      geometry(op, g, PoolGeometry);
      const n = batchOf(op, 'x', x, g.inSize);
      batchOf(op, 'out', out, g.outSize, n);
      disjoint(op, 'out', out, 'x', x, true);
      this.kernels.f32_avgpool(n, g.h, g.w, g.c, g.k, g.stride, g.ho, g.wo, x.ptr, out.ptr);
      return out;
    }

    /** dx [n, h·w·c] = grad [n, ho·wo·c] spread evenly over each window (summed where windows overlap). */
    avgPoolBackward(dx: Tensor, grad: Tensor, g: PoolGeometry): Tensor {
      const op = 'avgPoolBackward';
      geometry(op, g, PoolGeometry);
      const n = batchOf(op, 'grad', grad, g.outSize);
      batchOf(op, 'dx', dx, g.inSize, n);
      disjoint(op, 'dx', dx, 'grad', grad, true);
      this.kernels.f32_avgpool_bwd(n, g.h, g.w, g.c, g.k, g.stride, g.ho, g.wo, grad.ptr, dx.ptr);
      return dx;
    }

    /** out [n, times·cols] = each row of x [n, cols] repeated `times` times along the row. */
    repeatCols(out: Tensor, x: Tensor, times: number): Tensor {
      const op = 'repeatCols';
      integer(op, 'times', times, 1);
      isTensor(op, 'x', x);
      const n = x.shape.length >= 2 ? x.shape[0]! : 1, cols = x.size / Math.max(n, 1);
      batchOf(op, 'out', out, times * cols, n);
      disjoint(op, 'out', out, 'x', x, true);
      this.kernels.f32_repeat_cols(n, cols, times, x.ptr, out.ptr);
      return out;
    }
  }
  return ConvOps;
}
