// Output losses and row-wise classification helpers over row-major [m × n] f32 matrices (one example per
// row). Losses return the SUM over the batch (divide by m in TS for a mean); the per-row sums are f32,
// the sum over rows is accumulated in f64 and rounded once.
import { exp4, exp1, log1 } from "../ops/math";

/**
 * Softmax cross-entropy, per row i of logits [m × n] with target [m × n] (one-hot or soft):
 *   μ = max_j l_j,  d_j = l_j − μ,  s = Σ_j e^{d_j},  probs_j = e^{d_j}/s,  grad_j = probs_j − t_j,
 *   loss_i = −Σ_j t_j·log(probs_j) = (Σ_j t_j)·log s − Σ_j t_j·d_j          (log-sum-exp form)
 * Returns Σ_i loss_i. The log-sum-exp form keeps the loss finite when a probability underflows to 0
 * (logits ±1e4 are fine). probs may alias logits and grad may alias target; no other overlaps.
 * Non-finite logits give NaN. e^x uses exp4 from ops/math (EXP_MAX_REL_ERR), log uses log1. n >= 1.
 */
export function f32_softmax_xent(m: i32, n: i32, logits: usize, target: usize, probs: usize, grad: usize): f32 {
  let total: f64 = 0;
  const rowBytes = <usize>n << 2;
  for (let r = 0; r < m; r++) {
    const off = <usize>r * rowBytes;
    const l = logits + off, t = target + off, p = probs + off, g = grad + off;
    // 1. row max
    let mu = load<f32>(l);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      if (n >= 4) {
        let vmu = v128.load(l);
        for (j = 4; j + 4 <= n; j += 4) vmu = f32x4.max(vmu, v128.load(l + (<usize>j << 2)));
        mu = max<f32>(max<f32>(f32x4.extract_lane(vmu, 0), f32x4.extract_lane(vmu, 1)), max<f32>(f32x4.extract_lane(vmu, 2), f32x4.extract_lane(vmu, 3)));
      }
    }
    for (; j < n; j++) mu = max<f32>(mu, load<f32>(l + (<usize>j << 2)));
    // 2. e^{d_j} into probs; s = Σ e, sumT = Σ t, sumTD = Σ t·d
    let s: f32 = 0, sumT: f32 = 0, sumTD: f32 = 0;
    j = 0;
    if (ASC_FEATURE_SIMD) {
      const vmu = f32x4.splat(mu);
      let vs = f32x4.splat(0), vt = f32x4.splat(0), vtd = f32x4.splat(0);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        const vd = f32x4.sub(v128.load(l + o), vmu);
        const vtj = v128.load(t + o);
        const ve = exp4(vd);
        v128.store(p + o, ve);
        vs = f32x4.add(vs, ve);
        vt = f32x4.add(vt, vtj);
        vtd = f32x4.add(vtd, f32x4.mul(vtj, vd));
      }
      s = (f32x4.extract_lane(vs, 0) + f32x4.extract_lane(vs, 1)) + (f32x4.extract_lane(vs, 2) + f32x4.extract_lane(vs, 3));
      sumT = (f32x4.extract_lane(vt, 0) + f32x4.extract_lane(vt, 1)) + (f32x4.extract_lane(vt, 2) + f32x4.extract_lane(vt, 3));
      sumTD = (f32x4.extract_lane(vtd, 0) + f32x4.extract_lane(vtd, 1)) + (f32x4.extract_lane(vtd, 2) + f32x4.extract_lane(vtd, 3));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const d = load<f32>(l + o) - mu;
      const tj = load<f32>(t + o);
      const e = exp1(d);
      store<f32>(p + o, e);
      s += e;
      sumT += tj;
      sumTD += tj * d;
    }
    // 3. normalise, gradient
    j = 0;
    if (ASC_FEATURE_SIMD) {
      const vsum = f32x4.splat(s);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        const vp = f32x4.div(v128.load(p + o), vsum);
        v128.store(p + o, vp);
        v128.store(g + o, f32x4.sub(vp, v128.load(t + o)));
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const pj = load<f32>(p + o) / s;
      store<f32>(p + o, pj);
      store<f32>(g + o, pj - load<f32>(t + o));
    }
    total += <f64>(sumT * log1(s) - sumTD);
  }
  return <f32>total;
}

/**
 * Squared error over y, target [m × n]: grad = y − target (element-wise), returns 0.5·Σ (y − t)² over
 * all m·n elements (sum, not mean). Per-row sums in f32 (4 lane partial sums in the SIMD build), rows
 * summed in f64. grad may alias y or target.
 */
export function f32_mse(m: i32, n: i32, y: usize, target: usize, grad: usize): f32 {
  let total: f64 = 0;
  const rowBytes = <usize>n << 2;
  for (let r = 0; r < m; r++) {
    const off = <usize>r * rowBytes;
    const yr = y + off, tr = target + off, gr = grad + off;
    let s: f32 = 0;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      let vs = f32x4.splat(0);
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        const vd = f32x4.sub(v128.load(yr + o), v128.load(tr + o));
        v128.store(gr + o, vd);
        vs = f32x4.add(vs, f32x4.mul(vd, vd));
      }
      s = (f32x4.extract_lane(vs, 0) + f32x4.extract_lane(vs, 1)) + (f32x4.extract_lane(vs, 2) + f32x4.extract_lane(vs, 3));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const d = load<f32>(yr + o) - load<f32>(tr + o);
      store<f32>(gr + o, d);
      s += d * d;
    }
    total += <f64>s;
  }
  return <f32>(0.5 * total);
}

// The column of the first maximum of row r (values > -Inf only: NaN never wins; a row with no value
// above -Inf gives 0). Scalar on purpose: rows are short (10 classes) and the first-max rule is exact.
// @ts-ignore: decorator
@inline function argmaxRow(n: i32, row: usize): i32 {
  let best: f32 = -Infinity;
  let k = 0;
  for (let j = 0; j < n; j++) {
    const v = load<f32>(row + (<usize>j << 2));
    if (v > best) { best = v; k = j; }
  }
  return k;
}

/** The number of rows i < m where argmax(x[i, :]) == argmax(target[i, :]) (first max wins in both;
 *  one-hot or soft targets). x, target [m × n], n >= 1. */
export function f32_count_correct(m: i32, n: i32, x: usize, target: usize): i32 {
  const rowBytes = <usize>n << 2;
  let c = 0;
  for (let i = 0; i < m; i++) {
    const off = <usize>i * rowBytes;
    if (argmaxRow(n, x + off) == argmaxRow(n, target + off)) c++;
  }
  return c;
}
