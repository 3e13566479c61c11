// Out-first, shape-checked wrappers over the raw kernels: the public kernel API. Sizes come from the
// tensors' shapes; every check runs before any kernel, and errors name the op and the shapes.
import type { Kernels } from './wasm/kernels.js';
import { Heap, type Shape } from './heap.js';
import type { Tensor } from './tensor.js';
import { finite, sizeIs, isTensor } from './check.js';

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
}
