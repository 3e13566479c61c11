// Float64 backprop of an arbitrary output teaching signal through one example, straight from the
// equations: δ_L given, δ_l = (δ_{l+1} W_{l+1}) ⊙ f'(a_l), dW_l = δ_l h_{l−1}ᵀ, db_l = δ_l.
// Used by the attention-gated rules' tests (expected update = BP on the selected output's error).
import { act64 } from './mlp.js';

export interface Net64 {
  sizes: number[];
  W: Float64Array[];
  b: Float64Array[];
  acts: string[]; // hidden activations, one per hidden layer (the output is linear)
}

export function forward64(n: Net64, x: ArrayLike<number>): { a: Float64Array[]; h: Float64Array[] } {
  const h: Float64Array[] = [Float64Array.from(x)], a: Float64Array[] = [];
  for (let l = 0; l < n.W.length; l++) {
    const nin = n.sizes[l]!, nout = n.sizes[l + 1]!;
    const al = new Float64Array(nout), hl = new Float64Array(nout);
    const f = l < n.acts.length ? act64(n.acts[l]!) : { f: (v: number) => v, df: () => 1 };
    for (let o = 0; o < nout; o++) {
      let s = n.b[l]![o]!;
      for (let i = 0; i < nin; i++) s += n.W[l]![o * nin + i]! * h[l]![i]!;
      al[o] = s;
      hl[o] = f.f(s);
    }
    a.push(al);
    h.push(hl);
  }
  return { a, h };
}

/** dW_l for a given output δ (loss-gradient convention) on input x. */
export function bpFromOutputDelta(n: Net64, x: ArrayLike<number>, deltaOut: ArrayLike<number>): Float64Array[] {
  const { a, h } = forward64(n, x);
  const L = n.W.length, dW: Float64Array[] = new Array(L);
  let d = Float64Array.from(deltaOut);
  for (let l = L - 1; l >= 0; l--) {
    const nin = n.sizes[l]!, nout = n.sizes[l + 1]!;
    const g = new Float64Array(nout * nin);
    for (let o = 0; o < nout; o++) for (let i = 0; i < nin; i++) g[o * nin + i] = d[o]! * h[l]![i]!;
    dW[l] = g;
    if (l > 0) {
      const f = act64(n.acts[l - 1]!);
      const next = new Float64Array(nin);
      for (let i = 0; i < nin; i++) {
        let s = 0;
        for (let o = 0; o < nout; o++) s += d[o]! * n.W[l]![o * nin + i]!;
        next[i] = s * f.df(a[l - 1]![i]!);
      }
      d = next;
    }
  }
  return dW;
}
