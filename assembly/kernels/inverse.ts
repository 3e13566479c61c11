// Inverse steps of the invertible activations, one export per activation, all with the signature
//   f32_inverse_step_<op>(n, slope, a, h, d, q)
// writing q[i] = f⁻¹(h[i] + d[i]) − a[i] for i < n, where a is the pre-activation and h = f(a) the
// activity (GAIT-prop's incremental target step, src/rules/gaitprop.ts). q may alias a, h and/or d
// (GAIT-prop computes it in place over d). slope is used by leaky ReLU only (> 0), ignored otherwise.
// Math, special values and error bounds: assembly/ops/inverse.ts (tanh: ATANH_MAX_REL_ERR on the
// atanh step; linear and leaky ReLU: correctly rounded f32 operations).
import { zip3 } from "../drivers/zip3";
import { InverseTanh, InverseLeakyRelu } from "../ops/inverse";

/** q = d (identity: f⁻¹(h + d) − a = d exactly when h = a). q may be d (then nothing moves). */
export function f32_inverse_step_linear(n: i32, slope: f32, a: usize, h: usize, d: usize, q: usize): void {
  if (q != d) memory.copy(q, d, <usize>n << 2);
}

/** q = atanh(h + d) − atanh(h) = atanh(d / ((1 − h)(1 + h) − h·d)), clamped to ±atanh(1 − 1e-7).
 *  h in [−1, 1] (tanh outputs); q may alias a, h, d. */
export function f32_inverse_step_tanh(n: i32, slope: f32, a: usize, h: usize, d: usize, q: usize): void {
  zip3<InverseTanh>(n, 0, a, h, d, q);
}

/** slope = s > 0: with u = h + d, q = d (h, u > 0), d/s (h, u <= 0), else (u > 0 ? u : u/s) − a.
 *  h = leaky(a) with the same slope; q may alias a, h, d. */
export function f32_inverse_step_leaky_relu(n: i32, slope: f32, a: usize, h: usize, d: usize, q: usize): void {
  zip3<InverseLeakyRelu>(n, slope, a, h, d, q);
}
