// A neuron model is parameters + state + a step (norse style): defineNeuron({ id, defaults, state, step }).
// Times are in seconds (tauMem, tauSyn, refractory, tauAdapt), voltages in threshold-normalised units
// (vTh = 1, vReset = 0 by default: "volts-free"). resolve() turns parameters into per-step coefficients
// once (decay = exp(−dt/tauMem): no exp per element, the kernel's parameters built once); step() advances
// the neurons of its tensors (row views for a partial batch) by one dt.
import type { Tensor } from '../core/tensor.js';
import type { Workspace } from '../core/workspace.js';
import { SURROGATES, RESET_MODES, type Backend, type SurrogateShape, type ResetMode, type LifParams } from '../backend.js';
import type { LayerStepBuffers } from '../backend/spike.js';

/** The buffers of a fused layer step other than the neuron's own state (Neuron.layerStep). */
export type LayerBuffers = Omit<LayerStepBuffers, 'v' | 'refrac' | 'adapt'>;

export interface NeuronParams {
  /** Membrane time constant (s). */
  tauMem: number;
  /** Synaptic current time constant (s) of the exponential current synapse; 0 = instantaneous. */
  tauSyn: number;
  /** Threshold (normalised units). */
  vTh: number;
  /** Reset value (and held value while refractory). */
  vReset: number;
  /** Refractory period (s), rounded to whole steps. */
  refractory: number;
  /** 'zero': v ← vReset after a spike; 'subtract': v ← v − vTh. */
  reset: ResetMode;
  /** Surrogate derivative written as the neuron's deriv, and its steepness k (per unit of v − vTh). */
  surrogate: SurrogateShape;
  surrogateK: number;
  [extra: string]: number | string;
}

/** Per-step coefficients of a neuron, computed once for a dt. */
export interface Resolved {
  /** Membrane decay per step, exp(−dt/tauMem). */
  decay: number;
  /** Synaptic current decay per step, exp(−dt/tauSyn) (0 without a synapse). */
  synDecay: number;
  /** The parameters of the neuron's step kernel (Backend.lifStep / alifStep). */
  kernel: LifParams;
}

/** State buffers of one population (batch × neurons). */
export interface NeuronState {
  v: Tensor;
  refrac: Tensor;
  [extra: string]: Tensor;
}

export interface Neuron<P extends NeuronParams = NeuronParams> {
  id: string;
  description: string;
  defaults: P;
  /** Names of the state tensors (beyond v and refrac). */
  state: readonly string[];
  resolve(p: P, dt: number): Resolved;
  /** Allocates the state for `size` elements in ws (zero = at rest). */
  init(ws: Workspace, size: number): NeuronState;
  /**
   * One step of the first drive.size neurons of the state: drive → spikes (0/1) and deriv (the
   * surrogate; null skips it). Returns the spike count.
   */
  step(lib: Backend, r: Resolved, st: NeuronState, drive: Tensor, spikes: Tensor, deriv: Tensor | null): number;
  /**
   * Optional fused form of a whole layer's time step (Backend.layerStep): the synaptic current
   * I = alpha·cur + synDecay·I + bias, step() on it, and the running sums, in one kernel call, with the
   * same results as those done one by one. A neuron without it is stepped the long way.
   */
  layerStep?(lib: Backend, r: Resolved, st: NeuronState, b: LayerBuffers, alpha: number, synDecay: number): number;
  /** Rest: the first n elements of every state tensor back to the initial value (the explicit state reset between examples). */
  reset(lib: Backend, st: NeuronState, n: number): void;
}

export function defineNeuron<P extends NeuronParams>(n: Neuron<P>): Neuron<P> {
  return n;
}

/** Checks and merges parameters over a neuron's defaults; clear errors name the neuron and parameter. */
export function neuronParams<P extends NeuronParams>(n: Neuron<P>, over: Record<string, unknown> = {}, dt = 1e-3): P {
  const p = { ...n.defaults } as Record<string, unknown>;
  for (const [key, v] of Object.entries(over)) {
    if (v === undefined) continue;
    if (!Object.hasOwn(n.defaults, key)) throw new Error(`neuron '${n.id}': no parameter '${key}' (it has: ${Object.keys(n.defaults).join(', ')})`);
    if (typeof v !== typeof n.defaults[key]) throw new TypeError(`neuron '${n.id}': ${key} must be a ${typeof n.defaults[key]}, got ${typeof v}`);
    p[key] = v;
  }
  const q = p as P;
  for (const key of ['tauMem', 'tauSyn', 'refractory'] as const) {
    if (!Number.isFinite(q[key]) || q[key] < 0) throw new RangeError(`neuron '${n.id}': ${key} must be a finite number of seconds >= 0, got ${q[key]}`);
  }
  if (!(q.tauMem > 0)) throw new RangeError(`neuron '${n.id}': tauMem must be > 0 s, got ${q.tauMem}`);
  if (!(dt > 0) || !Number.isFinite(dt)) throw new RangeError(`neuron '${n.id}': dt must be > 0 s, got ${dt}`);
  if (!Number.isFinite(q.vTh) || !Number.isFinite(q.vReset) || q.vReset >= q.vTh) throw new RangeError(`neuron '${n.id}': need finite vReset < vTh, got vReset ${q.vReset}, vTh ${q.vTh}`);
  if (!RESET_MODES.includes(q.reset)) throw new TypeError(`neuron '${n.id}': reset must be ${RESET_MODES.join(' or ')}, got ${String(q.reset)}`);
  if (!SURROGATES.includes(q.surrogate)) throw new TypeError(`neuron '${n.id}': surrogate must be ${SURROGATES.join(', ')}, got ${String(q.surrogate)}`);
  if (!(q.surrogateK >= 0)) throw new RangeError(`neuron '${n.id}': surrogateK must be >= 0, got ${q.surrogateK}`);
  return q;
}
