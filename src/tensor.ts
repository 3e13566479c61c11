// Tensor: a handle (pointer, shape) to float32 data in WASM memory. `data` is a zero-copy view that is
// re-created whenever memory has grown; take it where you use it, never keep it in a field.
import type { Heap, Shape } from './heap.js';

export class Tensor {
  readonly shape: readonly number[];
  private _ptr: number;
  private view: Float32Array | null = null;
  private viewBuffer: ArrayBuffer | null = null;

  constructor(
    readonly heap: Heap,
    ptr: number,
    shape: Shape,
    readonly size: number,
  ) {
    this._ptr = ptr;
    this.shape = Object.freeze([...shape]);
  }

  /** Byte address in WASM memory. Throws after dispose(). */
  get ptr(): number {
    if (this._ptr < 0) throw new Error(`Tensor [${this.shape.join(', ')}] used after dispose()`);
    return this._ptr;
  }

  get disposed(): boolean {
    return this._ptr < 0;
  }

  /** Number of rows (first dimension) of a 2-D tensor; 1 for a vector. */
  get rows(): number {
    return this.shape.length >= 2 ? this.shape[0]! : 1;
  }

  /** Number of columns (product of all but the first dimension); the length for a vector. */
  get cols(): number {
    return this.shape.length >= 2 ? this.size / this.shape[0]! : this.size;
  }

  /** Zero-copy Float32Array over this tensor's memory. Invalidated by memory growth: re-read it. */
  get data(): Float32Array {
    const buf = this.heap.memory.buffer;
    if (this.view === null || this.viewBuffer !== buf) {
      this.viewBuffer = buf;
      this.view = new Float32Array(buf, this.ptr, this.size);
    }
    return this.view;
  }

  /** Copies `values` in. Its length must equal `size`. */
  set(values: ArrayLike<number>): this {
    if (values.length !== this.size) {
      throw new Error(`Tensor.set: got ${values.length} values, expected ${this.size} for shape [${this.shape.join(', ')}]`);
    }
    this.data.set(values);
    return this;
  }

  /** A copy of the data, detached from WASM memory. */
  toArray(): Float32Array {
    return this.data.slice();
  }

  /** Frees the memory. A second dispose() is an error, as is any use afterwards. */
  dispose(): void {
    const p = this.ptr;
    this._ptr = -1;
    this.view = null;
    this.viewBuffer = null;
    this.heap.free(p);
  }

  [Symbol.dispose](): void {
    if (!this.disposed) this.dispose();
  }

  toString(): string {
    return `Tensor[${this.shape.join(', ')}]`;
  }
}
