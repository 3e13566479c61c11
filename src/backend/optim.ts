// Optimiser steps (assembly/kernels/optim.ts): w, grad and the moment buffers have one element count.
import type { Tensor } from '../core/tensor.js';
import type { Ctor } from './core.js';
import { pair, sizeIs, finite } from './checks.js';

/** The Optim methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withOptim<B extends Ctor>(Base: B) {
  abstract class OptimOps extends Base {
    /**
     * SGD with momentum and L2 decay, in place: g = grad + wd·w, vel = momentum·vel + g, w −= lr·vel;
     * with momentum <= 0, w −= lr·g and vel (then it may be null) is not touched.
     */
    sgdStep(w: Tensor, grad: Tensor, vel: Tensor | null, lr: number, momentum: number, wd: number): Tensor {
      const op = 'sgdStep';
      pair(op, 'w', w, 'grad', grad);
      if (vel !== null) sizeIs(op, 'vel', vel, w.size);
      else if (momentum > 0) throw new Error(`${op}: momentum ${momentum} needs a velocity tensor (vel is null)`);
      finite(op, 'lr', lr);
      finite(op, 'momentum', momentum);
      finite(op, 'wd', wd);
      this.kernels.f32_sgd_step(w.size, lr, momentum, wd, grad.ptr, vel === null ? 0 : vel.ptr, w.ptr);
      return w;
    }

    /** One Adam step in place, with the bias corrections bc1 = 1 − β1^t and bc2 = 1 − β2^t given. */
    adamStep(w: Tensor, grad: Tensor, m: Tensor, v: Tensor, lr: number, b1: number, b2: number, eps: number, wd: number, bc1: number, bc2: number): Tensor {
      const op = 'adamStep';
      pair(op, 'w', w, 'grad', grad);
      sizeIs(op, 'm', m, w.size);
      sizeIs(op, 'v', v, w.size);
      finite(op, 'lr', lr); finite(op, 'b1', b1); finite(op, 'b2', b2); finite(op, 'eps', eps);
      finite(op, 'wd', wd); finite(op, 'bc1', bc1); finite(op, 'bc2', bc2);
      this.kernels.f32_adam_step(w.size, lr, b1, b2, eps, wd, bc1, bc2, grad.ptr, m.ptr, v.ptr, w.ptr);
      return w;
    }
  }
  return OptimOps;
}
