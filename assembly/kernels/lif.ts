// Leaky integrate-and-fire, one time step for every neuron of a (batch x neurons) array, fused:
// refractory hold -> integrate -> threshold -> surrogate derivative -> reset.
// Discrete map (decay = exp(-dt / tauMem), computed in TypeScript):
//   held (refrac > 0):  refrac -= 1, v = vReset, spike = 0, deriv = 0
//   otherwise:          v = decay * v + input;  spike = (v >= vTh);  deriv = 1 / (1 + k|v - vTh|)^2
//                       where spike: v = vReset (resetMode 0) or v = v - vTh (resetMode 1); refrac = refSteps
// The input is added unscaled: whether a model multiplies it by (1 - decay) (so a constant input I
// settles at v = I) or by dt / C is the neuron model's choice (src/neurons), made before this call.
// NOTE: deriv comes from the membrane before the reset. A held neuron cannot respond to its input, so
// its surrogate is 0.
// The loop lives in assembly/drivers/lif.ts, generic over the surrogate op class (assembly/ops/spike_*.ts)
// and over the adaptation; the three f32_lif_step* kernels differ only in the surrogate written to deriv.
// Adaptive LIF (f32_alif_step; Bellec et al. 2018, "Long short-term memory and learning-to-learn in
// networks of spiking neurons"): the threshold of neuron i is vTh + beta·A_i, with the adaptation
// A_i <- rho·A_i + s_i after every step (rho = exp(-dt / tauAdapt), computed in TypeScript).
import { lif } from "../drivers/lif";
import { SpikeSuper } from "../ops/spike_super";
import { SpikeTriangle } from "../ops/spike_triangle";
import { SpikeExp } from "../ops/spike_exp";

/**
 * One LIF step over n = batch * neurons elements (the map above); returns the number of spikes.
 * input, v, refrac, spikes, deriv: f32[n]; deriv == 0 (null) skips the surrogate. refrac counts the
 * remaining held steps (f32, integral in practice). resetMode: 0 = to vReset, 1 = subtract vTh.
 * input may alias spikes or deriv (each element is read before it is written); v, refrac, spikes and
 * deriv must not overlap each other. SIMD body and scalar tail use the same operations in the same
 * order (no fused multiply-add), so both builds give the same bits for finite inputs (a NaN output's
 * sign may differ between the SIMD and scalar builds, e.g. the triangle surrogate's derivative).
 */
export function f32_lif_step(
  n: i32, decay: f32, vTh: f32, vReset: f32, resetMode: i32, refSteps: f32, surrogateK: f32,
  input: usize, v: usize, refrac: usize, spikes: usize, deriv: usize,
): i32 {
  return lif<SpikeSuper>(false, n, decay, vTh, vReset, resetMode, refSteps, surrogateK, 0, 0, input, v, refrac, 0, spikes, deriv);
}

/** f32_lif_step with the triangle surrogate deriv = max(0, 1 - k|v - vTh|) (assembly/ops/spike_triangle.ts). */
export function f32_lif_step_triangle(
  n: i32, decay: f32, vTh: f32, vReset: f32, resetMode: i32, refSteps: f32, surrogateK: f32,
  input: usize, v: usize, refrac: usize, spikes: usize, deriv: usize,
): i32 {
  return lif<SpikeTriangle>(false, n, decay, vTh, vReset, resetMode, refSteps, surrogateK, 0, 0, input, v, refrac, 0, spikes, deriv);
}

/** f32_lif_step with the exponential surrogate deriv = exp(-k|v - vTh|) (assembly/ops/spike_exp.ts). */
export function f32_lif_step_exp(
  n: i32, decay: f32, vTh: f32, vReset: f32, resetMode: i32, refSteps: f32, surrogateK: f32,
  input: usize, v: usize, refrac: usize, spikes: usize, deriv: usize,
): i32 {
  return lif<SpikeExp>(false, n, decay, vTh, vReset, resetMode, refSteps, surrogateK, 0, 0, input, v, refrac, 0, spikes, deriv);
}

/**
 * One adaptive-LIF step over n elements; returns the spike count. As f32_lif_step with the threshold
 * th_i = vTh + beta * adapt[i] (rounded: product, then sum) in the spike test, the surrogate and the
 * subtraction reset; then adapt[i] = rho * adapt[i] + spike_i (held neurons: + 0). surrogate selects
 * the op: 0 = SuperSpike fast sigmoid, 1 = triangle, 2 = exponential. input may alias spikes or deriv;
 * v, refrac, adapt, spikes, deriv must not overlap each other.
 */
export function f32_alif_step(
  n: i32, decay: f32, vTh: f32, vReset: f32, resetMode: i32, refSteps: f32, surrogateK: f32, rho: f32, beta: f32, surrogate: i32,
  input: usize, v: usize, refrac: usize, adapt: usize, spikes: usize, deriv: usize,
): i32 {
  if (surrogate == 1) return lif<SpikeTriangle>(true, n, decay, vTh, vReset, resetMode, refSteps, surrogateK, rho, beta, input, v, refrac, adapt, spikes, deriv);
  if (surrogate == 2) return lif<SpikeExp>(true, n, decay, vTh, vReset, resetMode, refSteps, surrogateK, rho, beta, input, v, refrac, adapt, spikes, deriv);
  return lif<SpikeSuper>(true, n, decay, vTh, vReset, resetMode, refSteps, surrogateK, rho, beta, input, v, refrac, adapt, spikes, deriv);
}
