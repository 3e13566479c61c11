// Batch assembly (assembly/kernels/gather.ts): rows of a dataset picked by an index window.
import type { Tensor } from '../core/tensor.js';
import type { Ctor } from './core.js';
import { IntBuffer } from '../core/intbuf.js';
import { isTensor, integer, fmtShape, disjoint } from './checks.js';

/** Throws unless t is a live tensor of rank >= 2 (rows × cols). */
function rowsAtLeast2(op: string, name: string, t: unknown): asserts t is Tensor {
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

/** The Gather methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withGather<B extends Ctor>(Base: B) {
  abstract class GatherOps extends Base {
    /**
     * out[r, :] = src[idx[offset + r], :] for r < out.rows. src and out have at least 2 dimensions and
     * the same row length (product of all but the first dimension). Every index is checked first.
     */
    gatherRows(out: Tensor, src: Tensor, idx: IntBuffer<'i32'>, offset = 0): Tensor {
      const op = 'gatherRows';
      rowsAtLeast2(op, 'out', out);
      rowsAtLeast2(op, 'src', src);
      if (src.cols !== out.cols) throw new Error(`${op}: src ${fmtShape(src.shape)} has rows of ${src.cols}, out ${fmtShape(out.shape)} has rows of ${out.cols}`);
      disjoint(op, 'out', out, 'src', src, this.debug);
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
      const count = out.shape[0]!, classes = out.shape[1]!;
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
  return GatherOps;
}
