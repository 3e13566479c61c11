// Batcher: seeded mini-batches of a Dataset gathered into two tensors allocated once, x [batch, features]
// and y [batch, classes] (one-hot). Epoch e visits the examples in the order of a Fisher–Yates shuffle
// of 0..size-1 by Rng(epochSeed(seed, e)) (or file order when shuffle is false), so an epoch's order is
// a function of (seed, e) alone, whatever was called before. load(i) gathers batch i's rows and one-hot
// targets inside WASM memory (f32_gather_rows, f32_onehot over the order and a copy of the labels kept
// there): no new arrays, no allocation in steady state.
//
// Last batch: with dropLast false (default) the last batch holds size mod batch rows when that is not 0;
// load() returns that count (also in `count`) and rows past it are zero in both x and y, so a loss summed
// over the batch ignores them. With dropLast true only full batches are produced.
import type { Backend } from '../backend.js';
import type { Tensor } from '../core/tensor.js';
import { Rng } from '../core/rng.js';
import { sameShape } from '../core/check.js';
import type { IntBuffer } from '../core/intbuf.js';
import type { Dataset } from './dataset.js';

export interface BatcherOptions {
  /** Seed of the epoch orders. Default 0. */
  seed?: number;
  /** Shuffle each epoch (default true); false keeps the dataset's order. */
  shuffle?: boolean;
  /** Drop the last, partial batch (default false). */
  dropLast?: boolean;
  /**
   * Write batches into these tensors ([batchSize, features] and [batchSize, classes]) instead of
   * allocating x and y: a network's own input and target buffers, so no copy is needed. The batcher
   * does not own them (dispose() leaves them alone).
   */
  into?: { x: Tensor; y: Tensor };
}

/** A bijective 32-bit mixer (the murmur3 finaliser). */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Seed of epoch e's shuffle: distinct epochs of one seed get distinct seeds (mix32 is a bijection). */
export function epochSeed(seed: number, epoch: number): number {
  return mix32((seed | 0) ^ mix32((epoch + 0x632be5ab) | 0));
}

export class Batcher {
  /** Inputs of the current batch, [batchSize, features]. Owned by the batcher (dispose() frees it). */
  readonly x: Tensor;
  /** One-hot targets of the current batch, [batchSize, classes]. */
  readonly y: Tensor;
  /** Number of batches per epoch. */
  readonly batches: number;
  readonly seed: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** Rows filled by the last load() (batchSize except maybe for the last batch; 0 before any load). */
  count = 0;
  private readonly perm: Uint32Array;
  /** perm and the dataset's labels in WASM memory, for the gather kernels. */
  private readonly idx: IntBuffer<'i32'>;
  private readonly labels: IntBuffer<'u8'>;
  private readonly owned: boolean;
  private current = 0;
  private next = 0;

  constructor(
    readonly lib: Backend,
    readonly dataset: Dataset,
    readonly batchSize: number,
    opts: BatcherOptions = {},
  ) {
    const { seed = 0, shuffle = true, dropLast = false, into } = opts;
    if (dataset.disposed) throw new Error(`Batcher: dataset ${dataset.name} was disposed`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`Batcher: batchSize must be a positive integer, got ${String(batchSize)}`);
    if (!Number.isInteger(seed)) throw new RangeError(`Batcher: seed must be an integer, got ${String(seed)}`);
    this.batches = dropLast ? Math.floor(dataset.size / batchSize) : Math.ceil(dataset.size / batchSize);
    if (this.batches === 0) {
      throw new RangeError(`Batcher: dropLast with batchSize ${batchSize} > dataset ${dataset.name} size ${dataset.size} leaves no batches`);
    }
    this.seed = seed;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.perm = new Uint32Array(dataset.size);
    if (into) {
      sameShape('Batcher', 'into.x', into.x, [batchSize, dataset.features]);
      sameShape('Batcher', 'into.y', into.y, [batchSize, dataset.classes]);
    }
    this.owned = !into;
    this.idx = lib.ints('i32', dataset.size);
    this.labels = lib.ints('u8', dataset.labels);
    this.x = into ? into.x : lib.heap.f32([batchSize, dataset.features]);
    this.y = into ? into.y : lib.heap.f32([batchSize, dataset.classes]);
    this.setEpoch(0);
  }

  /** The epoch whose order load() uses. */
  get epochIndex(): number {
    return this.current;
  }

  /** The current order: example indices, batch i is order[i·batchSize, (i+1)·batchSize). Do not modify. */
  get order(): Uint32Array {
    return this.perm;
  }

  /**
   * Starts epoch `e` (default: the next one; the first call gives epoch 0) and returns its number.
   * Before any call the order is epoch 0's.
   */
  epoch(e: number = this.next): number {
    if (!Number.isInteger(e) || e < 0) throw new RangeError(`Batcher.epoch: epoch must be a non-negative integer, got ${String(e)}`);
    this.setEpoch(e);
    this.next = e + 1;
    return e;
  }

  private setEpoch(e: number): void {
    const p = this.perm;
    for (let i = 0; i < p.length; i++) p[i] = i;
    if (this.shuffle) new Rng(epochSeed(this.seed, e)).shuffle(p);
    this.idx.data.set(p);
    this.current = e;
  }

  /**
   * Fills x and y with batch i of the current epoch and returns its number of rows. Rows past that
   * count (last batch only) are zero. Allocates nothing.
   */
  load(i: number): number {
    const B = this.batchSize;
    if (!(Number.isInteger(i) && i >= 0 && i < this.batches)) {
      throw new RangeError(`Batcher.load: batch must be an integer in [0, ${this.batches - 1}], got ${String(i)}`);
    }
    if (this.idx.disposed) throw new Error('Batcher.load: used after dispose()');
    const lib = this.lib, ds = this.dataset, start = i * B;
    const count = Math.min(B, ds.size - start);
    if (count < B) {
      lib.fill(this.x, 0);
      lib.fill(this.y, 0);
    }
    lib.gatherRows(this.x.head(count), ds.images, this.idx, start);
    lib.onehot(this.y.head(count), this.labels, this.idx, start);
    this.count = count;
    return count;
  }

  /**
   * Starts the next epoch and yields each batch (x and y are the same two tensors, overwritten each
   * step). A convenience for users; training loops call epoch() and load(i) directly.
   */
  *iterate(): Generator<{ epoch: number; batch: number; count: number; x: Tensor; y: Tensor }> {
    const epoch = this.epoch();
    for (let batch = 0; batch < this.batches; batch++) {
      const count = this.load(batch);
      yield { epoch, batch, count, x: this.x, y: this.y };
    }
  }

  /** Frees the batcher's buffers, and x and y when it allocated them (not `into` tensors, not the dataset). */
  dispose(): void {
    this.idx.dispose();
    this.labels.dispose();
    if (this.owned) {
      this.x.dispose();
      this.y.dispose();
    }
  }

  [Symbol.dispose](): void {
    if (!this.idx.disposed) this.dispose();
  }
}
