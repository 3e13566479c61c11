// Level-1 kernels (assembly/kernels/blas1.ts): vectors of any shape, by element count.
import type { Tensor } from '../core/tensor.js';
import type { Ctor } from './core.js';
import { isTensor, pair, sizeIs, finite, notNaN, rows2, cols2, disjoint } from './checks.js';

/** The Blas1 methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withBlas1<B extends Ctor>(Base: B) {
  abstract class Blas1Ops extends Base {
    /** y += alpha * x (same number of elements; y may be x). */
    axpy(y: Tensor, alpha: number, x: Tensor): Tensor {
      pair('axpy', 'y', y, 'x', x);
      finite('axpy', 'alpha', alpha);
      this.kernels.f32_axpy(y.size, alpha, x.ptr, y.ptr);
      return y;
    }

    /** y = alpha·x + beta·y (same number of elements; y may be x). */
    axpby(y: Tensor, alpha: number, x: Tensor, beta: number): Tensor {
      pair('axpby', 'y', y, 'x', x);
      finite('axpby', 'alpha', alpha);
      finite('axpby', 'beta', beta);
      this.kernels.f32_axpby(y.size, alpha, x.ptr, beta, y.ptr);
      return y;
    }

    /** x *= alpha, in place. */
    scal(x: Tensor, alpha: number): Tensor {
      isTensor('scal', 'x', x);
      finite('scal', 'alpha', alpha);
      this.kernels.f32_scal(x.size, alpha, x.ptr);
      return x;
    }

    /** out = x (same number of elements; out may be x). */
    copy(out: Tensor, x: Tensor): Tensor {
      pair('copy', 'out', out, 'x', x);
      this.kernels.f32_copy(out.size, x.ptr, out.ptr);
      return out;
    }

    /** x[:] = value. */
    fill(x: Tensor, value: number): Tensor {
      isTensor('fill', 'x', x);
      notNaN('fill', 'value', value);
      this.kernels.f32_fill(x.size, value, x.ptr);
      return x;
    }

    /** Σ x·y over all elements (f32 accumulation; see assembly/kernels/blas1.ts for the order). */
    dot(x: Tensor, y: Tensor): number {
      pair('dot', 'x', x, 'y', y);
      return this.kernels.f32_dot(x.size, x.ptr, y.ptr);
    }

    /** Σ x² over all elements. */
    sumsq(x: Tensor): number {
      isTensor('sumsq', 'x', x);
      return this.kernels.f32_sumsq(x.size, x.ptr);
    }

    /** The number of NaN or ±Inf elements of x (divergence check). */
    nonFinite(x: Tensor): number {
      isTensor('nonFinite', 'x', x);
      return this.kernels.f32_nonfinite(x.size, x.ptr);
    }

    /** out[j] = alpha·Σ_i x[i, j] + beta·out[j] (column sums of x [m, n] into out [n]; beta = 0 ignores
     *  out's old contents). */
    sumRows(out: Tensor, x: Tensor, alpha = 1, beta = 0): Tensor {
      const m = rows2('sumRows', 'x', x, true), n = cols2(x);
      sizeIs('sumRows', 'out', out, n);
      disjoint('sumRows', 'out', out, 'x', x, this.debug);
      finite('sumRows', 'alpha', alpha);
      finite('sumRows', 'beta', beta);
      this.kernels.f32_sum_rows(m, n, alpha, beta, x.ptr, out.ptr);
      return out;
    }

    /** x[i, :] += bias for every row of x [m, n]; bias has n elements. */
    addRow(x: Tensor, bias: Tensor): Tensor {
      const m = rows2('addRow', 'x', x, true), n = cols2(x);
      sizeIs('addRow', 'bias', bias, n);
      disjoint('addRow', 'x', x, 'bias', bias, this.debug);
      this.kernels.f32_add_row(m, n, bias.ptr, x.ptr);
      return x;
    }
  }
  return Blas1Ops;
}
