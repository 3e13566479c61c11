// IntBuffer: a handle to an integer array in WASM memory (i32 indices, u8 labels), the integer sibling
// of Tensor. Allocated through the Heap, so live counts track it; `data` is a zero-copy view re-derived
// after memory growth (take it where you use it, never keep it).
import { HeapBuffer, type Allocator } from './buffer.js';

export type IntKind = 'i32' | 'u8';
export type IntArray<K extends IntKind> = K extends 'i32' ? Int32Array : Uint8Array;

const RANGE: Record<IntKind, [number, number]> = { i32: [-(2 ** 31), 2 ** 31 - 1], u8: [0, 255] };
const BYTES: Record<IntKind, number> = { i32: 4, u8: 1 };

export class IntBuffer<K extends IntKind = IntKind> extends HeapBuffer<IntArray<K>> {
  private constructor(heap: Allocator, ptr: number, readonly kind: K, readonly length: number) {
    super(heap, ptr, length);
  }

  protected makeView(buf: ArrayBuffer, ptr: number, count: number): IntArray<K> {
    return (this.kind === 'i32' ? new Int32Array(buf, ptr, count) : new Uint8Array(buf, ptr, count)) as IntArray<K>;
  }

  /** A new zero-filled buffer of `length` elements. */
  static alloc<K extends IntKind>(heap: Allocator, kind: K, length: number): IntBuffer<K> {
    if (kind !== 'i32' && kind !== 'u8') throw new TypeError(`IntBuffer: kind must be 'i32' or 'u8', got ${String(kind)}`);
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`IntBuffer: length must be a non-negative integer, got ${length}`);
    const b = new IntBuffer(heap, heap.alloc(length * BYTES[kind]), kind, length);
    b.data.fill(0);
    return b;
  }

  /** Copies `values` in: exactly `length` integers, each in the kind's range (no silent wrapping). */
  set(values: ArrayLike<number>): this {
    if (values.length !== this.length) throw new Error(`IntBuffer.set: got ${values.length} values, expected ${this.length} for ${this}`);
    const [lo, hi] = RANGE[this.kind];
    if (!(values instanceof (this.kind === 'i32' ? Int32Array : Uint8Array))) {
      for (let i = 0; i < values.length; i++) {
        const x = values[i]!;
        if (!Number.isInteger(x) || x < lo || x > hi) throw new RangeError(`IntBuffer.set: values[${i}] = ${x} is not an integer in [${lo}, ${hi}] (${this.kind})`);
      }
    }
    this.data.set(values);
    return this;
  }

  override toString(): string {
    return `IntBuffer<${this.kind}>[${this.length}]`;
  }
}
