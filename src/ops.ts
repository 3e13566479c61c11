// Out-first, shape-checked wrappers over the raw kernels: the public kernel API. Sizes come from the
// tensors' shapes; every check runs before any kernel, and errors name the op and the shapes.
import type { Kernels } from './wasm/kernels.js';
import { Heap, type Shape } from './heap.js';
import type { Tensor } from './tensor.js';
import { finite, sizeIs, isTensor, matrix, fmtShape } from './check.js';
import { Int32Buffer } from './int32.js';
import { ACTIVATIONS, resolveActParams, type ActName, type ActParams } from './activations.js';

/** Throws unless `a` and `b` are different tensors (for outputs that must not alias an input). */
function distinct(op: string, an: string, a: Tensor, bn: string, b: Tensor): void {
  if (a === b) throw new Error(`${op}: ${an} and ${bn} must be different tensors (they may not alias)`);
}

/** Throws unless `v` is a number that is not NaN (±Infinity allowed: clip bounds). */
function notNaN(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${op}: ${name} must be a number (not NaN), got ${typeof v === 'number' ? v : typeof v}`);
  return v;
}

export class Backend {
  readonly heap: Heap;

  constructor(readonly kernels: Kernels) {
    this.heap = new Heap(kernels);
  }

  /** A zero-filled float32 tensor, or a copy of `values` when given. */
  tensor(shape: Shape, values?: ArrayLike<number>): Tensor {
    return values === undefined ? this.heap.f32(shape) : this.heap.from(shape, values);
  }

  /** y += alpha * x (same number of elements; y may be x). */
  axpy(y: Tensor, alpha: number, x: Tensor): Tensor {
    isTensor('axpy', 'y', y);
    sizeIs('axpy', 'x', x, y.size);
    finite('axpy', 'alpha', alpha);
    this.kernels.f32_axpy(y.size, alpha, x.ptr, y.ptr);
    return y;
  }

  // ---- level 1 (assembly/kernels/blas1.ts) --------------------------------------------------------

  /** x *= alpha, in place. */
  scal(x: Tensor, alpha: number): Tensor {
    isTensor('scal', 'x', x);
    finite('scal', 'alpha', alpha);
    this.kernels.f32_scal(x.size, alpha, x.ptr);
    return x;
  }

  /** out = x (same number of elements; out may be x). */
  copy(out: Tensor, x: Tensor): Tensor {
    isTensor('copy', 'out', out);
    sizeIs('copy', 'x', x, out.size);
    this.kernels.f32_copy(out.size, x.ptr, out.ptr);
    return out;
  }

  /** x[:] = value. */
  fill(x: Tensor, value: number): Tensor {
    isTensor('fill', 'x', x);
    notNaN('fill', 'value', value);
    this.kernels.f32_fill(x.size, value, x.ptr);
    return x;
  }

  /** Σ x·y over all elements (f32 accumulation; see assembly/kernels/blas1.ts for the order). */
  dot(x: Tensor, y: Tensor): number {
    isTensor('dot', 'x', x);
    sizeIs('dot', 'y', y, x.size);
    return this.kernels.f32_dot(x.size, x.ptr, y.ptr);
  }

  /** Σ x² over all elements. */
  sumsq(x: Tensor): number {
    isTensor('sumsq', 'x', x);
    return this.kernels.f32_sumsq(x.size, x.ptr);
  }

  /** The number of NaN or ±Inf elements of x (divergence check). */
  nonFinite(x: Tensor): number {
    isTensor('nonFinite', 'x', x);
    return this.kernels.f32_nonfinite(x.size, x.ptr);
  }

  /** y = alpha·x + beta·y (same number of elements; y may be x). */
  axpby(y: Tensor, alpha: number, x: Tensor, beta: number): Tensor {
    isTensor('axpby', 'y', y);
    sizeIs('axpby', 'x', x, y.size);
    finite('axpby', 'alpha', alpha);
    finite('axpby', 'beta', beta);
    this.kernels.f32_axpby(y.size, alpha, x.ptr, beta, y.ptr);
    return y;
  }

  /** out[j] = alpha·Σ_i x[i, j] + beta·out[j] (column sums of x [m, n] into out [n]; beta = 0 ignores
   *  out's old contents). Defaults alpha = 1, beta = 0. */
  sumRows(out: Tensor, x: Tensor, opts: { alpha?: number; beta?: number } = {}): Tensor {
    const [m, n] = matrix('sumRows', 'x', x, true);
    sizeIs('sumRows', 'out', out, n);
    distinct('sumRows', 'out', out, 'x', x);
    const alpha = finite('sumRows', 'alpha', opts.alpha ?? 1);
    const beta = finite('sumRows', 'beta', opts.beta ?? 0);
    this.kernels.f32_sum_rows(m, n, alpha, beta, x.ptr, out.ptr);
    return out;
  }

  /** x[i, :] += bias for every row of x [m, n]; bias has n elements. */
  addRow(x: Tensor, bias: Tensor): Tensor {
    const [m, n] = matrix('addRow', 'x', x, true);
    sizeIs('addRow', 'bias', bias, n);
    distinct('addRow', 'x', x, 'bias', bias);
    this.kernels.f32_add_row(m, n, bias.ptr, x.ptr);
    return x;
  }

  /** a += alpha·x·yᵀ for a [m, n], x with m and y with n elements. */
  ger(a: Tensor, alpha: number, x: Tensor, y: Tensor): Tensor {
    const [m, n] = matrix('ger', 'a', a);
    sizeIs('ger', 'x', x, m);
    sizeIs('ger', 'y', y, n);
    distinct('ger', 'a', a, 'x', x);
    distinct('ger', 'a', a, 'y', y);
    finite('ger', 'alpha', alpha);
    this.kernels.f32_ger(m, n, alpha, x.ptr, y.ptr, a.ptr);
    return a;
  }

  // ---- element-wise (assembly/kernels/elementwise.ts); out may be x and/or y ----------------------

  /** out = x + y */
  add(out: Tensor, x: Tensor, y: Tensor): Tensor {
    this.sameSize3('add', out, x, y);
    this.kernels.f32_add(out.size, x.ptr, y.ptr, out.ptr);
    return out;
  }

  /** out = x − y */
  sub(out: Tensor, x: Tensor, y: Tensor): Tensor {
    this.sameSize3('sub', out, x, y);
    this.kernels.f32_sub(out.size, x.ptr, y.ptr, out.ptr);
    return out;
  }

  /** out = x ⊙ y (Hadamard) */
  mul(out: Tensor, x: Tensor, y: Tensor): Tensor {
    this.sameSize3('mul', out, x, y);
    this.kernels.f32_mul(out.size, x.ptr, y.ptr, out.ptr);
    return out;
  }

  /** out = alpha·x + beta·y */
  scaleAdd(out: Tensor, alpha: number, x: Tensor, beta: number, y: Tensor): Tensor {
    this.sameSize3('scaleAdd', out, x, y);
    finite('scaleAdd', 'alpha', alpha);
    finite('scaleAdd', 'beta', beta);
    this.kernels.f32_scale_add(out.size, alpha, x.ptr, beta, y.ptr, out.ptr);
    return out;
  }

  /** out = clamp(x, lo, hi) (lo <= hi; ±Infinity allowed; NaN elements pass through). */
  clip(out: Tensor, x: Tensor, lo: number, hi: number): Tensor {
    isTensor('clip', 'out', out);
    sizeIs('clip', 'x', x, out.size);
    notNaN('clip', 'lo', lo);
    notNaN('clip', 'hi', hi);
    if (!(lo <= hi)) throw new RangeError(`clip: lo (${lo}) must be <= hi (${hi})`);
    this.kernels.f32_clip(out.size, lo, hi, x.ptr, out.ptr);
    return out;
  }

  /** out = s·sign(x) (sign(0) = 0; NaN passes through). */
  signScale(out: Tensor, x: Tensor, s: number): Tensor {
    isTensor('signScale', 'out', out);
    sizeIs('signScale', 'x', x, out.size);
    finite('signScale', 's', s);
    this.kernels.f32_sign_scale(out.size, s, x.ptr, out.ptr);
    return out;
  }

  // ---- activations (assembly/kernels/act.ts, registry src/activations.ts) -------------------------

  /**
   * post = f(a) and, when `deriv` is given, deriv = f'(a), for the activation `name` with its default
   * parameters overridden by `params`. post may be a; deriv must be a third tensor.
   */
  act<N extends ActName>(name: N, post: Tensor, a: Tensor, deriv?: Tensor | null, params?: Partial<ActParams<N>>): Tensor {
    const [p0, p1, p2] = resolveActParams('act', name, params as Record<string, unknown> | undefined);
    isTensor('act', 'post', post);
    sizeIs('act', 'a', a, post.size);
    if (deriv !== undefined && deriv !== null) {
      sizeIs('act', 'deriv', deriv, post.size);
      distinct('act', 'deriv', deriv, 'a', a);
      distinct('act', 'deriv', deriv, 'post', post);
    }
    this.kernels[ACTIVATIONS[name].kernel](post.size, p0, p1, p2, a.ptr, post.ptr, deriv ? deriv.ptr : 0);
    return post;
  }

  // ---- losses (assembly/kernels/loss.ts); rows are examples ---------------------------------------

  /** Softmax cross-entropy over logits [m, n] and target [m, n]: writes probs and grad = probs − target,
   *  returns the loss summed over the batch. probs may be logits; grad may be target. */
  softmaxXent(probs: Tensor, grad: Tensor, logits: Tensor, target: Tensor): number {
    const [m, n] = matrix('softmaxXent', 'logits', logits, true);
    if (n < 1) throw new Error(`softmaxXent: logits ${fmtShape(logits.shape)} needs at least one column`);
    this.sameShape2('softmaxXent', 'target', target, logits);
    this.sameShape2('softmaxXent', 'probs', probs, logits);
    this.sameShape2('softmaxXent', 'grad', grad, logits);
    distinct('softmaxXent', 'probs', probs, 'grad', grad);
    distinct('softmaxXent', 'probs', probs, 'target', target);
    distinct('softmaxXent', 'grad', grad, 'logits', logits);
    return this.kernels.f32_softmax_xent(m, n, logits.ptr, target.ptr, probs.ptr, grad.ptr);
  }

  /** Squared error: grad = y − target, returns 0.5·Σ (y − target)² (sum over the batch). */
  mse(grad: Tensor, y: Tensor, target: Tensor): number {
    const [m, n] = matrix('mse', 'y', y, true);
    this.sameShape2('mse', 'target', target, y);
    this.sameShape2('mse', 'grad', grad, y);
    return this.kernels.f32_mse(m, n, y.ptr, target.ptr, grad.ptr);
  }

  /** A new zero-filled i32 buffer of `length` elements in WASM memory (for argmaxRows). */
  int32(length: number): Int32Buffer {
    return new Int32Buffer(this.heap, length);
  }

  /** out[i] = the column of the first maximum of row i of x [m, n]; out is an Int32Buffer of length m. */
  argmaxRows(out: Int32Buffer, x: Tensor): Int32Buffer {
    const [m, n] = matrix('argmaxRows', 'x', x, true);
    if (n < 1) throw new Error(`argmaxRows: x ${fmtShape(x.shape)} needs at least one column`);
    if (!(out instanceof Int32Buffer)) throw new TypeError(`argmaxRows: out must be an Int32Buffer (lib.int32(${m})), got ${out === null ? 'null' : typeof out === 'object' ? (out as object).constructor.name : typeof out}`);
    if (out.disposed) throw new Error(`argmaxRows: out ${out} was disposed`);
    if (out.length !== m) throw new Error(`argmaxRows: out has length ${out.length}, expected ${m} (one per row of x ${fmtShape(x.shape)})`);
    this.kernels.f32_argmax_rows(m, n, x.ptr, out.ptr);
    return out;
  }

  /** The number of rows where argmax(x) == argmax(target) (first max wins; one-hot or soft targets). */
  countCorrect(x: Tensor, target: Tensor): number {
    const [m, n] = matrix('countCorrect', 'x', x, true);
    if (n < 1) throw new Error(`countCorrect: x ${fmtShape(x.shape)} needs at least one column`);
    this.sameShape2('countCorrect', 'target', target, x);
    return this.kernels.f32_count_correct(m, n, x.ptr, target.ptr);
  }

  private sameSize3(op: string, out: Tensor, x: Tensor, y: Tensor): void {
    isTensor(op, 'out', out);
    sizeIs(op, 'x', x, out.size);
    sizeIs(op, 'y', y, out.size);
  }

  /** t must have the same rows × cols as ref (a vector [n] counts as [1, n]). */
  private sameShape2(op: string, name: string, t: Tensor, ref: Tensor): void {
    const [m, n] = matrix(op, name, t, true);
    if (m !== ref.rows || n !== ref.cols) throw new Error(`${op}: ${name} is ${fmtShape(t.shape)}, expected ${fmtShape(ref.shape)}`);
  }
}
