// One time step of a layer of the spiking three-compartment network (Guerguiev, Lillicrap & Richards
// 2017, Methods; src/net/dendritic.ts), after its input current cur = s·Wᵀ, in one call over the layer:
//   y_L ← λL·y_L + cur,  y_S ← λS·y_S + cur                  PSP traces of the current
//   a    = pA·y_L + pB·y_S (+ b)                             basal / dendritic potential W·PSP (+ bias)
//   soma ← gA·a + gS·soma (+ dS·drive)                       Euler step of the soma (target phase: the
//                                                            teaching drive of the output soma)
//   sig  = σ(soma)
//   avg += kAvg·(soma or sig)                                phase averages (C̄, Ū or φ̄^t), when asked
//   s    = [u < rate·sig]                                    spikes (Bernoulli, one u32 of the stream each)
//   x_L ← λL·x_L + s,  x_S ← λS·x_S + s                      PSP traces of the spikes
// Each line rounds as the kernel it replaces (f32_trace_step, f32_scale_add, f32_add_row, f32_axpby,
// f32_axpy, f32_sigmoid_fwd, f32_bernoulli), in the same order over the same elements, so the result
// and the random stream are bit-identical to that sequence of calls; here the layer's state is read
// and written once per step instead of once per call.
import { sigmoid4, sigmoid1 } from "../ops/sigmoid";
import { f32_bernoulli } from "./rng";
import { f32_trace_step } from "./trace";
import { listRow } from "./event";

// 2^-24, as in rng.ts: (x >>> 8)·2^-24 is the uniform f32_bernoulli compares.
const INV_2_24: f32 = 5.9604644775390625e-8;

/**
 * The step above for `rows` rows of n units (buffers rows × n, bias n; bias, drive and avg may be 0 = not
 * used; avgSig != 0 averages sig, else soma). state: the random stream (4 u32), advanced by rows·n draws.
 * Outputs must not alias one another or the inputs.
 */
export function f32_dendritic_step(
  rows: i32, n: i32, cur: usize, yl: usize, ys: usize, lamL: f32, lamS: f32, pA: f32, pB: f32, bias: usize, a: usize,
  soma: usize, gA: f32, gS: f32, drive: usize, dS: f32, sig: usize, avg: usize, kAvg: f32, avgSig: i32,
  state: usize, rate: f32, spikes: usize, xl: usize, xs: usize,
): void {
  const total = rows * n;
  for (let r = 0; r < rows; r++) {
    const o0 = <usize>(r * n) << 2;
    somaRow(n, cur + o0, yl + o0, ys + o0, lamL, lamS, pA, pB, bias, a + o0, soma + o0, gA, gS, drive != 0 ? drive + o0 : 0, dS, sig + o0, avg != 0 ? avg + o0 : 0, kAvg, avgSig);
  }
  f32_spike_traces(total, rate, sig, state, spikes, lamL, lamS, xl, xs);
}

/** The element chain of f32_dendritic_step on one row of n units (every pointer at that row; bias is
 *  the [n] vector; bias, drive, avg may be 0): current traces to sig and the phase average. */
// @ts-ignore: decorator
@inline function somaRow(
  n: i32, cur: usize, yl: usize, ys: usize, lamL: f32, lamS: f32, pA: f32, pB: f32, bias: usize, a: usize,
  soma: usize, gA: f32, gS: f32, drive: usize, dS: f32, sig: usize, avg: usize, kAvg: f32, avgSig: i32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlL = f32x4.splat(lamL), vlS = f32x4.splat(lamS), vpA = f32x4.splat(pA), vpB = f32x4.splat(pB);
    const vgA = f32x4.splat(gA), vgS = f32x4.splat(gS), vdS = f32x4.splat(dS), vk = f32x4.splat(kAvg);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const c = v128.load(cur + o);
      const l = f32x4.add(f32x4.mul(vlL, v128.load(yl + o)), c);
      const s = f32x4.add(f32x4.mul(vlS, v128.load(ys + o)), c);
      v128.store(yl + o, l);
      v128.store(ys + o, s);
      let va = f32x4.add(f32x4.mul(vpA, l), f32x4.mul(vpB, s));
      if (bias != 0) va = f32x4.add(va, v128.load(bias + o));
      if (a != 0) v128.store(a + o, va);
      let v = f32x4.add(f32x4.mul(vgA, va), f32x4.mul(vgS, v128.load(soma + o)));
      if (drive != 0) v = f32x4.add(v, f32x4.mul(vdS, v128.load(drive + o)));
      v128.store(soma + o, v);
      const q = sigmoid4(v);
      v128.store(sig + o, q);
      if (avg != 0) v128.store(avg + o, f32x4.add(v128.load(avg + o), f32x4.mul(vk, avgSig != 0 ? q : v)));
    }
  }
  for (; i < n; i++) { // the tail, and every unit in the scalar build
    const o = <usize>i << 2;
    const c = load<f32>(cur + o);
    const l = lamL * load<f32>(yl + o) + c, s = lamS * load<f32>(ys + o) + c;
    store<f32>(yl + o, l);
    store<f32>(ys + o, s);
    let va = pA * l + pB * s;
    if (bias != 0) va = va + load<f32>(bias + o);
    if (a != 0) store<f32>(a + o, va);
    let v = gA * va + gS * load<f32>(soma + o);
    if (drive != 0) v = v + dS * load<f32>(drive + o);
    store<f32>(soma + o, v);
    const q = sigmoid1(v);
    store<f32>(sig + o, q);
    if (avg != 0) store<f32>(avg + o, load<f32>(avg + o) + kAvg * (avgSig != 0 ? q : v));
  }
}

/** One unit's spike traces x_L ← λL·x_L + s, x_S ← λS·x_S + s at byte offset o, and, when pbar != 0, its
 *  presynaptic average pbar += kL·x_L + kS·x_S (in that order): the step kernels' shared tail. */
// @ts-ignore: decorator
@inline function spikeTraces(o: usize, s: f32, lamL: f32, lamS: f32, xl: usize, xs: usize, pbar: usize, kL: f32, kS: f32): void {
  const l = lamL * load<f32>(xl + o) + s, m = lamS * load<f32>(xs + o) + s;
  store<f32>(xl + o, l);
  store<f32>(xs + o, m);
  if (pbar != 0) {
    const pb = load<f32>(pbar + o) + kL * l;
    store<f32>(pbar + o, pb + kS * m);
  }
}

/**
 * f32_dendritic_step with the layer's propagation before it and spike lists after it, one call per layer
 * per step (src/net/dendritic.ts): row r's current cur = s·Wᵀ is summed from the spike list of the layer
 * below (src + r·k·4, srcCounts[r] entries, increasing; wt = Wᵀ [k × n]) as f32_event_list_nn sums it,
 * into cur's row r; then the chain of f32_dendritic_step (a may be 0: not written); then per unit, in
 * the order of f32_bernoulli over the rows, s = [u < rate·sig] from `state`, written to spikes (when
 * != 0) and to row r's list (list + r·n·4, i32, increasing; the count at counts + r·4); when traces != 0,
 * x_L ← λL·x_L + s and x_S ← λS·x_S + s; when pbar != 0, pbar += kL·x_L, then pbar += kS·x_S (two
 * f32_axpy: the next layer's presynaptic PSP average (x_L − x_S)/(τL − τS)/window in the authors' form).
 * Bit-identical to f32_event_list_nn, f32_dendritic_step and two f32_axpy. Returns the number of spikes,
 * or ~r (negative) without writing anything when srcCounts[r] is outside [0, k]. No buffer may overlap
 * another but src and srcCounts, which are only read.
 */
export function f32_dendritic_layer_step(
  rows: i32, n: i32, k: i32, src: usize, srcCounts: usize, wt: usize,
  cur: usize, yl: usize, ys: usize, lamL: f32, lamS: f32, pA: f32, pB: f32, bias: usize, a: usize,
  soma: usize, gA: f32, gS: f32, drive: usize, dS: f32, sig: usize, avg: usize, kAvg: f32, avgSig: i32,
  state: usize, rate: f32, spikes: usize, list: usize, counts: usize, traces: i32, xl: usize, xs: usize,
  pbar: usize, kL: f32, kS: f32,
): i32 {
  for (let r = 0; r < rows; r++) { // before any work: a count outside [0, k] returns ~r
    const cnt = load<i32>(srcCounts + (<usize>r << 2));
    if (cnt < 0 || cnt > k) return ~r;
  }
  const ldb = <usize>n << 2;
  let sa = load<u32>(state), sb = load<u32>(state, 4), sc = load<u32>(state, 8), sd = load<u32>(state, 12);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o0 = <usize>r * ldb;
    listRow(n, k, src + <usize>r * (<usize>k << 2), load<i32>(srcCounts + (<usize>r << 2)), wt, ldb, cur + o0);
    somaRow(n, cur + o0, yl + o0, ys + o0, lamL, lamS, pA, pB, bias, a != 0 ? a + o0 : 0, soma + o0, gA, gS, drive != 0 ? drive + o0 : 0, dS, sig + o0, avg != 0 ? avg + o0 : 0, kAvg, avgSig);
    // The draws first, one u32 per unit in order, into the row's list (n slots): the generator's
    // dependency chain then runs alone, and the rest of the chain is elementwise, four units at a time.
    const lrow = list + o0;
    for (let i = 0; i < n; i++) {
      const x = rotl<u32>(sb * 5, 7) * 9; const t = sb << 9; sc ^= sa; sd ^= sb; sb ^= sc; sa ^= sd; sc ^= t; sd = rotl<u32>(sd, 11);
      store<u32>(lrow + (<usize>i << 2), x);
    }
    // Then s = [u < rate·sig] with u = (x >>> 8)·2^-24 (exact in f32 either way), the spikes, the list
    // written over the draws (entry `count` ≤ i: a slot already read), and the traces.
    let count = 0, i = 0;
    if (ASC_FEATURE_SIMD) {
      const vrate = f32x4.splat(rate), vinv = f32x4.splat(INV_2_24), vone = f32x4.splat(1);
      const vlL = f32x4.splat(lamL), vlS = f32x4.splat(lamS), vkL = f32x4.splat(kL), vkS = f32x4.splat(kS);
      for (; i + 4 <= n; i += 4) {
        const o = o0 + (<usize>i << 2);
        const u = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(v128.load(lrow + (<usize>i << 2)), 8)), vinv);
        const lt = f32x4.lt(u, f32x4.mul(vrate, v128.load(sig + o)));
        const s = v128.and(lt, vone);
        if (spikes != 0) v128.store(spikes + o, s);
        let bits = i32x4.bitmask(lt);
        while (bits != 0) {
          store<i32>(lrow + (<usize>count << 2), i + <i32>ctz<i32>(bits));
          count++;
          bits &= bits - 1;
        }
        if (traces != 0) {
          const l = f32x4.add(f32x4.mul(vlL, v128.load(xl + o)), s), m = f32x4.add(f32x4.mul(vlS, v128.load(xs + o)), s);
          v128.store(xl + o, l);
          v128.store(xs + o, m);
          if (pbar != 0) v128.store(pbar + o, f32x4.add(f32x4.add(v128.load(pbar + o), f32x4.mul(vkL, l)), f32x4.mul(vkS, m)));
        }
      }
    }
    for (; i < n; i++) { // the tail, and every unit in the scalar build
      const o = o0 + (<usize>i << 2);
      const x = load<u32>(lrow + (<usize>i << 2));
      const s: f32 = <f32>(x >>> 8) * INV_2_24 < rate * load<f32>(sig + o) ? <f32>1 : <f32>0;
      if (spikes != 0) store<f32>(spikes + o, s);
      if (s != 0) store<i32>(lrow + (<usize>(count++) << 2), i);
      if (traces != 0) spikeTraces(o, s, lamL, lamS, xl, xs, pbar, kL, kS);
    }
    store<i32>(counts + (<usize>r << 2), count);
    total += count;
  }
  store<u32>(state, sa); store<u32>(state, sb, 4); store<u32>(state, sc, 8); store<u32>(state, sd, 12);
  return total;
}

/**
 * The input layer's step over the pixels that can spike (f32_poisson_prepare's lists for this
 * presentation: row r's pixel indices idx + r·n·4 and probabilities q + r·n·4, nnz[r] of them): per
 * listed pixel in order, one draw of `state`, s = [u < q] (f32_bernoulli's rule on rate·p), the pixel
 * appended to row r's list when it spikes (list + r·n·4, count at counts + r·4); when traces != 0 its
 * x_L, x_S and, when pbar != 0, its pbar updated as in f32_dendritic_layer_step. A pixel that cannot
 * spike draws nothing and keeps x = 0 (the traces start at rest), so the step costs the lit pixels only.
 * Returns the number of spikes. nnz[r] is clamped into [0, n] (the lists are this core's own output).
 */
export function f32_dendritic_input_step(
  rows: i32, n: i32, idx: usize, q: usize, nnz: usize, state: usize, list: usize, counts: usize,
  traces: i32, lamL: f32, lamS: f32, xl: usize, xs: usize, pbar: usize, kL: f32, kS: f32,
): i32 {
  let sa = load<u32>(state), sb = load<u32>(state, 4), sc = load<u32>(state, 8), sd = load<u32>(state, 12);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o0 = <usize>r * (<usize>n << 2), lrow = list + o0;
    const c = min(max(load<i32>(nnz + (<usize>r << 2)), 0), n);
    let count = 0;
    for (let e = 0; e < c; e++) {
      const x = rotl<u32>(sb * 5, 7) * 9; const t = sb << 9; sc ^= sa; sd ^= sb; sb ^= sc; sa ^= sd; sc ^= t; sd = rotl<u32>(sd, 11);
      const i = load<i32>(idx + o0 + (<usize>e << 2));
      const s: f32 = <f32>(x >>> 8) * INV_2_24 < load<f32>(q + o0 + (<usize>e << 2)) ? <f32>1 : <f32>0;
      store<i32>(lrow + (<usize>count << 2), i);
      count += <i32>(s != 0);
      if (traces != 0) {
        const o = o0 + (<usize>i << 2);
        spikeTraces(o, s, lamL, lamS, xl, xs, pbar, kL, kS);
      }
    }
    store<i32>(counts + (<usize>r << 2), count);
    total += count;
  }
  store<u32>(state, sa); store<u32>(state, sb, 4); store<u32>(state, sc, 8); store<u32>(state, sd, 12);
  return total;
}

/** s = [u < rate·p] (f32_bernoulli: one u32 of `state` per unit, in order), then x_L ← λL·x_L + s and
 *  x_S ← λS·x_S + s (f32_trace_step) over n units: a spiking input layer's step. */
export function f32_spike_traces(n: i32, rate: f32, p: usize, state: usize, spikes: usize, lamL: f32, lamS: f32, xl: usize, xs: usize): void {
  f32_bernoulli(n, rate, p, state, spikes);
  f32_trace_step(n, lamL, spikes, xl);
  f32_trace_step(n, lamS, spikes, xs);
}
