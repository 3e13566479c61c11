// Optimisers shared by every rule: they step each Param's value from its gradient estimate.
// State (velocity, Adam moments) is allocated once, in the network's workspace, at construction.
import type { Backend } from '../backend.js';
import type { Workspace } from '../core/workspace.js';
import type { Param } from '../net/network.js';
import type { Tensor } from '../core/tensor.js';

export type OptimizerName = 'sgd' | 'adam';
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'adam'];

export interface OptimizerOptions {
  /** Momentum for SGD (0 = plain SGD). */
  momentum?: number;
  /** L2 weight decay on weights (not biases). */
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export interface Optimizer {
  readonly name: OptimizerName;
  /** Applies one step with learning rate `lr` to every param. */
  step(lr: number): void;
  /** Steps taken so far. */
  readonly t: number;
  /**
   * Sets the step count, to resume a saved run: with the moment buffers (velocity, Adam's m and v, in
   * the workspace) it is the whole optimiser state (Adam's bias correction reads it).
   */
  restoreSteps(t: number): void;
}

function checkSteps(t: number): number {
  if (!Number.isSafeInteger(t) || t < 0) throw new RangeError(`optimizer.restoreSteps: the step count must be a non-negative integer, got ${t}`);
  return t;
}

export function makeOptimizer(lib: Backend, ws: Workspace, name: OptimizerName, params: Param[], o: OptimizerOptions = {}): Optimizer {
  const wd = o.weightDecay ?? 0;
  if (name === 'sgd') {
    const mu = o.momentum ?? 0;
    const vel: (Tensor | null)[] = params.map((p) => (mu > 0 ? ws.f32(p.value.shape) : null));
    return counted(name, (lr) => {
      for (let i = 0; i < params.length; i++) {
        const p = params[i]!, v = vel[i];
        lib.sgdStep(p.value, p.grad, v ?? null, lr, mu, p.decay ? wd : 0);
      }
    });
  }
  if (name === 'adam') {
    const b1 = o.beta1 ?? 0.9, b2 = o.beta2 ?? 0.999, eps = o.eps ?? 1e-8;
    const m = params.map((p) => ws.f32(p.value.shape));
    const v = params.map((p) => ws.f32(p.value.shape));
    return counted(name, (lr, t) => {
      const bc1 = 1 - b1 ** t, bc2 = 1 - b2 ** t;
      for (let i = 0; i < params.length; i++) {
        const p = params[i]!;
        lib.adamStep(p.value, p.grad, m[i]!, v[i]!, lr, b1, b2, eps, p.decay ? wd : 0, bc1, bc2);
      }
    });
  }
  throw new Error(`optimizer: unknown optimizer '${String(name)}' (expected one of ${OPTIMIZERS.join(', ')})`);
}

/** An Optimizer that counts its steps (t, restoreSteps): step(lr) increments t, then runs `apply(lr, t)` (t = 1 first). */
function counted(name: OptimizerName, apply: (lr: number, t: number) => void): Optimizer {
  let t = 0;
  return {
    name,
    get t() { return t; },
    restoreSteps(n) { t = checkSteps(n); },
    step(lr) {
      t++;
      apply(lr, t);
    },
  };
}
