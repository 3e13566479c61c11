// Int32Buffer: an i32 array in WASM memory (argmax results, class labels). Allocated through the same
// Heap as float tensors (so live counts and dispose() work the same way); `data` is a zero-copy
// Int32Array view, re-created after memory growth like Tensor.data: take it where you use it.
import type { Heap } from './heap.js';

export class Int32Buffer {
  private _ptr: number;
  private view: Int32Array | null = null;
  private viewBuffer: ArrayBuffer | null = null;

  constructor(readonly heap: Heap, readonly length: number) {
    if (!Number.isInteger(length) || length < 0) throw new Error(`int32: length must be a non-negative integer, got ${length}`);
    this._ptr = heap.alloc(length * 4);
    this.data.fill(0);
  }

  /** Byte address in WASM memory. Throws after dispose(). */
  get ptr(): number {
    if (this._ptr < 0) throw new Error(`Int32Buffer[${this.length}] used after dispose()`);
    return this._ptr;
  }

  get disposed(): boolean {
    return this._ptr < 0;
  }

  /** Zero-copy Int32Array over this buffer. Invalidated by memory growth: re-read it. */
  get data(): Int32Array {
    const buf = this.heap.memory.buffer;
    if (this.view === null || this.viewBuffer !== buf) {
      this.viewBuffer = buf;
      this.view = new Int32Array(buf, this.ptr, this.length);
    }
    return this.view;
  }

  /** A copy of the data, detached from WASM memory. */
  toArray(): Int32Array {
    return this.data.slice();
  }

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
    return `Int32Buffer[${this.length}]`;
  }
}
