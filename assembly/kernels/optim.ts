// Optimiser steps shared by every rule: fused so each parameter is read and written once per step.
// Conventions as in PyTorch's SGD and Adam (L2 weight decay added to the gradient).

/**
 * SGD with momentum and L2 weight decay, for i < n:
 *   g = grad[i] + wd·w[i];  vel[i] = momentum·vel[i] + g;  w[i] −= lr·(momentum > 0 ? vel[i] : g)
 * vel is not touched when momentum == 0 (it may then be any pointer, even 0). No aliasing.
 */
export function f32_sgd_step(n: i32, lr: f32, momentum: f32, wd: f32, grad: usize, vel: usize, w: usize): void {
  let i = 0;
  if (momentum == 0) {
    if (ASC_FEATURE_SIMD) {
      const vlr = f32x4.splat(lr), vwd = f32x4.splat(wd);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        const vw = v128.load(w + o);
        const vg = f32x4.add(v128.load(grad + o), f32x4.mul(vwd, vw));
        v128.store(w + o, f32x4.sub(vw, f32x4.mul(vlr, vg)));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const wi = load<f32>(w + o);
      const g = load<f32>(grad + o) + wd * wi;
      store<f32>(w + o, wi - lr * g);
    }
    return;
  }
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), vwd = f32x4.splat(wd), vmu = f32x4.splat(momentum);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const vw = v128.load(w + o);
      const vg = f32x4.add(v128.load(grad + o), f32x4.mul(vwd, vw));
      const vv = f32x4.add(f32x4.mul(vmu, v128.load(vel + o)), vg);
      v128.store(vel + o, vv);
      v128.store(w + o, f32x4.sub(vw, f32x4.mul(vlr, vv)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const wi = load<f32>(w + o);
    const g = load<f32>(grad + o) + wd * wi;
    const v = momentum * load<f32>(vel + o) + g;
    store<f32>(vel + o, v);
    store<f32>(w + o, wi - lr * v);
  }
}

/**
 * Adam (Kingma & Ba 2015) with L2 weight decay, for i < n:
 *   g = grad[i] + wd·w[i];  m = b1·m + (1−b1)·g;  v = b2·v + (1−b2)·g²;
 *   w[i] −= lr · (m/bc1) / (sqrt(v/bc2) + eps)
 * bc1 = 1 − b1^t and bc2 = 1 − b2^t are computed in TypeScript for step t. No aliasing.
 */
export function f32_adam_step(
  n: i32, lr: f32, b1: f32, b2: f32, eps: f32, wd: f32, bc1: f32, bc2: f32,
  grad: usize, m: usize, v: usize, w: usize,
): void {
  let i = 0;
  const ib1: f32 = 1 - b1, ib2: f32 = 1 - b2, rbc1: f32 = 1 / bc1, rbc2: f32 = 1 / bc2;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), vwd = f32x4.splat(wd), vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2);
    const vib1 = f32x4.splat(ib1), vib2 = f32x4.splat(ib2), veps = f32x4.splat(eps);
    const vrbc1 = f32x4.splat(rbc1), vrbc2 = f32x4.splat(rbc2);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const vw = v128.load(w + o);
      const vg = f32x4.add(v128.load(grad + o), f32x4.mul(vwd, vw));
      const vm = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vib1, vg));
      const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vib2, f32x4.mul(vg, vg)));
      v128.store(m + o, vm);
      v128.store(v + o, vv);
      const den = f32x4.add(f32x4.sqrt(f32x4.mul(vv, vrbc2)), veps);
      v128.store(w + o, f32x4.sub(vw, f32x4.div(f32x4.mul(vlr, f32x4.mul(vm, vrbc1)), den)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const wi = load<f32>(w + o);
    const g = load<f32>(grad + o) + wd * wi;
    const mi = b1 * load<f32>(m + o) + ib1 * g;
    const vi = b2 * load<f32>(v + o) + ib2 * (g * g);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    const den = sqrt<f32>(vi * rbc2) + eps;
    store<f32>(w + o, wi - (lr * (mi * rbc1)) / den);
  }
}
