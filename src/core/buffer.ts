// HeapBuffer: what Tensor (float32) and IntBuffer (i32 / u8) share — a pointer owned through the Heap,
// a zero-copy typed view re-created whenever memory has grown (growth detaches old views), explicit
// dispose() with use-after-dispose errors. A buffer may instead be a view of part of another one: it
// shares the owner's memory and lifetime and is never disposed on its own.
/** What a buffer needs of its heap (src/core/heap.ts implements it): the memory its view is over, and
 *  the allocator that owns its pointer. */
export interface Allocator {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
}

/** The typed-array view a heap buffer exposes. */
export type View = Float32Array | Int32Array | Uint8Array;

export abstract class HeapBuffer<V extends View> {
  /** The byte address, or (for a view) the byte offset inside `owner`; -1 once disposed. */
  private _ptr: number;
  private view: V | null = null;
  private viewBuffer: ArrayBuffer | null = null;

  protected constructor(
    readonly heap: Allocator,
    ptr: number,
    private readonly count: number,
    /** The buffer this one is a view of, or null when it owns its memory. */
    readonly owner: HeapBuffer<V> | null = null,
  ) {
    this._ptr = ptr;
  }

  /** The typed array of this buffer's element type over `buf` at `ptr`. */
  protected abstract makeView(buf: ArrayBuffer, ptr: number, count: number): V;

  /** Byte address in WASM memory. Throws after dispose() (of the owner, for a view). */
  get ptr(): number {
    if (this.owner !== null) return this.owner.ptr + this._ptr;
    if (this._ptr < 0) throw new Error(`${this} used after dispose()`);
    return this._ptr;
  }

  get disposed(): boolean {
    return this.owner !== null ? this.owner.disposed : this._ptr < 0;
  }

  /** Zero-copy view over this buffer's memory. Invalidated by memory growth: re-read it, never keep it. */
  get data(): V {
    const buf = this.heap.memory.buffer;
    if (this.view === null || this.viewBuffer !== buf) {
      this.viewBuffer = buf;
      this.view = this.makeView(buf, this.ptr, this.count);
    }
    return this.view;
  }

  /** A copy of the data, detached from WASM memory. */
  toArray(): V {
    return this.data.slice() as V;
  }

  /** Frees the memory. A second dispose() is an error, as is any use afterwards, and so is disposing a view. */
  dispose(): void {
    if (this.owner !== null) throw new Error(`${this} is a view of ${this.owner}: dispose the buffer it views`);
    const p = this.ptr;
    this._ptr = -1;
    this.view = null;
    this.viewBuffer = null;
    this.heap.free(p);
  }

  [Symbol.dispose](): void {
    if (this.owner === null && !this.disposed) this.dispose();
  }
}
