// Backpropagation through time (assembly/kernels/bptt.ts): the adjoint of a LIF layer's window, one
// step at a time from the last, over what the forward pass recorded.
import type { Tensor } from '../core/tensor.js';
import type { Ctor } from './core.js';
import { isTensor, sizeIs, finite, integer, oneOf, disjoint, fmtShape } from './checks.js';
import { RESET_MODES, type ResetMode } from './spike.js';

/** The LIF layer whose adjoint lifAdjointStep takes (as its forward pass ran). */
export interface LifAdjointParams {
  /** Membrane decay per step, exp(−dt/tauMem), in [0, 1]. */
  decay: number;
  /** Synaptic current decay per step, exp(−dt/tauSyn), in [0, 1] (0: no synaptic filter). */
  synDecay: number;
  /** The forward pass's reset (default 'zero'); the adjoint treats it as detached either way. */
  reset?: ResetMode;
  /** Steps held after a spike (integer >= 0, default 0). */
  refSteps?: number;
}

/** The Bptt methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withBptt<B extends Ctor>(Base: B) {
  abstract class BpttOps extends Base {
    /**
     * One step t of a LIF layer's adjoint, in place (f32_lif_adjoint_step). `spikes` is the forward
     * pass's record [steps, …] (step t's spikes are spikes.row(t); the earlier ones decide which neurons
     * were refractory); deriv the surrogate of step t; g holds ∂L/∂s_t on entry and ∂L/∂I_t on return;
     * gv and gI carry the membrane's and the current's adjoints from step t + 1 (zero them before the
     * last step). Every buffer has one step's element count.
     */
    lifAdjointStep(g: Tensor, deriv: Tensor, spikes: Tensor, t: number, gv: Tensor, gI: Tensor, p: LifAdjointParams): Tensor {
      const op = 'lifAdjointStep';
      isTensor(op, 'spikes', spikes);
      if (spikes.shape.length < 2) throw new Error(`${op}: spikes must be a record [steps, …] of rank >= 2, got shape ${fmtShape(spikes.shape)}`);
      const steps = spikes.shape[0]!, n = spikes.size / steps;
      integer(op, 't', t, 0, steps - 1);
      sizeIs(op, 'g', g, n);
      sizeIs(op, 'deriv', deriv, n);
      sizeIs(op, 'gv', gv, n);
      sizeIs(op, 'gI', gI, n);
      const full = this.debug;
      disjoint(op, 'g', g, 'deriv', deriv, full); disjoint(op, 'g', g, 'gv', gv, full); disjoint(op, 'g', g, 'gI', gI, full); disjoint(op, 'g', g, 'spikes', spikes, full);
      disjoint(op, 'gv', gv, 'gI', gI, full);
      if (typeof p !== 'object' || p === null) throw new TypeError(`${op}: params must be an object { decay, synDecay, … }, got ${p === null ? 'null' : typeof p}`);
      unitFactor(op, 'decay', p.decay);
      unitFactor(op, 'synDecay', p.synDecay);
      oneOf(op, 'reset', p.reset ?? 'zero', RESET_MODES);
      integer(op, 'refSteps', p.refSteps ?? 0, 0, 2 ** 24);
      this.kernels.f32_lif_adjoint_step(n, p.decay, p.synDecay, p.reset === 'subtract' ? 1 : 0, p.refSteps ?? 0, t,
        deriv.ptr, spikes.ptr + 4 * t * n, g.ptr, gv.ptr, gI.ptr);
      return g;
    }
  }
  return BpttOps;
}

/** Throws unless `v` is a finite number in [0, 1] (a per-step decay factor). */
function unitFactor(op: string, name: string, v: unknown): void {
  const x = finite(op, name, v);
  if (x < 0 || x > 1) throw new RangeError(`${op}: ${name} must be in [0, 1], got ${x}`);
}
