// Out-first, shape-checked wrappers over the raw kernels: the public kernel API. Sizes come from the
// tensors' shapes; every check runs before any kernel, and errors name the op and the shapes.
import type { Kernels } from './wasm/kernels.js';
import { Heap, type Shape } from './heap.js';
import type { Tensor } from './tensor.js';
import { finite, sizeIs, isTensor } from './check.js';
import { integer, fmtShape } from './check.js';
import { WasmRng } from './wasm-rng.js';
import { IntBuffer, type IntKind } from './intbuf.js';

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
}

/** Buffers of one LIF step, all with the same number of elements (batch x neurons). */
export interface LifBuffers {
  input: Tensor;
  v: Tensor;
  refrac: Tensor;
  spikes: Tensor;
  deriv?: Tensor;
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
    return this.kernels.f32_lif_step(n, decay, vTh, vReset, mode === 'subtract' ? 1 : 0, refSteps, k,
      b.input.ptr, b.v.ptr, b.refrac.ptr, b.spikes.ptr, b.deriv === undefined ? 0 : b.deriv.ptr);
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
}

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
