// The fused layer step: one pass over a (rows × n) spiking layer per time step, doing what the
// simulator (src/net/spiking.ts) used to do in six passes, with the same f32 operations in the same
// order, so the results are bit-identical to that sequence:
//   I    = alpha·cur + synDecay·I             (f32_axpby: the exponential current synapse)
//   I    = I + bias[j]                        (f32_add_row: the per-neuron bias drive)
//   the (adaptive) LIF step on input I       (assembly/drivers/lif.ts: spike, surrogate, reset, refractory)
//   post += spike (when countPost), deriv += surrogate, a += I   (f32_trace_step with lambda = 1: 1·x = x)
// and, when list != 0, the indices of this step's spiking neurons of each row in increasing order
// (list + r·n·4, i32) with their number in counts[r] (i32): the spike list the next layer's
// event-driven propagation reads. Generic over the surrogate op class and `adaptive` like lif().
// SIMD body and scalar tail use the same operations in the same order (no fused multiply-add).
//
// Memory traffic is what a step costs (the arithmetic per neuron is a dozen SIMD lanes' worth), so
// nothing is written that no caller reads: spikes, dstep and acc may be 0 (not written; the simulator
// asks for the per-step spikes and surrogates only when a rule reads them during the window), and
// with src != 0 the propagation is fused in: row r's input current is summed from the spike list of
// the layer below (src + r·k·4, srcCounts[r] entries, weights wt = Wᵀ [k × n]) exactly as
// f32_event_list_nn sums it, into cur's FIRST row, which serves every row as scratch — so the current
// never leaves the cache, and a pool chunk (its own first row) needs no other scratch.

import { listRow } from "../kernels/event";
import { lifLanes, lifOne } from "./lif";

// @ts-ignore: decorator
@inline export function lifLayer<Op>(
  adaptive: bool,
  rows: i32, n: i32, alpha: f32, synDecay: f32,
  decay: f32, vTh: f32, vReset: f32, resetMode: i32, refSteps: f32, surrogateK: f32, rho: f32, beta: f32, countPost: bool,
  cur: usize, bias: usize, I: usize, v: usize, refrac: usize, adapt: usize, spikes: usize, dstep: usize,
  post: usize, deriv: usize, acc: usize, list: usize, counts: usize,
  k: i32, src: usize, srcCounts: usize, wt: usize,
): i32 {
  const subtract = resetMode != 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * (<usize>n << 2);
    const lrow = list + row; // the row's spike list (n i32 slots)
    let crow = cur + row;
    if (src != 0) { // this row's input current, into the scratch row
      const cnt = min(max(load<i32>(srcCounts + (<usize>r << 2)), 0), k); // trusted lists; never read past a row
      listRow(n, k, src + <usize>r * (<usize>k << 2), cnt, wt, <usize>n << 2, cur);
      crow = cur;
    }
    let count = 0;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const valpha = f32x4.splat(alpha), vsyn = f32x4.splat(synDecay);
      const vdecay = f32x4.splat(decay), vth0 = f32x4.splat(vTh), vreset = f32x4.splat(vReset);
      const vrefSteps = f32x4.splat(refSteps), vk = f32x4.splat(surrogateK), vrho = f32x4.splat(rho), vbeta = f32x4.splat(beta);
      const vone = f32x4.splat(1);
      for (; j + 4 <= n; j += 4) {
        const o = row + (<usize>j << 2);
        const vi = f32x4.add(f32x4.add(f32x4.mul(valpha, v128.load(crow + (<usize>j << 2))), f32x4.mul(vsyn, v128.load(I + o))), v128.load(bias + (<usize>j << 2)));
        v128.store(I + o, vi);
        const vs = lifLanes<Op>(adaptive, subtract, vi, o, v, refrac, adapt, spikes, dstep, deriv, vdecay, vth0, vreset, vrefSteps, vk, vrho, vbeta);
        if (countPost) v128.store(post + o, f32x4.add(v128.load(post + o), v128.and(vs, vone)));
        if (acc != 0) v128.store(acc + o, f32x4.add(v128.load(acc + o), vi));
        // Without data-dependent branches (spikes are too irregular to predict): every lane's index is
        // written at the list's end and the end advances past the lanes that spiked. A write at the end
        // lands at most at slot j + lane of the row, inside it; slots past counts[r] are never read.
        const mask = i32x4.bitmask(vs);
        if (list != 0) {
          store<i32>(lrow + (<usize>count << 2), j); count += mask & 1;
          store<i32>(lrow + (<usize>count << 2), j + 1); count += (mask >> 1) & 1;
          store<i32>(lrow + (<usize>count << 2), j + 2); count += (mask >> 2) & 1;
          store<i32>(lrow + (<usize>count << 2), j + 3); count += (mask >> 3) & 1;
        } else count += <i32>popcnt<i32>(mask);
      }
    }
    for (; j < n; j++) { // the tail, and the whole row in the scalar build
      const o = row + (<usize>j << 2);
      const x = alpha * load<f32>(crow + (<usize>j << 2)) + synDecay * load<f32>(I + o) + load<f32>(bias + (<usize>j << 2));
      store<f32>(I + o, x);
      const s = lifOne<Op>(adaptive, subtract, x, o, v, refrac, adapt, spikes, dstep, deriv, decay, vTh, vReset, refSteps, surrogateK, rho, beta);
      if (list != 0) store<i32>(lrow + (<usize>count << 2), j);
      count += s;
      if (countPost) store<f32>(post + o, load<f32>(post + o) + <f32>s);
      if (acc != 0) store<f32>(acc + o, load<f32>(acc + o) + x);
    }
    if (counts != 0) store<i32>(counts + (<usize>r << 2), count);
    total += count;
  }
  return total;
}
