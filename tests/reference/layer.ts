// Slow twins of assembly/kernels/layer.ts (the fused layer steps of the spiking simulator). Each is the
// sequence the kernel replaces, written out with Math.fround in the kernel's order: the synapse
// I = (alpha·cur) + (synDecay·I), then I + bias[j], the (adaptive) LIF step of tests/reference/lif.ts on I,
// the running sums x + s, and the spike list read off the spikes.
import { alifStep, type AlifRef } from './lif.js';
import { eventListNN } from './event.js';

const f = Math.fround;

export interface LayerState {
  I: Float32Array; v: Float32Array; refrac: Float32Array; adapt: Float32Array | null;
  spikes: Float32Array; dstep: Float32Array; post: Float32Array; deriv: Float32Array; acc: Float32Array;
}

/** One fused step of a rows × n layer in place (adapt null: plain LIF); post is summed only when countPost.
 *  Returns the spike count and, per row, the increasing indices of the neurons that spiked. */
export function lifLayerStep(p: AlifRef, rows: number, n: number, alpha: number, synDecay: number, cur: ArrayLike<number>,
  bias: ArrayLike<number>, s: LayerState, countPost: boolean): { count: number; lists: number[][] } {
  const a = f(alpha), ls = f(synDecay);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      const i = r * n + j;
      s.I[i] = f(f(f(a * cur[i]!) + f(ls * s.I[i]!)) + bias[j]!);
    }
  }
  const count = alifStep(p, s.I, s.v, s.refrac, s.adapt, s.spikes, s.dstep);
  const lists: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const list: number[] = [];
    for (let j = 0; j < n; j++) {
      const i = r * n + j;
      if (countPost) s.post[i] = f(s.post[i]! + s.spikes[i]!);
      s.deriv[i] = f(s.deriv[i]! + s.dstep[i]!);
      s.acc[i] = f(s.acc[i]! + s.I[i]!);
      if (s.spikes[i] === 1) list.push(j);
    }
    lists.push(list);
  }
  return { count, lists };
}

/** The step with the propagation fused in (f32_lif_layer_step's `src`): cur = the rows' spike lists
 *  (k inputs) times wt = Wᵀ [k × n], summed as f32_event_list_nn sums it, then the step above. */
export function lifLayerStepFromLists(p: AlifRef, rows: number, n: number, k: number, lists: number[][], wt: ArrayLike<number>,
  alpha: number, synDecay: number, bias: ArrayLike<number>, s: LayerState, countPost: boolean): { count: number; lists: number[][] } {
  return lifLayerStep(p, rows, n, alpha, synDecay, eventListNN(rows, n, k, lists, wt), bias, s, countPost);
}

/** One step of the membrane readout in place: I as above, m = ((1 − lo)·I) + (lo·m), post += m when countPost. */
export function readoutStep(rows: number, n: number, alpha: number, synDecay: number, lo: number, cur: ArrayLike<number>,
  bias: ArrayLike<number>, I: Float32Array, m: Float32Array, post: Float32Array, countPost: boolean): void {
  const a = f(alpha), ls = f(synDecay), k0 = f(1 - lo), k1 = f(lo);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      const i = r * n + j;
      I[i] = f(f(f(a * cur[i]!) + f(ls * I[i]!)) + bias[j]!);
      m[i] = f(f(k0 * I[i]!) + f(k1 * m[i]!));
      if (countPost) post[i] = f(post[i]! + m[i]!);
    }
  }
}
