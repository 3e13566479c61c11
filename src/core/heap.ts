// Heap: who owns WASM memory. Every pointer TypeScript holds comes from here (through the module's
// alloc/free, TLSF, 16-byte aligned), wrapped in a Tensor with exactly one owner.
import type { Allocator } from './buffer.js';
import { Tensor, shapeSize, type Shape } from './tensor.js';

export class Heap {
  /** Number of live allocations made through this heap (not yet freed). */
  live = 0;
  /** Bytes requested by live allocations. */
  bytes = 0;
  private sizes = new Map<number, number>();
  private viewBuffer: ArrayBuffer | null = null;
  private f32All: Float32Array | null = null;

  /** kernels: the WASM module's exports, of which a heap uses only the memory and its allocator. */
  constructor(readonly kernels: Allocator) {}

  get memory(): WebAssembly.Memory {
    return this.kernels.memory;
  }

  /** Allocates `bytes` (at least 16, so every tensor has a distinct pointer) and tracks it. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new Error(`heap.alloc: bytes must be a non-negative integer, got ${bytes}`);
    if (bytes > 0x7fff_fff0) throw new Error(`heap.alloc: ${bytes} bytes exceeds what 32-bit WebAssembly memory can hold`);
    let ptr: number;
    try {
      ptr = this.kernels.alloc(Math.max(bytes, 16)) >>> 0;
    } catch (e) {
      throw new Error(`heap.alloc: could not allocate ${bytes} bytes (memory is ${this.memory.buffer.byteLength} bytes): ${(e as Error).message}`);
    }
    this.sizes.set(ptr, bytes);
    this.live++;
    this.bytes += bytes;
    return ptr;
  }

  free(ptr: number): void {
    const n = this.sizes.get(ptr);
    if (n === undefined) throw new Error(`heap.free: pointer ${ptr} was not allocated by this heap or was already freed`);
    this.sizes.delete(ptr);
    this.live--;
    this.bytes -= n;
    this.kernels.free(ptr);
  }

  /** A new float32 tensor of the given shape, zero-filled. */
  f32(shape: Shape): Tensor {
    const size = shapeSize(shape);
    const t = new Tensor(this, this.alloc(size * 4), shape, size);
    t.data.fill(0);
    return t;
  }

  /** A new float32 tensor holding a copy of `values` (length must equal the shape's size). */
  from(shape: Shape, values: ArrayLike<number>): Tensor {
    const t = this.f32(shape);
    t.set(values);
    return t;
  }

  /** The whole memory as a Float32Array, re-derived after growth (growth detaches old views). */
  f32Memory(): Float32Array {
    const buf = this.memory.buffer;
    if (buf !== this.viewBuffer || this.f32All === null) {
      this.viewBuffer = buf;
      this.f32All = new Float32Array(buf);
    }
    return this.f32All;
  }
}
