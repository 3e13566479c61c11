// Fused per-layer time steps of the spiking simulator (src/net/spiking.ts): one kernel call per layer
// per step instead of a synapse axpby, a bias row add, the neuron step and three running sums. Each
// gives the same bits as that sequence of kernels (the operations and their order are kept; see
// assembly/drivers/layer.ts).
import { lifLayer } from "../drivers/layer";
import { SpikeSuper } from "../ops/spike_super";
import { SpikeTriangle } from "../ops/spike_triangle";
import { SpikeExp } from "../ops/spike_exp";

/**
 * One time step of a (rows × n) LIF or adaptive-LIF layer (assembly/drivers/layer.ts): the synaptic
 * current I = alpha·cur + synDecay·I + bias[j], the neuron step on it (f32_lif_step / f32_alif_step
 * with the same parameters; adaptive != 0 uses adapt, rho and beta), the running sums post += spike
 * (countPost != 0), deriv += surrogate, acc += I, and the spike list when list != 0 (counts: i32[rows]).
 * spikes, dstep and acc may be 0: not written. With src != 0, cur is not read but computed, row by row
 * into its first row, from the spike lists of the layer below (src: i32[rows·k], srcCounts: i32[rows])
 * and wt = Wᵀ (f32[k·n]), as f32_event_list_nn computes it (see assembly/drivers/layer.ts).
 * surrogate: 0 = SuperSpike fast sigmoid, 1 = triangle, 2 = exponential. Returns the spike count.
 * No buffer may overlap another (cur may not be I); every f32 buffer but bias and wt is rows·n, bias is n.
 */
export function f32_lif_layer_step(
  rows: i32, n: i32, alpha: f32, synDecay: f32,
  decay: f32, vTh: f32, vReset: f32, resetMode: i32, refSteps: f32, surrogateK: f32, rho: f32, beta: f32,
  surrogate: i32, adaptive: i32, countPost: i32,
  cur: usize, bias: usize, I: usize, v: usize, refrac: usize, adapt: usize, spikes: usize, dstep: usize,
  post: usize, deriv: usize, acc: usize, list: usize, counts: usize,
  k: i32, src: usize, srcCounts: usize, wt: usize,
): i32 {
  const cp = countPost != 0;
  if (adaptive != 0) {
    if (surrogate == 1) return lifLayer<SpikeTriangle>(true, rows, n, alpha, synDecay, decay, vTh, vReset, resetMode, refSteps, surrogateK, rho, beta, cp, cur, bias, I, v, refrac, adapt, spikes, dstep, post, deriv, acc, list, counts, k, src, srcCounts, wt);
    if (surrogate == 2) return lifLayer<SpikeExp>(true, rows, n, alpha, synDecay, decay, vTh, vReset, resetMode, refSteps, surrogateK, rho, beta, cp, cur, bias, I, v, refrac, adapt, spikes, dstep, post, deriv, acc, list, counts, k, src, srcCounts, wt);
    return lifLayer<SpikeSuper>(true, rows, n, alpha, synDecay, decay, vTh, vReset, resetMode, refSteps, surrogateK, rho, beta, cp, cur, bias, I, v, refrac, adapt, spikes, dstep, post, deriv, acc, list, counts, k, src, srcCounts, wt);
  }
  if (surrogate == 1) return lifLayer<SpikeTriangle>(false, rows, n, alpha, synDecay, decay, vTh, vReset, resetMode, refSteps, surrogateK, 0, 0, cp, cur, bias, I, v, refrac, 0, spikes, dstep, post, deriv, acc, list, counts, k, src, srcCounts, wt);
  if (surrogate == 2) return lifLayer<SpikeExp>(false, rows, n, alpha, synDecay, decay, vTh, vReset, resetMode, refSteps, surrogateK, 0, 0, cp, cur, bias, I, v, refrac, 0, spikes, dstep, post, deriv, acc, list, counts, k, src, srcCounts, wt);
  return lifLayer<SpikeSuper>(false, rows, n, alpha, synDecay, decay, vTh, vReset, resetMode, refSteps, surrogateK, 0, 0, cp, cur, bias, I, v, refrac, 0, spikes, dstep, post, deriv, acc, list, counts, k, src, srcCounts, wt);
}

/**
 * One time step of the non-spiking membrane readout (rows × n): I = alpha·cur + synDecay·I + bias[j],
 * m = (1 − λo)·I + λo·m (oneMinusLo and lo given, as f32_axpby rounds them), post += m when
 * countPost != 0. Bit-identical to f32_axpby, f32_add_row, f32_axpby and f32_trace_step (lambda 1).
 */
export function f32_readout_step(
  rows: i32, n: i32, alpha: f32, synDecay: f32, oneMinusLo: f32, lo: f32, countPost: i32,
  cur: usize, bias: usize, I: usize, m: usize, post: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * (<usize>n << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const valpha = f32x4.splat(alpha), vsyn = f32x4.splat(synDecay), va = f32x4.splat(oneMinusLo), vlo = f32x4.splat(lo);
      for (; j + 4 <= n; j += 4) {
        const o = row + (<usize>j << 2);
        const vi = f32x4.add(f32x4.add(f32x4.mul(valpha, v128.load(cur + o)), f32x4.mul(vsyn, v128.load(I + o))), v128.load(bias + (<usize>j << 2)));
        v128.store(I + o, vi);
        const vm = f32x4.add(f32x4.mul(va, vi), f32x4.mul(vlo, v128.load(m + o)));
        v128.store(m + o, vm);
        if (countPost != 0) v128.store(post + o, f32x4.add(v128.load(post + o), vm));
      }
    }
    for (; j < n; j++) {
      const o = row + (<usize>j << 2);
      const x = alpha * load<f32>(cur + o) + synDecay * load<f32>(I + o) + load<f32>(bias + (<usize>j << 2));
      store<f32>(I + o, x);
      const y = oneMinusLo * x + lo * load<f32>(m + o);
      store<f32>(m + o, y);
      if (countPost != 0) store<f32>(post + o, load<f32>(post + o) + y);
    }
  }
}
