// Spiking neurons and traces (assembly/kernels/lif.ts, trace.ts). The surrogate table here is the only
// one: neurons (src/neurons/) name a shape, lifStep / alifStep pick the kernel or index from it.
import type { Tensor } from '../core/tensor.js';
import type { BackendCore, Ctor } from './core.js';
import { isTensor, pair, sizeIs, finite, integer, oneOf, disjoint } from './checks.js';

/** Surrogate derivatives of the spike (assembly/ops/spike_*.ts), u = v − vTh, k = steepness:
 *  super 1/(1 + k|u|)² (SuperSpike fast sigmoid), triangle max(0, 1 − k|u|), exp exp(−k|u|).
 *  The position in this list is f32_alif_step's `surrogate` argument. */
export type SurrogateShape = 'super' | 'triangle' | 'exp';
export const SURROGATES: readonly SurrogateShape[] = ['super', 'triangle', 'exp'];
const LIF_KERNEL = { super: 'f32_lif_step', triangle: 'f32_lif_step_triangle', exp: 'f32_lif_step_exp' } as const;

/** What a spike does to the membrane: 'zero' sets v = vReset (0 unless set), 'subtract' sets v −= vTh. */
export type ResetMode = 'zero' | 'subtract';
export const RESET_MODES: readonly ResetMode[] = ['zero', 'subtract'];

/** Parameters of one LIF step (f32_lif_step); decay = exp(-dt / tauMem) is the caller's. */
export interface LifParams {
  /** Membrane decay per step, in [0, 1] (1 = no leak). */
  decay: number;
  /** Threshold (default 1). */
  vTh?: number;
  /** Reset value for reset 'zero' and the held value while refractory (default 0). */
  vReset?: number;
  /** After a spike (default 'zero'). */
  reset?: ResetMode;
  /** Steps held at vReset after a spike (integer >= 0, default 0). */
  refSteps?: number;
  /** Surrogate steepness k (>= 0, default 10). */
  surrogate?: number;
  /** Surrogate shape written to deriv (default 'super'; see SURROGATES). */
  surrogateShape?: SurrogateShape;
}

/** Adaptive LIF: LifParams plus the threshold adaptation (threshold vTh + beta·adapt, adapt ← rho·adapt + s). */
export interface AlifParams extends LifParams {
  /** Adaptation decay per step, exp(−dt / tauAdapt), in [0, 1]. */
  rho: number;
  /** Threshold increment per unit of adaptation (>= 0). */
  beta: number;
}

/** Checks the buffers of a LIF step (all with v's element count, outputs distinct) and the shared parameters. */
function lifChecks(lib: BackendCore, op: string, input: Tensor, v: Tensor, refrac: Tensor, spikes: Tensor, deriv: Tensor | null, p: LifParams): void {
  if (typeof p !== 'object' || p === null) throw new TypeError(`${op}: params must be an object { decay, … }, got ${p === null ? 'null' : typeof p}`);
  isTensor(op, 'v', v);
  const n = v.size, full = lib.debug;
  sizeIs(op, 'input', input, n);
  sizeIs(op, 'refrac', refrac, n);
  sizeIs(op, 'spikes', spikes, n);
  disjoint(op, 'v', v, 'refrac', refrac, full);
  disjoint(op, 'v', v, 'spikes', spikes, full);
  disjoint(op, 'refrac', refrac, 'spikes', spikes, full);
  disjoint(op, 'input', input, 'v', v, full);
  disjoint(op, 'input', input, 'refrac', refrac, full);
  if (deriv !== null) {
    sizeIs(op, 'deriv', deriv, n);
    disjoint(op, 'v', v, 'deriv', deriv, full);
    disjoint(op, 'refrac', refrac, 'deriv', deriv, full);
    disjoint(op, 'spikes', spikes, 'deriv', deriv, full);
  }
  const decay = finite(op, 'decay', p.decay);
  if (decay < 0 || decay > 1) throw new RangeError(`${op}: decay must be in [0, 1], got ${decay}`);
  finite(op, 'vTh', p.vTh ?? 1);
  finite(op, 'vReset', p.vReset ?? 0);
  oneOf(op, 'reset', p.reset ?? 'zero', RESET_MODES);
  integer(op, 'refSteps', p.refSteps ?? 0, 0, 2 ** 24);
  const k = finite(op, 'surrogate', p.surrogate ?? 10);
  if (k < 0) throw new RangeError(`${op}: surrogate must be >= 0, got ${k}`);
  oneOf(op, 'surrogateShape', p.surrogateShape ?? 'super', SURROGATES);
}

/** The Spike methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withSpike<B extends Ctor>(Base: B) {
  abstract class SpikeOps extends Base {
    /**
     * One LIF step in place (f32_lif_step): v = decay·v + input, spike where v >= vTh, surrogate deriv
     * from the membrane before the reset (skipped when deriv is null), reset, refractory hold. All
     * buffers have the same number of elements; input may be spikes. Returns the number of spikes.
     */
    lifStep(input: Tensor, v: Tensor, refrac: Tensor, spikes: Tensor, deriv: Tensor | null, p: LifParams): number {
      lifChecks(this, 'lifStep', input, v, refrac, spikes, deriv, p);
      return this.kernels[LIF_KERNEL[p.surrogateShape ?? 'super']](v.size, p.decay, p.vTh ?? 1, p.vReset ?? 0, p.reset === 'subtract' ? 1 : 0,
        p.refSteps ?? 0, p.surrogate ?? 10, input.ptr, v.ptr, refrac.ptr, spikes.ptr, deriv === null ? 0 : deriv.ptr);
    }

    /**
     * One adaptive-LIF step in place (f32_alif_step): as lifStep with the threshold vTh + beta·adapt per
     * neuron, then adapt = rho·adapt + spike. Returns the number of spikes.
     */
    alifStep(input: Tensor, v: Tensor, refrac: Tensor, adapt: Tensor, spikes: Tensor, deriv: Tensor | null, p: AlifParams): number {
      const op = 'alifStep';
      lifChecks(this, op, input, v, refrac, spikes, deriv, p);
      sizeIs(op, 'adapt', adapt, v.size);
      const full = this.debug;
      disjoint(op, 'adapt', adapt, 'v', v, full);
      disjoint(op, 'adapt', adapt, 'refrac', refrac, full);
      disjoint(op, 'adapt', adapt, 'spikes', spikes, full);
      disjoint(op, 'adapt', adapt, 'input', input, full);
      if (deriv !== null) disjoint(op, 'adapt', adapt, 'deriv', deriv, full);
      const rho = finite(op, 'rho', p.rho);
      if (rho < 0 || rho > 1) throw new RangeError(`${op}: rho must be in [0, 1], got ${rho}`);
      const beta = finite(op, 'beta', p.beta);
      if (beta < 0) throw new RangeError(`${op}: beta must be >= 0, got ${beta}`);
      return this.kernels.f32_alif_step(v.size, p.decay, p.vTh ?? 1, p.vReset ?? 0, p.reset === 'subtract' ? 1 : 0, p.refSteps ?? 0,
        p.surrogate ?? 10, rho, beta, SURROGATES.indexOf(p.surrogateShape ?? 'super'),
        input.ptr, v.ptr, refrac.ptr, adapt.ptr, spikes.ptr, deriv === null ? 0 : deriv.ptr);
    }

    /** x = lambda·x + s (same number of elements; s may be x). */
    traceStep(x: Tensor, s: Tensor, lambda: number): Tensor {
      pair('traceStep', 'x', x, 's', s);
      finite('traceStep', 'lambda', lambda);
      this.kernels.f32_trace_step(x.size, lambda, s.ptr, x.ptr);
      return x;
    }
  }
  return SpikeOps;
}
