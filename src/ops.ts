// Out-first, shape-checked wrappers over the raw kernels: the public kernel API. Sizes come from the
// tensors' shapes; every check runs before any kernel, and errors name the op and the shapes.
import type { Kernels, InverseKernels } from './wasm/kernels.js';
import { Heap } from './core/heap.js';
import type { Tensor, Shape } from './core/tensor.js';
import { finite, sizeIs, isTensor, matrix, fmtShape, integer } from './core/check.js';
import { WasmRng } from './wasm/rng.js';
import { IntBuffer, type IntKind } from './core/intbuf.js';
import { ACTIVATIONS, resolveActParams, type ActName, type ActParams } from './activations.js';

/** Parameters of one LIF step (f32_lif_step); decay = exp(-dt / tauMem) is the caller's. */
export interface LifParams {
  /** Membrane decay per step, in [0, 1] (1 = no leak). */
  decay: number;
  /** Threshold (default 1). */
  vTh?: number;
  /** Reset value for resetMode 'reset' and the held value while refractory (default 0). */
  vReset?: number;
  /** 'reset': v = vReset after a spike (default); 'subtract': v -= vTh. */
  resetMode?: 'reset' | 'subtract';
  /** Steps held at vReset after a spike (integer >= 0, default 0). */
  refSteps?: number;
  /** SuperSpike surrogate steepness k in 1 / (1 + k|v - vTh|)^2 (>= 0, default 10). */
  surrogate?: number;
  /** Surrogate shape written to deriv (default 'super'; see SURROGATES). */
  surrogateShape?: SurrogateShape;
}

/** Surrogate derivatives of the spike (assembly/ops/spike_*.ts), u = v − vTh, k = steepness:
 *  super 1/(1 + k|u|)² (SuperSpike fast sigmoid), triangle max(0, 1 − k|u|), exp exp(−k|u|). */
export type SurrogateShape = 'super' | 'triangle' | 'exp';
export const SURROGATES: readonly SurrogateShape[] = ['super', 'triangle', 'exp'];

/** Adaptive LIF: LifParams plus the threshold adaptation (threshold vTh + beta·adapt, adapt ← rho·adapt + s). */
export interface AlifParams extends LifParams {
  /** Adaptation decay per step, exp(−dt / tauAdapt), in [0, 1]. */
  rho: number;
  /** Threshold increment per unit of adaptation (>= 0). */
  beta: number;
}

/** Buffers of one LIF step, all with the same number of elements (batch x neurons). */
export interface LifBuffers {
  input: Tensor;
  v: Tensor;
  refrac: Tensor;
  spikes: Tensor;
  deriv?: Tensor;
}


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
  /**
   * out = alpha·op(a)·op(b) + beta·out (defaults alpha = 1, beta = 0: out is overwritten, never read).
   * a is [m, k] ([k, m] with transA), b is [k, n] ([n, k] with transB), out is [m, n]. out must be a
   * different tensor from a and b. Transposes are handled by packing inside the kernel, at full speed.
   */
  gemm(out: Tensor, a: Tensor, b: Tensor, opts: GemmOptions = {}): Tensor {
    if (typeof opts !== 'object' || opts === null) throw new TypeError(`gemm: opts must be an object, got ${opts === null ? 'null' : typeof opts}`);
    const transA = flag('transA', opts.transA), transB = flag('transB', opts.transB);
    const alpha = finite('gemm', 'alpha', opts.alpha ?? 1);
    const beta = finite('gemm', 'beta', opts.beta ?? 0);
    const [a0, a1] = matrix('gemm', 'a', a);
    const [b0, b1] = matrix('gemm', 'b', b);
    const [o0, o1] = matrix('gemm', 'out', out);
    const [m, k] = transA ? [a1, a0] : [a0, a1];
    if (transB ? b1 !== k : b0 !== k) {
      const want = transB ? `[*, ${k}]` : `[${k}, *]`;
      throw new Error(`gemm: b is ${fmtShape(b.shape)}, expected ${want} (k = ${k}${transB ? ', b is used transposed' : ''})`);
    }
    const n = transB ? b0 : b1;
    if (o0 !== m || o1 !== n) {
      throw new Error(`gemm: out is ${fmtShape(out.shape)}, expected [${m}, ${n}] (m = ${m} from a${transA ? 'ᵀ' : ''}, n = ${n} from b${transB ? 'ᵀ' : ''})`);
    }
    if (out === a || out.ptr === a.ptr) throw new Error('gemm: out must not be the same tensor as a (the kernel writes out while it reads a)');
    if (out === b || out.ptr === b.ptr) throw new Error('gemm: out must not be the same tensor as b (the kernel writes out while it reads b)');
    const kern = this.kernels;
    if (transA) {
      if (transB) kern.f32_gemm_tt(m, n, k, alpha, beta, a.ptr, b.ptr, out.ptr);
      else kern.f32_gemm_tn(m, n, k, alpha, beta, a.ptr, b.ptr, out.ptr);
    } else if (transB) kern.f32_gemm_nt(m, n, k, alpha, beta, a.ptr, b.ptr, out.ptr);
    else kern.f32_gemm_nn(m, n, k, alpha, beta, a.ptr, b.ptr, out.ptr);
    return out;
  }

  /** A seeded random stream with its state in WASM memory (same stream as `new Rng(seed)`); dispose() it. */
  rng(seed: number): WasmRng {
    return new WasmRng(this.kernels, this.heap, seed);
  }

  /** A zero-filled integer buffer in WASM memory ('i32' indices, 'u8' labels), or a copy of `values`. */
  ints<K extends IntKind>(kind: K, lengthOrValues: number | ArrayLike<number>): IntBuffer<K> {
    if (typeof lengthOrValues === 'number') return IntBuffer.alloc(this.heap, kind, lengthOrValues);
    const b = IntBuffer.alloc(this.heap, kind, lengthOrValues.length);
    try {
      return b.set(lengthOrValues);
    } catch (e) {
      b.dispose();
      throw e;
    }
  }

  /**
   * One LIF step in place (see f32_lif_step): v = decay·v + input, spike where v >= vTh, surrogate
   * deriv from the membrane before the reset, reset, refractory hold. Returns the number of spikes.
   */
  lifStep(b: LifBuffers, p: LifParams): number {
    const op = 'lifStep';
    if (typeof b !== 'object' || b === null) throw new TypeError(`${op}: buffers must be an object { input, v, refrac, spikes, deriv? }, got ${b === null ? 'null' : typeof b}`);
    if (typeof p !== 'object' || p === null) throw new TypeError(`${op}: params must be an object { decay, … }, got ${p === null ? 'null' : typeof p}`);
    isTensor(op, 'v', b.v);
    const q = this.lifChecks(op, b, p);
    const shape = p.surrogateShape ?? 'super';
    if (!SURROGATES.includes(shape)) throw new TypeError(`${op}: surrogateShape must be one of ${SURROGATES.join(', ')}, got ${String(shape)}`);
    const fn = shape === 'super' ? this.kernels.f32_lif_step : shape === 'triangle' ? this.kernels.f32_lif_step_triangle : this.kernels.f32_lif_step_exp;
    return fn(b.v.size, q.decay, q.vTh, q.vReset, q.mode, q.refSteps, q.k,
      b.input.ptr, b.v.ptr, b.refrac.ptr, b.spikes.ptr, b.deriv === undefined ? 0 : b.deriv.ptr);
  }

  /**
   * One adaptive-LIF step in place (f32_alif_step): as lifStep with the threshold vTh + beta·adapt per
   * neuron, then adapt = rho·adapt + spike. Returns the number of spikes.
   */
  alifStep(b: LifBuffers & { adapt: Tensor }, p: AlifParams): number {
    const op = 'alifStep';
    if (typeof b !== 'object' || b === null) throw new TypeError(`${op}: buffers must be an object { input, v, refrac, adapt, spikes, deriv? }, got ${b === null ? 'null' : typeof b}`);
    if (typeof p !== 'object' || p === null) throw new TypeError(`${op}: params must be an object { decay, rho, beta, … }, got ${p === null ? 'null' : typeof p}`);
    isTensor(op, 'v', b.v);
    sizeIs(op, 'adapt', b.adapt, b.v.size);
    for (const t of [b.v, b.refrac, b.spikes, b.deriv, b.input]) if (t === b.adapt) throw new Error(`${op}: adapt must be a tensor of its own`);
    const rho = finite(op, 'rho', p.rho);
    if (rho < 0 || rho > 1) throw new RangeError(`${op}: rho must be in [0, 1], got ${rho}`);
    const beta = finite(op, 'beta', p.beta);
    if (beta < 0) throw new RangeError(`${op}: beta must be >= 0, got ${beta}`);
    const shape = p.surrogateShape ?? 'super';
    if (!SURROGATES.includes(shape)) throw new TypeError(`${op}: surrogateShape must be one of ${SURROGATES.join(', ')}, got ${String(shape)}`);
    const q = this.lifChecks(op, b, p);
    return this.kernels.f32_alif_step(b.v.size, q.decay, q.vTh, q.vReset, q.mode, q.refSteps, q.k, rho, beta, SURROGATES.indexOf(shape),
      b.input.ptr, b.v.ptr, b.refrac.ptr, b.adapt.ptr, b.spikes.ptr, b.deriv === undefined ? 0 : b.deriv.ptr);
  }

  private lifChecks(op: string, b: LifBuffers, p: LifParams) {
    const n = b.v.size;
    sizeIs(op, 'input', b.input, n);
    sizeIs(op, 'refrac', b.refrac, n);
    sizeIs(op, 'spikes', b.spikes, n);
    if (b.deriv !== undefined) sizeIs(op, 'deriv', b.deriv, n);
    const outs: [string, Tensor | undefined][] = [['v', b.v], ['refrac', b.refrac], ['spikes', b.spikes], ['deriv', b.deriv]];
    for (let i = 0; i < outs.length; i++) {
      for (let j = i + 1; j < outs.length; j++) {
        if (outs[i]![1] !== undefined && outs[i]![1] === outs[j]![1]) throw new Error(`${op}: ${outs[i]![0]} and ${outs[j]![0]} are the same tensor; they must be distinct`);
      }
    }
    if (b.input === b.v || b.input === b.refrac) throw new Error(`${op}: input must not be v or refrac`);
    const decay = finite(op, 'decay', p.decay);
    if (decay < 0 || decay > 1) throw new RangeError(`${op}: decay must be in [0, 1], got ${decay}`);
    const vTh = finite(op, 'vTh', p.vTh ?? 1);
    const vReset = finite(op, 'vReset', p.vReset ?? 0);
    const mode = p.resetMode ?? 'reset';
    if (mode !== 'reset' && mode !== 'subtract') throw new TypeError(`${op}: resetMode must be 'reset' or 'subtract', got ${String(mode)}`);
    const refSteps = integer(op, 'refSteps', p.refSteps ?? 0, 0, 2 ** 24);
    const k = finite(op, 'surrogate', p.surrogate ?? 10);
    if (k < 0) throw new RangeError(`${op}: surrogate must be >= 0, got ${k}`);
    return { decay, vTh, vReset, mode: mode === 'subtract' ? 1 : 0, refSteps, k };
  }

  /**
   * Event-driven propagation: out[m, n] = s[m, k] · wt[k, n] adding only the rows of wt whose input is
   * nonzero (f32_event_nn; bit-identical to gemm(out, s, wt) and to gemm(out, s, W, {transB}) with
   * W = wtᵀ). tmp is an [n] scratch tensor. Returns the number of nonzero inputs visited.
   */
  eventMatmul(out: Tensor, s: Tensor, wt: Tensor, tmp: Tensor): number {
    const op = 'eventMatmul';
    const [m, k] = matrix(op, 's', s);
    const [k2, n] = matrix(op, 'wt', wt);
    if (k2 !== k) throw new Error(`${op}: wt is ${fmtShape(wt.shape)}, expected [${k}, *] (k = ${k} from s)`);
    const [o0, o1] = matrix(op, 'out', out);
    if (o0 !== m || o1 !== n) throw new Error(`${op}: out is ${fmtShape(out.shape)}, expected [${m}, ${n}]`);
    sizeIs(op, 'tmp', tmp, n);
    for (const [name, t] of [['s', s], ['wt', wt], ['tmp', tmp]] as const) if (t === out) throw new Error(`${op}: out must not be ${name}`);
    if (tmp === s || tmp === wt) throw new Error(`${op}: tmp must be a tensor of its own`);
    return this.kernels.f32_event_nn(m, n, k, s.ptr, wt.ptr, tmp.ptr, out.ptr);
  }

  /** out[n, m] = aᵀ for a [m, n]; out must not be a. */
  transpose(out: Tensor, a: Tensor): Tensor {
    const [m, n] = matrix('transpose', 'a', a);
    const [o0, o1] = matrix('transpose', 'out', out);
    if (o0 !== n || o1 !== m) throw new Error(`transpose: out is ${fmtShape(out.shape)}, expected [${n}, ${m}]`);
    if (out === a) throw new Error('transpose: out must not be a');
    this.kernels.f32_transpose(m, n, a.ptr, out.ptr);
    return out;
  }

  /** post = [a >= vTh], deriv = surrogate(a − vTh) with steepness k (rate-side use of the spike op classes). */
  spike(post: Tensor, deriv: Tensor | null, a: Tensor, shape: SurrogateShape = 'super', k = 10, vTh = 1): Tensor {
    const op = 'spike';
    isTensor(op, 'a', a);
    sizeIs(op, 'post', post, a.size);
    if (deriv !== null) { sizeIs(op, 'deriv', deriv, a.size); if (deriv === a || deriv === post) throw new Error(`${op}: deriv must not be a or post`); }
    if (!SURROGATES.includes(shape)) throw new TypeError(`${op}: shape must be one of ${SURROGATES.join(', ')}, got ${String(shape)}`);
    finite(op, 'k', k); finite(op, 'vTh', vTh);
    const fn = shape === 'super' ? this.kernels.f32_spike_super_fwd : shape === 'triangle' ? this.kernels.f32_spike_triangle_fwd : this.kernels.f32_spike_exp_fwd;
    fn(a.size, k, vTh, 0, a.ptr, post.ptr, deriv === null ? 0 : deriv.ptr);
    return post;
  }

  /** x = lambda·x + s (same number of elements; s may be x). */
  traceStep(x: Tensor, s: Tensor, lambda: number): Tensor {
    isTensor('traceStep', 'x', x);
    sizeIs('traceStep', 's', s, x.size);
    finite('traceStep', 'lambda', lambda);
    this.kernels.f32_trace_step(x.size, lambda, s.ptr, x.ptr);
    return x;
  }

  /**
   * out[r, :] = src[idx[offset + r], :] for r < out.rows. src and out have at least 2 dimensions and
   * the same row length (product of all but the first dimension). Every index is checked first.
   */
  gatherRows(out: Tensor, src: Tensor, idx: IntBuffer<'i32'>, offset = 0): Tensor {
    const op = 'gatherRows';
    rows2(op, 'out', out);
    rows2(op, 'src', src);
    if (src.cols !== out.cols) throw new Error(`${op}: src ${fmtShape(src.shape)} has rows of ${src.cols}, out ${fmtShape(out.shape)} has rows of ${out.cols}`);
    if (src === out) throw new Error(`${op}: out must not be src`);
    const count = out.rows;
    const data = indexWindow(op, idx, offset, count);
    const rows = src.rows;
    for (let r = 0; r < count; r++) {
      const j = data[offset + r]!;
      if (j < 0 || j >= rows) throw new RangeError(`${op}: idx[${offset + r}] = ${j} is out of range for src ${fmtShape(src.shape)} (expected 0 <= index < ${rows})`);
    }
    this.kernels.f32_gather_rows(count, out.cols, src.ptr, idx.ptr + 4 * offset, out.ptr);
    return out;
  }

  /**
   * out[r, c] = (c == labels[idx[offset + r]]) ? 1 : 0 for out [count, classes]. Every index and label
   * is checked first.
   */
  onehot(out: Tensor, labels: IntBuffer<'u8'>, idx: IntBuffer<'i32'>, offset = 0): Tensor {
    const op = 'onehot';
    if (!(labels instanceof IntBuffer) || labels.kind !== 'u8') throw new TypeError(`${op}: labels must be an IntBuffer<'u8'>, got ${labels instanceof IntBuffer ? labels : typeof labels}`);
    if (labels.disposed) throw new Error(`${op}: labels ${labels} was disposed`);
    isTensor(op, 'out', out);
    if (out.shape.length !== 2) throw new Error(`${op}: out must be a 2-D tensor [count, classes], got shape ${fmtShape(out.shape)}`);
    const [count, classes] = [out.shape[0]!, out.shape[1]!];
    const data = indexWindow(op, idx, offset, count);
    const lab = labels.data;
    for (let r = 0; r < count; r++) {
      const j = data[offset + r]!;
      if (j < 0 || j >= labels.length) throw new RangeError(`${op}: idx[${offset + r}] = ${j} is out of range for labels of length ${labels.length}`);
      if (lab[j]! >= classes) throw new RangeError(`${op}: labels[${j}] = ${lab[j]} (via idx[${offset + r}]) is not a class of out ${fmtShape(out.shape)} (expected < ${classes})`);
    }
    this.kernels.f32_onehot(count, classes, labels.ptr, idx.ptr + 4 * offset, out.ptr);
    return out;
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

  // ---- settling (assembly/kernels/settle.ts) -------------------------------------------------------

  /**
   * One relaxation step, in place: s ← clamp((1−eps)·s + eps·x, lo, hi); returns max |Δs| (the
   * stopping test of a fixed-point iteration). eps in (0, 1]; lo <= hi (±Infinity: no clamp).
   */
  settleStep(s: Tensor, x: Tensor, eps: number, lo = -Infinity, hi = Infinity): number {
    isTensor('settleStep', 's', s);
    sizeIs('settleStep', 'x', x, s.size);
    finite('settleStep', 'eps', eps);
    if (!(eps > 0 && eps <= 1)) throw new RangeError(`settleStep: eps must be in (0, 1], got ${eps}`);
    notNaN('settleStep', 'lo', lo);
    notNaN('settleStep', 'hi', hi);
    if (!(lo <= hi)) throw new RangeError(`settleStep: lo (${lo}) must be <= hi (${hi})`);
    return this.kernels.f32_settle_step(s.size, eps, 1 - eps, lo, hi, x.ptr, s.ptr);
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

  // ---- inverse steps (assembly/kernels/inverse.ts) ------------------------------------------------

  /**
   * q = f⁻¹(h + d) − a elementwise for an invertible activation (INVERSE_KERNELS: linear, tanh,
   * leakyRelu), in a cancellation-free form: a is the pre-activation, h = f(a) the activity, d a change
   * of h (GAIT-prop's target step). All four tensors have the same number of elements; q may be a, h
   * and/or d. leakyRelu's slope (default 0.01, as `act`) must be > 0; tanh clamps q to ±atanh(1 − 1e-7).
   */
  inverseStep<N extends InvertibleName>(name: N, q: Tensor, a: Tensor, h: Tensor, d: Tensor, params?: Partial<ActParams<N>>): Tensor {
    const op = 'inverseStep';
    if (!Object.hasOwn(INVERSE_KERNELS, name)) {
      throw new Error(`${op}: '${String(name)}' has no inverse step (expected one of ${Object.keys(INVERSE_KERNELS).join(', ')})`);
    }
    const [slope] = resolveActParams(op, name, params as Record<string, unknown> | undefined);
    if (name === 'leakyRelu' && !(slope > 0)) throw new RangeError(`${op}: leakyRelu slope must be > 0 to be invertible, got ${slope}`);
    isTensor(op, 'q', q);
    sizeIs(op, 'a', a, q.size);
    sizeIs(op, 'h', h, q.size);
    sizeIs(op, 'd', d, q.size);
    this.kernels[INVERSE_KERNELS[name]](q.size, slope, a.ptr, h.ptr, d.ptr, q.ptr);
    return q;
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

  /** A new zero-filled i32 buffer of `length` elements in WASM memory (for argmaxRows): ints('i32', length). */
  int32(length: number): IntBuffer<'i32'> {
    return this.ints('i32', length);
  }

  /** out[i] = the column of the first maximum of row i of x [m, n]; out is an i32 IntBuffer of length m. */
  argmaxRows(out: IntBuffer<'i32'>, x: Tensor): IntBuffer<'i32'> {
    const [m, n] = matrix('argmaxRows', 'x', x, true);
    if (n < 1) throw new Error(`argmaxRows: x ${fmtShape(x.shape)} needs at least one column`);
    if (!(out instanceof IntBuffer) || out.kind !== 'i32') throw new TypeError(`argmaxRows: out must be an i32 IntBuffer (lib.int32(${m})), got ${out === null ? 'null' : typeof out === 'object' ? (out as object).constructor.name : typeof out}`);
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

/** The activations with an inverse-step kernel (f32_inverse_step_<op>, assembly/kernels/inverse.ts). */
export const INVERSE_KERNELS = {
  linear: 'f32_inverse_step_linear',
  tanh: 'f32_inverse_step_tanh',
  leakyRelu: 'f32_inverse_step_leaky_relu',
} as const satisfies Partial<Record<ActName, keyof InverseKernels>>;
export type InvertibleName = keyof typeof INVERSE_KERNELS;

/** Throws unless t is a live tensor of rank >= 2 (rows × cols). */
function rows2(op: string, name: string, t: unknown): asserts t is Tensor {
  isTensor(op, name, t);
  if (t.shape.length < 2) throw new Error(`${op}: ${name} must have at least 2 dimensions [rows, …], got shape ${fmtShape(t.shape)}`);
}

/** Checks idx is a live IntBuffer<'i32'> holding idx[offset .. offset + count) and returns its data. */
function indexWindow(op: string, idx: unknown, offset: number, count: number): Int32Array {
  if (!(idx instanceof IntBuffer) || idx.kind !== 'i32') throw new TypeError(`${op}: idx must be an IntBuffer<'i32'>, got ${idx instanceof IntBuffer ? String(idx) : typeof idx}`);
  if (idx.disposed) throw new Error(`${op}: idx ${idx} was disposed`);
  integer(op, 'offset', offset, 0);
  if (offset + count > idx.length) throw new RangeError(`${op}: idx ${idx} is too short: needs ${count} indices from offset ${offset} (up to ${offset + count})`);
  return idx.data as Int32Array;
}

/** Options of Backend.gemm. */
export interface GemmOptions {
  /** a is stored [k, m] and used as aᵀ. */
  transA?: boolean;
  /** b is stored [n, k] and used as bᵀ. */
  transB?: boolean;
  /** Scale of the product (finite; default 1). */
  alpha?: number;
  /** Scale of out's previous contents (finite; default 0, which never reads out). */
  beta?: number;
}

function flag(name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TypeError(`gemm: ${name} must be a boolean, got ${typeof v}`);
  return v;
}
