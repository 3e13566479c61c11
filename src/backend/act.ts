// Activations and their inverse steps (assembly/kernels/act.ts, inverse.ts; registry src/activations.ts).
import type { Tensor } from '../core/tensor.js';
import type { InverseKernels } from '../wasm/kernels.js';
import type { BackendCore, Ctor } from './core.js';
import { ACTIVATIONS, resolveAct, resolveActParams, type ActName, type ActParams, type ResolvedAct } from '../activations.js';
import { pair, sizeIs, disjoint } from './checks.js';

/** The activations with an inverse-step kernel (f32_inverse_step_<op>, assembly/kernels/inverse.ts). */
export const INVERSE_KERNELS = {
  linear: 'f32_inverse_step_linear',
  tanh: 'f32_inverse_step_tanh',
  leakyRelu: 'f32_inverse_step_leaky_relu',
} as const satisfies Partial<Record<ActName, keyof InverseKernels>>;
export type InvertibleName = keyof typeof INVERSE_KERNELS;

function checkInvertible(op: string, name: string, slope: number): void {
  if (!Object.hasOwn(INVERSE_KERNELS, name)) {
    throw new Error(`${op}: '${String(name)}' has no inverse step (expected one of ${Object.keys(INVERSE_KERNELS).join(', ')})`);
  }
  if (name === 'leakyRelu' && !(slope > 0)) throw new RangeError(`${op}: leakyRelu slope must be > 0 to be invertible, got ${slope}`);
}

/** The Act methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withAct<B extends Ctor>(Base: B) {
  abstract class ActOps extends Base {
    /**
     * post = f(a) and, when `deriv` is given, deriv = f'(a), for the activation `name` with its default
     * parameters overridden by `params`. post may be a; deriv must be a third tensor. In a loop, resolve
     * the activation once (resolveAct) and call activate().
     */
    act<N extends ActName>(name: N, post: Tensor, a: Tensor, deriv?: Tensor | null, params?: Partial<ActParams<N>>): Tensor {
      const [p0, p1, p2] = resolveActParams('act', name, params as Record<string, unknown> | undefined);
      applyAct(this, 'act', ACTIVATIONS[name].kernel, p0, p1, p2, post, a, deriv ?? null);
      return post;
    }

    /** act() for an activation resolved once: post = f(a), deriv = f'(a) unless deriv is null. */
    activate(f: ResolvedAct, post: Tensor, a: Tensor, deriv: Tensor | null = null): Tensor {
      const p = f.p;
      applyAct(this, 'activate', f.kernel, p[0], p[1], p[2], post, a, deriv);
      return post;
    }

    /**
     * q = f⁻¹(h + d) − a elementwise for an invertible activation (INVERSE_KERNELS: linear, tanh,
     * leakyRelu), in a cancellation-free form: a is the pre-activation, h = f(a) the activity, d a change
     * of h (GAIT-prop's target step). All four tensors have the same number of elements; q may be a, h
     * and/or d. leakyRelu's slope (default 0.01, as `act`) must be > 0; tanh clamps q to ±atanh(1 − 1e-7).
     */
    inverseStep<N extends InvertibleName>(name: N, q: Tensor, a: Tensor, h: Tensor, d: Tensor, params?: Partial<ActParams<N>>): Tensor {
      const op = 'inverseStep';
      if (!Object.hasOwn(INVERSE_KERNELS, name)) checkInvertible(op, name, 0);
      return applyInverse(this, op, resolveAct(op, name, params as Record<string, unknown> | undefined), q, a, h, d);
    }

    /** inverseStep() for an activation resolved once (resolveAct). */
    inverse(f: ResolvedAct, q: Tensor, a: Tensor, h: Tensor, d: Tensor): Tensor {
      return applyInverse(this, 'inverse', f, q, a, h, d);
    }
  }
  return ActOps;
}

function applyAct(lib: BackendCore, op: string, kernel: ResolvedAct['kernel'], p0: number, p1: number, p2: number, post: Tensor, a: Tensor, deriv: Tensor | null): void {
  pair(op, 'post', post, 'a', a);
  if (deriv !== null) {
    sizeIs(op, 'deriv', deriv, post.size);
    disjoint(op, 'deriv', deriv, 'a', a, lib.debug);
    disjoint(op, 'deriv', deriv, 'post', post, lib.debug);
  }
  lib.kernels[kernel](post.size, p0, p1, p2, a.ptr, post.ptr, deriv === null ? 0 : deriv.ptr);
}

function applyInverse(lib: BackendCore, op: string, f: ResolvedAct, q: Tensor, a: Tensor, h: Tensor, d: Tensor): Tensor {
  const slope = f.p[0];
  checkInvertible(op, f.name, slope);
  pair(op, 'q', q, 'a', a);
  sizeIs(op, 'h', h, q.size);
  sizeIs(op, 'd', d, q.size);
  lib.kernels[INVERSE_KERNELS[f.name as InvertibleName]](q.size, slope, a.ptr, h.ptr, d.ptr, q.ptr);
  return q;
}
