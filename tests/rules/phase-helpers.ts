// Shared set-up for the phase-rule tests (chl, eqprop, generec): a tiny seeded network, running one
// rule step by hand (forward → loss → teach → update) and reading the gradient estimates back.
import { mulberry32, seeded } from '../helpers/fill.js';
import { Network } from '../../src/net/network.js';
import { Rng } from '../../src/core/rng.js';
import type { AnyRule, StepContext } from '../../src/rules/types.js';
import type { Backend } from '../../src/index.js';
import type { Net64 } from '../reference/settle.js';

export const ROWS = 4;

export function tinyNet(lib: Backend, sizes: number[], seed: number, scale = 0.4, loss: 'xent' | 'mse' = 'xent'): Network {
  const net = new Network(lib, { sizes, activation: 'hardSigmoid', init: 'uniform', initScale: scale, batch: ROWS, seed, loss });
  net.layers.forEach((l, i) => l.b.set(seeded(l.outSize, seed * 10 + i, -0.2, 0.6)));
  net.input.set(seeded(ROWS * sizes[0]!, seed + 100, 0, 1));
  const r = mulberry32(seed + 7), t = new Float32Array(ROWS * net.classes);
  for (let i = 0; i < ROWS; i++) t[i * net.classes + Math.floor(r() * net.classes)] = 1;
  net.target.set(t);
  return net;
}

/** Runs one step of `rule` on the net (no optimiser) and returns [dW_0, db_0, dW_1, …] flattened. */
export function ruleGrad(rule: AnyRule, net: Network, params: Record<string, unknown>, state?: unknown, rng = new Rng(9)): { g: Float64Array; state: unknown } {
  const p = { ...rule.defaults, ...params };
  const s = state ?? rule.init(net, p, net.ws, rng.fork());
  const ctx: StepContext = { net, rows: ROWS, rng };
  if (rule.forward) rule.forward(ctx, s, p, true); else net.forward(ROWS);
  net.computeLoss(ROWS);
  rule.teach(ctx, s, p);
  rule.update(ctx, s, p);
  return { g: flat(net), state: s };
}

export function flat(net: Network, which: 'grad' | 'value' = 'grad'): Float64Array {
  const parts: number[] = [];
  for (const l of net.layers) {
    parts.push(...(which === 'grad' ? l.dW.data : l.W.data));
    parts.push(...(which === 'grad' ? l.db.data : l.b.data));
  }
  return Float64Array.from(parts);
}

/** Per-layer slices [dW_l; db_l] of a flat vector. */
export function layerSlices(net: Network, v: Float64Array): Float64Array[] {
  const out: Float64Array[] = [];
  let o = 0;
  for (const l of net.layers) { const n = l.W.size + l.b.size; out.push(v.subarray(o, o + n)); o += n; }
  return out;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i]! * b[i]!; aa += a[i]! ** 2; bb += b[i]! ** 2; }
  return ab / Math.sqrt(aa * bb);
}

export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, n = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i]! - b[i]!) ** 2; n += b[i]! ** 2; }
  return Math.sqrt(d / n);
}

export const to64 = (net: Network): Net64 => ({
  sizes: [...net.sizes], W: net.layers.map((l) => Float64Array.from(l.W.data)), b: net.layers.map((l) => Float64Array.from(l.b.data)),
});

/** d(rateScale·rate)/dJ̄ of the LIF's steady-state rate r(J) = 1/(t_ref + τ_m·ln((J − v_r)/(J − v_th))), J = gain·J̄
 *  (0 below threshold): the spiking forms' mean response to a change of a unit's mean input current. */
export function lifRateSlope(sim: { gain: number; rateScale: number; np: { vTh: number; vReset: number; refractory: number; tauMem: number } }): (J: number) => number {
  const np = sim.np;
  return (J) => {
    const v = sim.gain * J;
    if (!(v > np.vTh)) return 0;
    const rate = 1 / (np.refractory + np.tauMem * Math.log((v - np.vReset) / (v - np.vTh)));
    return sim.rateScale * sim.gain * rate * rate * np.tauMem * (np.vTh - np.vReset) / ((v - np.vReset) * (v - np.vTh));
  };
}
