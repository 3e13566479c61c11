// Activation kernels: one export per nonlinearity, all with the same signature
//   f32_<op>_fwd(n, p0, p1, p2, a, post, deriv)
// writing post[i] = f(a[i]) and, unless deriv == 0, deriv[i] = f'(a[i]) for i < n. post may alias a;
// deriv must not alias a or post. Unused parameters are ignored. Defaults live in TS
// (src/activations.ts); the math, accuracy and special values of each op are in assembly/ops/<op>.ts.
// A new nonlinearity is one op class + one line here + one entry in src/activations.ts.
import { act } from "../drivers/act";
import { Linear } from "../ops/linear";
import { Sigmoid } from "../ops/sigmoid";
import { Tanh } from "../ops/tanh";
import { Relu, LeakyRelu } from "../ops/relu";
import { HardSigmoid } from "../ops/hard_sigmoid";
import { Softplus } from "../ops/softplus";
import { SoftLif } from "../ops/softlif";

/** post = a, deriv = 1. */
export function f32_linear_fwd(n: i32, p0: f32, p1: f32, p2: f32, a: usize, post: usize, deriv: usize): void { act<Linear>(n, 0, 0, 0, 0, a, post, deriv); }
/** post = 1/(1 + e^−a), deriv = post·(1 − post) (overflow-free forms). */
export function f32_sigmoid_fwd(n: i32, p0: f32, p1: f32, p2: f32, a: usize, post: usize, deriv: usize): void { act<Sigmoid>(n, 0, 0, 0, 0, a, post, deriv); }
/** post = tanh(a), deriv = 1 − tanh²(a). */
export function f32_tanh_fwd(n: i32, p0: f32, p1: f32, p2: f32, a: usize, post: usize, deriv: usize): void { act<Tanh>(n, 0, 0, 0, 0, a, post, deriv); }
/** post = max(a, 0), deriv = [a > 0]. */
export function f32_relu_fwd(n: i32, p0: f32, p1: f32, p2: f32, a: usize, post: usize, deriv: usize): void { act<Relu>(n, 0, 0, 0, 0, a, post, deriv); }
/** p0 = slope: post = a > 0 ? a : slope·a, deriv = a > 0 ? 1 : slope. */
export function f32_leaky_relu_fwd(n: i32, p0: f32, p1: f32, p2: f32, a: usize, post: usize, deriv: usize): void { act<LeakyRelu>(n, p0, 0, 0, 0, a, post, deriv); }
/** p0 = lo, p1 = hi (lo <= hi): post = clamp(a, lo, hi), deriv = [lo <= a <= hi]. */
export function f32_hard_sigmoid_fwd(n: i32, p0: f32, p1: f32, p2: f32, a: usize, post: usize, deriv: usize): void { act<HardSigmoid>(n, p0, p1, 0, 0, a, post, deriv); }
/** post = log(1 + e^a), deriv = 1/(1 + e^−a). */
export function f32_softplus_fwd(n: i32, p0: f32, p1: f32, p2: f32, a: usize, post: usize, deriv: usize): void { act<Softplus>(n, 0, 0, 0, 0, a, post, deriv); }
/** p0 = τref > 0, p1 = τRC > 0, p2 = γ > 0 (seconds, seconds, smoothing): soft-LIF rate (Hz)
 *  r = 1/(τref + τRC·log(1 + 1/j)), j = γ·log(1 + e^{(a−1)/γ}), deriv = dr/da. */
export function f32_softlif_fwd(n: i32, p0: f32, p1: f32, p2: f32, a: usize, post: usize, deriv: usize): void {
  act<SoftLif>(n, p0, p1, p2, Mathf.log(p2), a, post, deriv);
}
