// A float64 multilayer perceptron: forward pass, loss and backprop gradients, written straight from
// the equations. It is the reference the WASM network and the bp rule are checked against, and is
// itself checked against central finite differences.
import { ACT_REF } from './act.js';
import { resolveActParams } from '../../src/activations.js';

export interface Act64 {
  f(a: number): number;
  df(a: number): number;
}

/** The float64 activation of the registry entry `name` at its default parameters (tests/reference/act.ts). */
export function act64(name: string): Act64 {
  const r = ACT_REF[name];
  if (!r) throw new Error(`mlp reference: no reference for activation '${name}'`);
  const p = resolveActParams('mlp reference', name, undefined);
  return { f: (a) => r.f(a, p), df: (a) => r.df(a, p) };
}

export interface Mlp64 {
  sizes: number[];
  W: Float64Array[]; // [out × in] row-major
  b: Float64Array[];
  acts: Act64[]; // one per layer, the output's last
  loss: 'xent' | 'mse';
}

export function forward(net: Mlp64, x: Float64Array, rows: number): { a: Float64Array[]; h: Float64Array[] } {
  const a: Float64Array[] = [], h: Float64Array[] = [x];
  for (let l = 0; l < net.W.length; l++) {
    const nin = net.sizes[l]!, nout = net.sizes[l + 1]!, W = net.W[l]!, b = net.b[l]!, prev = h[l]!;
    const al = new Float64Array(rows * nout), hl = new Float64Array(rows * nout);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < nout; o++) {
        let s = b[o]!;
        for (let i = 0; i < nin; i++) s += prev[r * nin + i]! * W[o * nin + i]!;
        al[r * nout + o] = s;
        hl[r * nout + o] = net.acts[l]!.f(s);
      }
    }
    a.push(al);
    h.push(hl);
  }
  return { a, h };
}

/** Mean loss over rows, and dLoss/d(output) per row (before dividing by rows). */
export function loss(net: Mlp64, y: Float64Array, t: Float64Array, rows: number): { loss: number; e: Float64Array } {
  const C = net.sizes[net.sizes.length - 1]!;
  const e = new Float64Array(rows * C);
  let L = 0;
  for (let r = 0; r < rows; r++) {
    if (net.loss === 'xent') {
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Math.max(m, y[r * C + c]!);
      let z = 0;
      for (let c = 0; c < C; c++) z += Math.exp(y[r * C + c]! - m);
      for (let c = 0; c < C; c++) {
        const lp = y[r * C + c]! - m - Math.log(z);
        L -= t[r * C + c]! * lp;
        e[r * C + c] = Math.exp(lp) - t[r * C + c]!;
      }
    } else {
      for (let c = 0; c < C; c++) {
        const d = y[r * C + c]! - t[r * C + c]!;
        L += 0.5 * d * d;
        e[r * C + c] = d;
      }
    }
  }
  return { loss: L / rows, e };
}

/** Mean-over-rows gradients of the loss w.r.t. every W and b (backprop in float64). */
export function backprop(net: Mlp64, x: Float64Array, t: Float64Array, rows: number): { dW: Float64Array[]; db: Float64Array[]; loss: number } {
  const { a, h } = forward(net, x, rows);
  const nl = net.W.length;
  const { loss: L, e } = loss(net, h[nl]!, t, rows);
  const dW: Float64Array[] = [], db: Float64Array[] = [];
  let delta = new Float64Array(rows * net.sizes[nl]!);
  for (let i = 0; i < delta.length; i++) delta[i] = e[i]! * (net.loss === 'xent' ? 1 : net.acts[nl - 1]!.df(a[nl - 1]![i]!));
  for (let l = nl - 1; l >= 0; l--) {
    const nin = net.sizes[l]!, nout = net.sizes[l + 1]!;
    const gW = new Float64Array(nout * nin), gb = new Float64Array(nout);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < nout; o++) {
        const d = delta[r * nout + o]! / rows;
        gb[o] = gb[o]! + d;
        for (let i = 0; i < nin; i++) gW[o * nin + i] = gW[o * nin + i]! + d * h[l]![r * nin + i]!;
      }
    }
    dW[l] = gW;
    db[l] = gb;
    if (l > 0) {
      const next = new Float64Array(rows * nin);
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < nin; i++) {
          let s = 0;
          for (let o = 0; o < nout; o++) s += delta[r * nout + o]! * net.W[l]![o * nin + i]!;
          next[r * nin + i] = s * net.acts[l - 1]!.df(a[l - 1]![r * nin + i]!);
        }
      }
      delta = next;
    }
  }
  return { dW, db, loss: L };
}

/** Mean loss at the current weights (for finite differences). */
export function meanLoss(net: Mlp64, x: Float64Array, t: Float64Array, rows: number): number {
  const { h } = forward(net, x, rows);
  return loss(net, h[net.W.length]!, t, rows).loss;
}
