// Tensor: a handle (pointer, shape) to float32 data in WASM memory. `data` is a zero-copy view that is
// re-created whenever memory has grown; take it where you use it, never keep it in a field.
import { HeapBuffer, type Allocator } from './buffer.js';

export type Shape = readonly number[];

export function shapeSize(shape: Shape, op = 'tensor'): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: shape [${shape.join(', ')}] has a dimension that is not a non-negative integer`);
    n *= d;
  }
  return n;
}

/** A tensor's bytes in WASM memory (a view: copy it before memory can grow). */
export function tensorBytes(t: { ptr: number; size: number; heap: { memory: WebAssembly.Memory } }): Uint8Array {
  return new Uint8Array(t.heap.memory.buffer, t.ptr, t.size * 4);
}


export class Tensor extends HeapBuffer<Float32Array> {
  readonly shape: readonly number[];

  constructor(heap: Allocator, ptr: number, shape: Shape, readonly size: number) {
    super(heap, ptr, size);
    this.shape = Object.freeze([...shape]);
  }

  protected makeView(buf: ArrayBuffer, ptr: number, count: number): Float32Array {
    return new Float32Array(buf, ptr, count);
  }

  /** Number of rows (first dimension) of a 2-D tensor; 1 for a vector. */
  get rows(): number {
    return this.shape.length >= 2 ? this.shape[0]! : 1;
  }

  /** Number of columns (product of all but the first dimension); the length for a vector. */
  get cols(): number {
    return this.shape.length >= 2 ? this.size / this.shape[0]! : this.size;
  }

  /** Copies `values` in. Its length must equal `size`. */
  set(values: ArrayLike<number>): this {
    if (values.length !== this.size) {
      throw new Error(`Tensor.set: got ${values.length} values, expected ${this.size} for shape [${this.shape.join(', ')}]`);
    }
    this.data.set(values);
    return this;
  }

  override toString(): string {
    return `Tensor[${this.shape.join(', ')}]`;
  }
}
