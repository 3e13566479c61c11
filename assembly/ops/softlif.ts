// Soft-LIF rate (Hunsberger & Eliasmith 2015, "Spiking deep networks with LIF neurons", arXiv
// 1510.08829; thesis 2018): the LIF firing rate for a constant normalised input current a (threshold 1)
// with the rectifier at threshold smoothed by softplus:
//   y = (a − 1)/γ,   j = γ·log(1 + e^y),   r = 1/(τref + τRC·log(1 + 1/j))            (Hz)
//   dr/da = r²·τRC·σ(y) / (j·(1 + j))        (dj/da = σ(y), d log(1 + 1/j)/dj = −1/(j(1 + j)))
// k0 = τref, k1 = τRC, k2 = γ, k3 = log γ (precomputed once per call by the kernel).
// Far below threshold (y < −20) j underflows long before the rate is 0, so there log(1 + 1/j) is
// computed in the log domain as −log γ − y (error < e^-20 relative) and σ(y)/j as 1/γ: the rate decays
// smoothly towards 0 (about 0.47 Hz at y = −104 with the defaults) instead of snapping to 0.
// a = +Inf gives 1/τref and 0; a = −Inf gives 0 and 0; NaN gives NaN.
import { exp4, exp1, log1p4, log1p1 } from "./math";

// @ts-ignore: decorator
@inline const TAIL: f32 = -20.0;

/** Soft-LIF rate r(a) and its derivative; see the file header. */
@final export class SoftLif {
  // @ts-ignore: decorator
  @inline f4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128): v128 {
    const vy = f32x4.div(f32x4.sub(a, f32x4.splat(1.0)), k2);
    const vt = exp4(f32x4.neg(f32x4.abs(vy)));
    const vj = f32x4.mul(k2, f32x4.add(f32x4.max(vy, f32x4.splat(0.0)), log1p4(vt)));
    const vl = v128.bitselect(f32x4.sub(f32x4.neg(k3), vy), log1p4(f32x4.div(f32x4.splat(1.0), vj)), f32x4.lt(vy, f32x4.splat(TAIL)));
    return f32x4.div(f32x4.splat(1.0), f32x4.add(k0, f32x4.mul(k1, vl)));
  }
  // @ts-ignore: decorator
  @inline fd4(a: v128, k0: v128, k1: v128, k2: v128, k3: v128, post: usize, deriv: usize): void {
    const vy = f32x4.div(f32x4.sub(a, f32x4.splat(1.0)), k2);
    const vt = exp4(f32x4.neg(f32x4.abs(vy)));
    const vj = f32x4.mul(k2, f32x4.add(f32x4.max(vy, f32x4.splat(0.0)), log1p4(vt)));
    const vtail = f32x4.lt(vy, f32x4.splat(TAIL));
    const vl = v128.bitselect(f32x4.sub(f32x4.neg(k3), vy), log1p4(f32x4.div(f32x4.splat(1.0), vj)), vtail);
    const vr = f32x4.div(f32x4.splat(1.0), f32x4.add(k0, f32x4.mul(k1, vl)));
    const vinv = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), vt));
    const vsig = v128.bitselect(vinv, f32x4.mul(vt, vinv), f32x4.ge(vy, f32x4.splat(0.0)));
    const vq = v128.bitselect(f32x4.div(f32x4.splat(1.0), k2), f32x4.div(vsig, vj), vtail);
    v128.store(post, vr);
    v128.store(deriv, f32x4.div(f32x4.mul(f32x4.mul(f32x4.mul(vr, vr), k1), vq), f32x4.add(f32x4.splat(1.0), vj)));
  }
  // @ts-ignore: decorator
  @inline f1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32): f32 {
    const y = (a - 1.0) / k2;
    const t = exp1(-abs<f32>(y));
    const j = k2 * (max<f32>(y, 0.0) + log1p1(t));
    const l: f32 = y < TAIL ? -k3 - y : log1p1(<f32>1.0 / j);
    return <f32>1.0 / (k0 + k1 * l);
  }
  // @ts-ignore: decorator
  @inline fd1(a: f32, k0: f32, k1: f32, k2: f32, k3: f32, post: usize, deriv: usize): void {
    const y = (a - 1.0) / k2;
    const t = exp1(-abs<f32>(y));
    const j = k2 * (max<f32>(y, 0.0) + log1p1(t));
    const tail = y < TAIL;
    const l: f32 = tail ? -k3 - y : log1p1(<f32>1.0 / j);
    const r: f32 = <f32>1.0 / (k0 + k1 * l);
    const inv: f32 = <f32>1.0 / (1.0 + t);
    const sig: f32 = y >= 0 ? inv : t * inv;
    const q: f32 = tail ? <f32>1.0 / k2 : sig / j;
    store<f32>(post, r);
    store<f32>(deriv, (((r * r) * k1) * q) / (1.0 + j));
  }
}
