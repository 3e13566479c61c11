// WasmRng: a seeded random stream whose 128-bit state lives in WASM memory (a 16-byte buffer owned
// through the Heap), filling tensors in place with the kernels of assembly/kernels/rng.ts. Same
// generator and seeding as Rng (src/core/rng.ts): new WasmRng(…, seed).nextU32() gives Rng(seed).nextU32()'s
// stream, and setState(rng.state()) continues a TS stream in WASM.
import type { Kernels } from './kernels.js';
import type { Heap } from '../core/heap.js';
import type { Tensor } from '../core/tensor.js';
import { finite, integer, isTensor, sizeIs } from '../core/check.js';

export class WasmRng {
  private st: number;

  /**
   * A stream seeded with `seed`. Its state is 16 bytes of its own, or `stateIn` when given: a tensor of
   * 4 elements owned elsewhere (a workspace's, so a run's saved state includes the stream), which
   * dispose() leaves alone.
   */
  constructor(private readonly kernels: Kernels, private readonly heap: Heap, seed: number, private readonly stateIn: Tensor | null = null) {
    integer('rng', 'seed', seed, -(2 ** 31), 2 ** 32 - 1);
    if (stateIn !== null) sizeIs('rng', 'state', stateIn, 4);
    this.st = stateIn === null ? heap.alloc(16) : 0;
    kernels.rng_seed(seed | 0, this.ptr);
  }

  /** Byte address of the 16-byte state. Throws after dispose() (of the state tensor, when given). */
  get ptr(): number {
    if (this.stateIn !== null) return this.stateIn.ptr;
    if (this.st < 0) throw new Error('WasmRng used after dispose()');
    return this.st;
  }

  get disposed(): boolean {
    return this.stateIn !== null ? this.stateIn.disposed : this.st < 0;
  }

  /** Restarts the stream from `seed` (an integer; taken modulo 2^32 like Rng). */
  seed(seed: number): this {
    integer('rng.seed', 'seed', seed, -(2 ** 31), 2 ** 32 - 1);
    this.kernels.rng_seed(seed | 0, this.ptr);
    return this;
  }

  /** A copy of the four state words. */
  state(): Uint32Array {
    return new Uint32Array(this.heap.memory.buffer, this.ptr, 4).slice();
  }

  /** Sets the four state words (e.g. from Rng.state(), to continue that stream here). Not all zero. */
  setState(words: ArrayLike<number>): this {
    if (words.length !== 4) throw new Error(`rng.setState: words has ${words.length} elements, expected 4`);
    for (let i = 0; i < 4; i++) integer('rng.setState', `words[${i}]`, words[i], 0, 2 ** 32 - 1);
    if ((words[0]! | words[1]! | words[2]! | words[3]!) === 0) throw new Error('rng.setState: the state must not be all zero');
    new Uint32Array(this.heap.memory.buffer, this.ptr, 4).set(words);
    return this;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    return this.kernels.rng_next_u32(this.ptr) >>> 0;
  }

  /** out[i] = lo + (hi - lo) * u, u uniform in [0, 1) with 24 bits (as Rng.uniform()). */
  uniform(out: Tensor, lo = 0, hi = 1): Tensor {
    isTensor('rng.uniform', 'out', out);
    finite('rng.uniform', 'lo', lo);
    finite('rng.uniform', 'hi', hi);
    this.kernels.f32_uniform(out.size, lo, hi, this.ptr, out.ptr);
    return out;
  }

  /** out[i] = mean + std * z, z standard normal (Box–Muller; see f32_normal). */
  normal(out: Tensor, mean = 0, std = 1): Tensor {
    isTensor('rng.normal', 'out', out);
    finite('rng.normal', 'mean', mean);
    if (finite('rng.normal', 'std', std) < 0) throw new RangeError(`rng.normal: std must be >= 0, got ${std}`);
    this.kernels.f32_normal(out.size, mean, std, this.ptr, out.ptr);
    return out;
  }

  /** out[i] = (u < scale * p[i]) ? 1 : 0 — Poisson spike encoding with p in [0, 1], scale = rate * dt. out may be p. */
  bernoulli(out: Tensor, p: Tensor, scale = 1): Tensor {
    isTensor('rng.bernoulli', 'out', out);
    sizeIs('rng.bernoulli', 'p', p, out.size);
    finite('rng.bernoulli', 'scale', scale);
    this.kernels.f32_bernoulli(out.size, scale, p.ptr, this.ptr, out.ptr);
    return out;
  }

  /** Frees the state (not a state tensor given to the constructor). A second dispose() is an error, as is any use afterwards. */
  dispose(): void {
    if (this.stateIn !== null) return;
    const p = this.ptr;
    this.st = -1;
    this.heap.free(p);
  }

  [Symbol.dispose](): void {
    if (!this.disposed) this.dispose();
  }
}
