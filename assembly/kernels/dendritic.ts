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
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const vlL = f32x4.splat(lamL), vlS = f32x4.splat(lamS), vpA = f32x4.splat(pA), vpB = f32x4.splat(pB);
      const vgA = f32x4.splat(gA), vgS = f32x4.splat(gS), vdS = f32x4.splat(dS), vk = f32x4.splat(kAvg);
      for (; i + 4 <= n; i += 4) {
        const o = o0 + (<usize>i << 2);
        const c = v128.load(cur + o);
        const l = f32x4.add(f32x4.mul(vlL, v128.load(yl + o)), c);
        const s = f32x4.add(f32x4.mul(vlS, v128.load(ys + o)), c);
        v128.store(yl + o, l);
        v128.store(ys + o, s);
        let va = f32x4.add(f32x4.mul(vpA, l), f32x4.mul(vpB, s));
        if (bias != 0) va = f32x4.add(va, v128.load(bias + (<usize>i << 2)));
        v128.store(a + o, va);
        let v = f32x4.add(f32x4.mul(vgA, va), f32x4.mul(vgS, v128.load(soma + o)));
        if (drive != 0) v = f32x4.add(v, f32x4.mul(vdS, v128.load(drive + o)));
        v128.store(soma + o, v);
        const q = sigmoid4(v);
        v128.store(sig + o, q);
        if (avg != 0) v128.store(avg + o, f32x4.add(v128.load(avg + o), f32x4.mul(vk, avgSig != 0 ? q : v)));
      }
    }
    for (; i < n; i++) { // the tail, and every unit in the scalar build
      const o = o0 + (<usize>i << 2);
      const c = load<f32>(cur + o);
      const l = lamL * load<f32>(yl + o) + c, s = lamS * load<f32>(ys + o) + c;
      store<f32>(yl + o, l);
      store<f32>(ys + o, s);
      let va = pA * l + pB * s;
      if (bias != 0) va = va + load<f32>(bias + (<usize>i << 2));
      store<f32>(a + o, va);
      let v = gA * va + gS * load<f32>(soma + o);
      if (drive != 0) v = v + dS * load<f32>(drive + o);
      store<f32>(soma + o, v);
      const q = sigmoid1(v);
      store<f32>(sig + o, q);
      if (avg != 0) store<f32>(avg + o, load<f32>(avg + o) + kAvg * (avgSig != 0 ? q : v));
    }
  }
  f32_spike_traces(total, rate, sig, state, spikes, lamL, lamS, xl, xs);
}

/** s = [u < rate·p] (f32_bernoulli: one u32 of `state` per unit, in order), then x_L ← λL·x_L + s and
 *  x_S ← λS·x_S + s (f32_trace_step) over n units: a spiking input layer's step. */
export function f32_spike_traces(n: i32, rate: f32, p: usize, state: usize, spikes: usize, lamL: f32, lamS: f32, xl: usize, xs: usize): void {
  f32_bernoulli(n, rate, p, state, spikes);
  f32_trace_step(n, lamL, spikes, xl);
  f32_trace_step(n, lamS, spikes, xs);
}
