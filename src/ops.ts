// Out-first, shape-checked wrappers over the raw kernels: the public kernel API. Sizes come from the
// tensors' shapes; every check runs before any kernel, and errors name the op and the shapes.
import type { Kernels } from './wasm/kernels.js';
import { Heap, type Shape } from './heap.js';
import type { Tensor } from './tensor.js';
import { finite, sizeIs, isTensor, matrix, fmtShape } from './check.js';

export class Backend {
  readonly heap: Heap;

  constructor(readonly kernels: Kernels) {
    this.heap = new Heap(kernels);
  }

  /** A zero-filled float32 tensor, or a copy of `values` when given. */
  tensor(shape: Shape, values?: ArrayLike<number>): Tensor {
    return values === undefined ? this.heap.f32(shape) : this.heap.from(shape, values);
  }

  /** y += alpha * x (same number of elements; y may be x). */
  axpy(y: Tensor, alpha: number, x: Tensor): Tensor {
    isTensor('axpy', 'y', y);
    sizeIs('axpy', 'x', x, y.size);
    finite('axpy', 'alpha', alpha);
    this.kernels.f32_axpy(y.size, alpha, x.ptr, y.ptr);
    return y;
  }

  /**
   * out = alpha·op(a)·op(b) + beta·out (defaults alpha = 1, beta = 0: out is overwritten, never read).
   * a is [m, k] ([k, m] with transA), b is [k, n] ([n, k] with transB), out is [m, n]. out must be a
   * different tensor from a and b. Transposes are handled by packing inside the kernel, at full speed.
   */
  gemm(out: Tensor, a: Tensor, b: Tensor, opts: GemmOptions = {}): Tensor {
    if (typeof opts !== 'object' || opts === null) throw new TypeError(`gemm: opts must be an object, got ${opts === null ? 'null' : typeof opts}`);
    const transA = flag('transA', opts.transA), transB = flag('transB', opts.transB);
    const alpha = finite('gemm', 'alpha', opts.alpha ?? 1);
    const beta = finite('gemm', 'beta', opts.beta ?? 0);
    const [a0, a1] = matrix('gemm', 'a', a);
    const [b0, b1] = matrix('gemm', 'b', b);
    const [o0, o1] = matrix('gemm', 'out', out);
    const [m, k] = transA ? [a1, a0] : [a0, a1];
    if (transB ? b1 !== k : b0 !== k) {
      const want = transB ? `[*, ${k}]` : `[${k}, *]`;
      throw new Error(`gemm: b is ${fmtShape(b.shape)}, expected ${want} (k = ${k}${transB ? ', b is used transposed' : ''})`);
    }
    const n = transB ? b0 : b1;
    if (o0 !== m || o1 !== n) {
      throw new Error(`gemm: out is ${fmtShape(out.shape)}, expected [${m}, ${n}] (m = ${m} from a${transA ? 'ᵀ' : ''}, n = ${n} from b${transB ? 'ᵀ' : ''})`);
    }
    if (out === a || out.ptr === a.ptr) throw new Error('gemm: out must not be the same tensor as a (the kernel writes out while it reads a)');
    if (out === b || out.ptr === b.ptr) throw new Error('gemm: out must not be the same tensor as b (the kernel writes out while it reads b)');
    const kern = this.kernels;
    if (transA) {
      if (transB) kern.f32_gemm_tt(m, n, k, alpha, beta, a.ptr, b.ptr, out.ptr);
      else kern.f32_gemm_tn(m, n, k, alpha, beta, a.ptr, b.ptr, out.ptr);
    } else if (transB) kern.f32_gemm_nt(m, n, k, alpha, beta, a.ptr, b.ptr, out.ptr);
    else kern.f32_gemm_nn(m, n, k, alpha, beta, a.ptr, b.ptr, out.ptr);
    return out;
  }
}

/** Options of Backend.gemm. */
export interface GemmOptions {
  /** a is stored [k, m] and used as aᵀ. */
  transA?: boolean;
  /** b is stored [n, k] and used as bᵀ. */
  transB?: boolean;
  /** Scale of the product (finite; default 1). */
  alpha?: number;
  /** Scale of out's previous contents (finite; default 0, which never reads out). */
  beta?: number;
}

function flag(name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TypeError(`gemm: ${name} must be a boolean, got ${typeof v}`);
  return v;
}
