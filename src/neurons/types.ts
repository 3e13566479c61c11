// A neuron model is parameters + state + a step (norse style): defineNeuron({ id, defaults, state, step }).
// Times are in seconds (tauMem, tauSyn, refractory, tauAdapt), voltages in threshold-normalised units
// (vTh = 1, vReset = 0 by default: "volts-free"). resolve() turns parameters into per-step coefficients
// once (decay = exp(−dt/tauMem): no exp per element); step() advances `n` neurons by one dt.
import type { Kernels } from '../wasm/kernels.js';
import type { Tensor } from '../core/tensor.js';
import type { Workspace } from '../core/workspace.js';
import type { SurrogateShape } from '../backend.js';

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
  reset: 'zero' | 'subtract';
  /** Surrogate derivative written as the neuron's deriv, and its steepness k (per unit of v − vTh). */
  surrogate: SurrogateShape;
  surrogateK: number;
  [extra: string]: number | string;
}

/** Per-step coefficients of a neuron, computed once for a dt. */
export interface Resolved {
  decay: number;
  synDecay: number;
  refSteps: number;
  resetMode: 0 | 1;
  surrogate: number; // index into SURROGATES
  [extra: string]: number;
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
  /** One step of the first n elements: drive → spikes (0/1), deriv (surrogate, or 0 = skip). Returns the spike count. */
  step(k: Kernels, n: number, p: P, r: Resolved, st: NeuronState, drive: number, spikes: number, deriv: number): number;
  /** Rest: every state tensor back to its initial value (the explicit state reset between examples). */
  reset(k: Kernels, n: number, st: NeuronState): void;
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
  if (q.reset !== 'zero' && q.reset !== 'subtract') throw new TypeError(`neuron '${n.id}': reset must be 'zero' or 'subtract', got ${String(q.reset)}`);
  if (!['super', 'triangle', 'exp'].includes(q.surrogate)) throw new TypeError(`neuron '${n.id}': surrogate must be super, triangle or exp, got ${String(q.surrogate)}`);
  if (!(q.surrogateK >= 0)) throw new RangeError(`neuron '${n.id}': surrogateK must be >= 0, got ${q.surrogateK}`);
  return q;
}
