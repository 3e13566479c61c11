// Tensor: a handle (pointer, shape) to float32 data in WASM memory. `data` is a zero-copy view that is
// re-created whenever memory has grown; take it where you use it, never keep it in a field.
//
// Views: head(rows) is the first `rows` rows, row(r) the r-th row and matrix(rows, cols) the first
// rows·cols elements as a matrix, as tensors sharing this one's memory. A batch buffer is made for the
// largest batch and a partial batch works on its head, so the kernel API checks shapes instead of
// callers computing sizes by hand. Each view is made on first use and kept, so a training loop that
// asks for the same views every step allocates nothing.
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
  private heads: (Tensor | undefined)[] | null = null;
  private rowViews: (Tensor | undefined)[] | null = null;
  private matrices: Map<number, Tensor> | null = null;

  constructor(heap: Allocator, ptr: number, shape: Shape, readonly size: number, owner: Tensor | null = null) {
    super(heap, ptr, size, owner);
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

  /**
   * The first `rows` entries of the first dimension ([rows, …rest]; the first `rows` elements of a
   * vector) as a view of this tensor; this tensor itself when `rows` is the whole first dimension.
   */
  head(rows: number): Tensor {
    if (rows === this.shape[0]) return this;
    const v = this.heads?.[rows];
    return v !== undefined ? v : this.makeHead(rows);
  }

  /** Row r ([…rest]: all but the first dimension) of a tensor of rank >= 2, as a view of this tensor. */
  row(r: number): Tensor {
    const v = this.rowViews?.[r];
    return v !== undefined ? v : this.makeRow(r);
  }

  /**
   * The first rows·cols elements as a [rows, cols] matrix view: one scratch buffer serving layers of
   * different widths. this tensor itself when that is already its shape.
   */
  matrix(rows: number, cols: number): Tensor {
    const s = this.shape;
    if (s.length === 2 && s[0] === rows && s[1] === cols) return this;
    const v = this.matrices?.get(rows * 0x200000 + cols);
    return v !== undefined ? v : this.makeMatrix(rows, cols);
  }

  private makeMatrix(rows: number, cols: number): Tensor {
    if (this.owner !== null) throw new Error(`Tensor.matrix: ${this} is already a view; take views of the tensor it views`);
    const ok = (x: number) => Number.isInteger(x) && x >= 0 && x < 0x200000;
    if (!ok(rows) || !ok(cols) || rows * cols > this.size) {
      throw new RangeError(`Tensor.matrix: [${rows}, ${cols}] does not fit in ${this} (${this.size} elements)`);
    }
    const v = new Tensor(this.heap, 0, [rows, cols], rows * cols, this);
    (this.matrices ??= new Map()).set(rows * 0x200000 + cols, v);
    return v;
  }

  private makeHead(rows: number): Tensor {
    if (this.owner !== null) throw new Error(`Tensor.head: ${this} is already a view; take views of the tensor it views`);
    const n = this.shape[0];
    if (n === undefined) throw new Error(`Tensor.head: ${this} has no dimensions`);
    if (!Number.isInteger(rows) || rows < 0 || rows > n) throw new RangeError(`Tensor.head: rows must be an integer in [0, ${n}] for ${this}, got ${String(rows)}`);
    const rest = this.shape.length >= 2 ? this.size / n : 1;
    const v = new Tensor(this.heap, 0, [rows, ...this.shape.slice(1)], rows * rest, this);
    (this.heads ??= [])[rows] = v;
    return v;
  }

  private makeRow(r: number): Tensor {
    if (this.owner !== null) throw new Error(`Tensor.row: ${this} is already a view; take views of the tensor it views`);
    if (this.shape.length < 2) throw new Error(`Tensor.row: ${this} must have at least 2 dimensions`);
    const n = this.shape[0]!;
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new RangeError(`Tensor.row: r must be an integer in [0, ${n - 1}] for ${this}, got ${String(r)}`);
    const cols = this.size / n;
    const v = new Tensor(this.heap, 4 * r * cols, this.shape.slice(1), cols, this);
    (this.rowViews ??= [])[r] = v;
    return v;
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
