// Slow twins for the settling engine: the f32_settle_step kernel (Math.fround after every operation,
// in the kernel's order: 0 ulps), and a float64 layered-network settle used as ground truth by the
// rule tests (the fixed point and the energy-based loss J(θ) = C(s*(θ)) for finite differences).
const fr = Math.fround;

/** s ← clamp((1−ε)s + εx, lo, hi) in place; returns max |Δs| (NaN if any change is NaN). */
export function settleStep(n: number, eps: number, lo: number, hi: number, x: ArrayLike<number>, s: Float32Array): number {
  const e = fr(eps), k = fr(1 - eps), flo = fr(lo), fhi = fr(hi);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const sv = s[i]!;
    let t = fr(fr(k * sv) + fr(e * x[i]!));
    t = Number.isNaN(t) ? t : Math.min(Math.max(t, flo), fhi);
    s[i] = t;
    const d = fr(Math.abs(fr(t - sv)));
    m = Number.isNaN(d) || Number.isNaN(m) ? NaN : Math.max(m, d);
  }
  return m;
}

/**
 * settleDiffStep twin: s ← (1−ε)s + ε·clamp(d + (a − c), lo − c, hi − c), c = clamp(a, lo, hi), rounded
 * after every operation in the kernel's order; returns max |Δs| (NaN if any change is NaN).
 */
export function settleDiffStep(n: number, eps: number, lo: number, hi: number, a: ArrayLike<number>, d: ArrayLike<number>, s: Float32Array): number {
  const e = fr(eps), k = fr(1 - eps), flo = fr(lo), fhi = fr(hi);
  const nanMin = (x: number, y: number) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y));
  const nanMax = (x: number, y: number) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y));
  let m = 0;
  for (let i = 0; i < n; i++) {
    const av = fr(a[i]!), c = nanMin(nanMax(av, flo), fhi);
    const t = nanMin(nanMax(fr(fr(d[i]!) + fr(av - c)), fr(flo - c)), fr(fhi - c));
    const sv = s[i]!, nv = fr(fr(k * sv) + fr(e * t));
    s[i] = nv;
    m = nanMax(m, fr(Math.abs(fr(nv - sv))));
  }
  return m;
}

/** A layered net in float64: W[l] is [out, in] row-major, b[l] [out]. Hidden: hard sigmoid [0,1]; output linear. */
export interface Net64 { sizes: number[]; W: Float64Array[]; b: Float64Array[] }

export type Mode64 = { kind: 'free' } | { kind: 'nudge'; beta: number; loss: 'xent' | 'mse'; y: Float64Array } | { kind: 'clamp'; t: Float64Array };

const softmax = (z: Float64Array): Float64Array => {
  const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

/**
 * Settles one example to convergence (|Δ| < 1e-13 or 100 000 sweeps), layer by layer from the
 * feedforward state: s_l = clamp(W_l s_{l−1} + b_l + γ W_{l+1}ᵀ s_{l+1}) (hidden), output linear (+ nudge).
 * The xent nudge solves s + β(softmax(s) − y) = a by damped fixed-point iteration. Returns the states.
 */
export function settle64(net: Net64, x: ArrayLike<number>, gamma: number, mode: Mode64): Float64Array[] {
  const { sizes, W, b } = net, L = sizes.length - 1;
  const s: Float64Array[] = [Float64Array.from(x)];
  const drive = (l: number): Float64Array => { // layer l = 1..L
    const n = sizes[l]!, m = sizes[l - 1]!, a = new Float64Array(n);
    for (let i = 0; i < n; i++) { let v = b[l - 1]![i]!; for (let j = 0; j < m; j++) v += W[l - 1]![i * m + j]! * s[l - 1]![j]!; a[i] = v; }
    if (l < L) {
      const up = sizes[l + 1]!;
      for (let i = 0; i < n; i++) { let v = 0; for (let j = 0; j < up; j++) v += W[l]![j * n + i]! * s[l + 1]![j]!; a[i] = a[i]! + gamma * v; }
    }
    return a;
  };
  const update = (l: number): number => {
    let a = drive(l);
    if (l === L) {
      if (mode.kind === 'clamp') a = Float64Array.from(mode.t);
      else if (mode.kind === 'nudge' && mode.loss === 'mse') a = a.map((v, i) => (v + mode.beta * mode.y[i]!) / (1 + mode.beta));
      else if (mode.kind === 'nudge') {
        let o = Float64Array.from(s[L] ?? a);
        for (let it = 0; it < 100000; it++) {
          const p = softmax(o), next = a.map((v, i) => v - mode.beta * (p[i]! - mode.y[i]!));
          let d = 0; for (let i = 0; i < o.length; i++) d = Math.max(d, Math.abs(next[i]! - o[i]!));
          o = next;
          if (d < 1e-15) break;
        }
        a = o;
      }
    } else a = a.map((v) => Math.min(Math.max(v, 0), 1));
    let d = 0;
    if (s[l]) for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - s[l]![i]!));
    else d = Infinity;
    s[l] = a;
    return d;
  };
  const ff = { ...mode };
  void ff;
  for (let l = 1; l <= L; l++) { // feedforward warm start (no feedback yet: layers above are empty)
    const n = sizes[l]!, m = sizes[l - 1]!, a = new Float64Array(n);
    for (let i = 0; i < n; i++) { let v = b[l - 1]![i]!; for (let j = 0; j < m; j++) v += W[l - 1]![i * m + j]! * s[l - 1]![j]!; a[i] = l < L ? Math.min(Math.max(v, 0), 1) : v; }
    s[l] = a;
  }
  for (let it = 0; it < 100000; it++) {
    let d = 0;
    for (let l = L; l >= 1; l--) d = Math.max(d, update(l));
    if (d < 1e-13) break;
  }
  return s;
}

/** Mean over examples of the loss at the free fixed point: J(θ) = C(s*_L(θ)). */
export function loss64(net: Net64, xs: Float64Array[], ys: Float64Array[], gamma: number, loss: 'xent' | 'mse'): number {
  let J = 0;
  for (let r = 0; r < xs.length; r++) {
    const s = settle64(net, xs[r]!, gamma, { kind: 'free' }), o = s[s.length - 1]!, y = ys[r]!;
    if (loss === 'xent') { const p = softmax(o); for (let i = 0; i < o.length; i++) J -= y[i]! * Math.log(p[i]!); }
    else for (let i = 0; i < o.length; i++) J += 0.5 * (o[i]! - y[i]!) ** 2;
  }
  return J / xs.length;
}
