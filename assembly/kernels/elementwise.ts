// Element-wise kernels over f32 arrays of n elements, built on drivers/zip (two inputs) and drivers/map
// (one input). Every output may alias any input (each lane is loaded before it is stored). Each result
// is the correctly rounded f32 operation(s) in the order written, identical in both builds.
import { map } from "../drivers/map";
import { zip } from "../drivers/zip";
import { Add, Sub, Mul, ScaleAdd } from "../ops/arith";
import { Clip } from "../ops/clip";
import { SignScale } from "../ops/sign";

/** z[i] = x[i] + y[i] for i < n. z may alias x and/or y. */
export function f32_add(n: i32, x: usize, y: usize, z: usize): void {
  zip<Add>(n, 0, 0, x, y, z);
}

/** z[i] = x[i] − y[i] for i < n. z may alias x and/or y. */
export function f32_sub(n: i32, x: usize, y: usize, z: usize): void {
  zip<Sub>(n, 0, 0, x, y, z);
}

/** z[i] = x[i]·y[i] for i < n (Hadamard product). z may alias x and/or y. */
export function f32_mul(n: i32, x: usize, y: usize, z: usize): void {
  zip<Mul>(n, 0, 0, x, y, z);
}

/** y[i] = min(max(x[i], lo), hi) for i < n; requires lo <= hi; NaN passes through. y may alias x. */
export function f32_clip(n: i32, lo: f32, hi: f32, x: usize, y: usize): void {
  map<Clip>(n, lo, hi, x, y);
}

/** y[i] = s·sign(x[i]) for i < n, sign(±0) = 0 (gives +0), NaN passes through. y may alias x. */
export function f32_sign_scale(n: i32, s: f32, x: usize, y: usize): void {
  map<SignScale>(n, s, 0, x, y);
}

/** z[i] = alpha·x[i] + beta·y[i] for i < n, rounded as (alpha·x) + (beta·y). z may alias x and/or y. */
export function f32_scale_add(n: i32, alpha: f32, x: usize, beta: f32, y: usize, z: usize): void {
  zip<ScaleAdd>(n, alpha, beta, x, y, z);
}
