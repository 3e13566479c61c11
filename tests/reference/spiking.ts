// Slow twin of SpikingSim's presentation window (src/net/spiking.ts) over a network with convolutions
// and average pooling, written from its definition: per step, each layer's current is the product of
// what the layer below hands on (the input spikes; a layer's 0/1 spikes; or, after an average pooling,
// the pooled spikes of this step) with its weights; the synapse, the LIF step and the running sums are
// tests/reference/layer.ts's; at the end the sums become rates (a pooled layer's are pooled), the mean
// surrogate and the mean drive. The products are the caller's (`current`): the test checks the
// simulator's against a float64 convolution within its rounding bound and hands that value on, so every
// other number here is rounded like the kernels and must match the simulator to the bit.
import { lifLayerStep, readoutStep, type LayerState } from './layer.js';
import { avgPool, type PoolGeom } from './conv.js';
import type { AlifRef } from './lif.js';

const f = Math.fround;

export interface RefLayer {
  /** Units (positions·channels for a convolution). */
  n: number;
  /** Channels of a convolution (the bias is per channel), or n for a dense layer. */
  channels: number;
  b: ArrayLike<number>;
  /** Average pooling over this layer's units (geometry for one row), or null. */
  pool: Omit<PoolGeom, 'n'> | null;
}

export interface RefWindow {
  steps: number; dt: number; rateScale: number; gain: number; offset: number;
  /** Membrane and synapse decay per step, the readout's filter decay, the readout's first step. */
  lm: number; ls: number; lo: number; t0c: number;
  /** Spike amplitude of the encoder. */
  ampIn: number;
  lif: AlifRef;
}

export interface RefOut { post: Float32Array; deriv: Float32Array; a: Float32Array; spikes: number }

/** What layer i hands on at this step: its spikes, pooled when it pools. */
function handOn(l: RefLayer, rows: number, spikes: Float32Array): Float32Array {
  return l.pool ? avgPool(spikes, { ...l.pool, n: rows }) : spikes;
}

/**
 * One window over `rows` rows from rest (membranes, currents and sums at 0: vInit 'zero'). inputAt(t) gives the encoder's spikes of
 * step t; current(i, t, x) returns layer i's product x·W_iᵀ (a convolution's, for a convolution) for the
 * input x it reads at step t. The last layer is the membrane readout.
 */
export function spikingWindow(w: RefWindow, layers: RefLayer[], rows: number, inputAt: (t: number) => ArrayLike<number>,
  current: (i: number, t: number, x: Float32Array) => ArrayLike<number>): RefOut[] {
  const L = layers.length, T = w.steps;
  const st: LayerState[] = layers.map((l) => {
    const z = () => new Float32Array(rows * l.n);
    return { I: z(), v: z(), refrac: z(), adapt: null, spikes: z(), dstep: z(), post: z(), deriv: z(), acc: z() };
  });
  const bias = layers.map((l, i) => {
    const out = new Float32Array(l.n);
    for (let j = 0; j < l.n; j++) {
      const b = l.b[j % l.channels]!;
      out[j] = i < L - 1 ? f(f((1 - w.ls) * (1 - w.lm)) * f(f(w.offset) + f(f(w.gain) * b))) : f(0 + f(f(1 - w.ls) * b));
    }
    return out;
  });
  const counts = new Array<number>(L).fill(0);
  for (let t = 0; t < T; t++) {
    let x: Float32Array = Float32Array.from(inputAt(t));
    for (let i = 0; i < L; i++) {
      const l = layers[i]!, s = st[i]!, amp = i === 0 ? w.ampIn : w.rateScale / w.dt;
      const cur = current(i, t, x);
      if (i < L - 1) {
        counts[i]! += lifLayerStep(w.lif, rows, l.n, (1 - w.ls) * (1 - w.lm) * w.gain * amp, w.ls, cur, bias[i]!, s, true).count;
        x = handOn(l, rows, s.spikes);
      } else {
        readoutStep(rows, l.n, (1 - w.ls) * amp, w.ls, w.lo, cur, bias[i]!, s.I, s.spikes, s.post, t >= w.t0c);
      }
    }
  }
  return layers.map((l, i) => {
    const s = st[i]!;
    if (i === L - 1) {
      const post = s.post.map((p) => f(f(1 / (T - w.t0c)) * p));
      return { post, deriv: new Float32Array(post.length).fill(1), a: post.slice(), spikes: 0 };
    }
    const rate = s.post.map((c) => f(f(w.rateScale / (T * w.dt)) * c));
    return {
      post: l.pool ? avgPool(rate, { ...l.pool, n: rows }) : rate,
      deriv: s.deriv.map((d) => f(f(w.gain / T) * d)),
      a: s.acc.map((a) => f(f(1 / (T * (1 - w.lm))) * a)),
      spikes: counts[i]!,
    };
  });
}
