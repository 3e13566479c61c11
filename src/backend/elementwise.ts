// Element-wise kernels (assembly/kernels/elementwise.ts, settle.ts): out may be x and/or y.
import type { Tensor } from '../core/tensor.js';
import type { Ctor } from './core.js';
import { pair, sizeIs, finite, notNaN } from './checks.js';

function sameSize3(op: string, out: Tensor, x: Tensor, y: Tensor): void {
  pair(op, 'out', out, 'x', x);
  sizeIs(op, 'y', y, out.size);
}

/** The Elementwise methods of Backend, mixed into a base that provides kernels, heap and debug. */
export function withElementwise<B extends Ctor>(Base: B) {
  abstract class ElementwiseOps extends Base {
    /** out = x + y */
    add(out: Tensor, x: Tensor, y: Tensor): Tensor {
      sameSize3('add', out, x, y);
      this.kernels.f32_add(out.size, x.ptr, y.ptr, out.ptr);
      return out;
    }

    /** out = x − y */
    sub(out: Tensor, x: Tensor, y: Tensor): Tensor {
      sameSize3('sub', out, x, y);
      this.kernels.f32_sub(out.size, x.ptr, y.ptr, out.ptr);
      return out;
    }

    /** out = x ⊙ y (Hadamard) */
    mul(out: Tensor, x: Tensor, y: Tensor): Tensor {
      sameSize3('mul', out, x, y);
      this.kernels.f32_mul(out.size, x.ptr, y.ptr, out.ptr);
      return out;
    }

    /** out = alpha·x + beta·y */
    scaleAdd(out: Tensor, alpha: number, x: Tensor, beta: number, y: Tensor): Tensor {
      sameSize3('scaleAdd', out, x, y);
      finite('scaleAdd', 'alpha', alpha);
      finite('scaleAdd', 'beta', beta);
      this.kernels.f32_scale_add(out.size, alpha, x.ptr, beta, y.ptr, out.ptr);
      return out;
    }

    /** out = clamp(x, lo, hi) (lo <= hi; ±Infinity allowed; NaN elements pass through). */
    clip(out: Tensor, x: Tensor, lo: number, hi: number): Tensor {
      pair('clip', 'out', out, 'x', x);
      notNaN('clip', 'lo', lo);
      notNaN('clip', 'hi', hi);
      if (!(lo <= hi)) throw new RangeError(`clip: lo (${lo}) must be <= hi (${hi})`);
      this.kernels.f32_clip(out.size, lo, hi, x.ptr, out.ptr);
      return out;
    }

    /** out = s·sign(x) (sign(0) = 0; NaN passes through). */
    signScale(out: Tensor, x: Tensor, s: number): Tensor {
      pair('signScale', 'out', out, 'x', x);
      finite('signScale', 's', s);
      this.kernels.f32_sign_scale(out.size, s, x.ptr, out.ptr);
      return out;
    }

    /**
     * One relaxation step, in place: s ← clamp((1−eps)·s + eps·x, lo, hi); returns max |Δs| (the
     * stopping test of a fixed-point iteration). eps in (0, 1]; lo <= hi (±Infinity: no clamp).
     */
    settleStep(s: Tensor, x: Tensor, eps: number, lo = -Infinity, hi = Infinity): number {
      pair('settleStep', 's', s, 'x', x);
      finite('settleStep', 'eps', eps);
      if (!(eps > 0 && eps <= 1)) throw new RangeError(`settleStep: eps must be in (0, 1], got ${eps}`);
      notNaN('settleStep', 'lo', lo);
      notNaN('settleStep', 'hi', hi);
      if (!(lo <= hi)) throw new RangeError(`settleStep: lo (${lo}) must be <= hi (${hi})`);
      return this.kernels.f32_settle_step(s.size, eps, 1 - eps, lo, hi, x.ptr, s.ptr);
    }

    /**
     * settleStep in difference coordinates, in place: s ← (1−eps)·s + eps·[clamp(a + d) − clamp(a)]
     * (clamp to [lo, hi]), formed without computing a + d, so a change d below a's rounding unit survives
     * (the clamped phase relative to a free state of drive a); returns max |Δs|.
     */
    settleDiffStep(s: Tensor, a: Tensor, d: Tensor, eps: number, lo = -Infinity, hi = Infinity): number {
      pair('settleDiffStep', 's', s, 'a', a);
      pair('settleDiffStep', 's', s, 'd', d);
      finite('settleDiffStep', 'eps', eps);
      if (!(eps > 0 && eps <= 1)) throw new RangeError(`settleDiffStep: eps must be in (0, 1], got ${eps}`);
      notNaN('settleDiffStep', 'lo', lo);
      notNaN('settleDiffStep', 'hi', hi);
      if (!(lo <= hi)) throw new RangeError(`settleDiffStep: lo (${lo}) must be <= hi (${hi})`);
      return this.kernels.f32_settle_diff_step(s.size, eps, 1 - eps, lo, hi, a.ptr, d.ptr, s.ptr);
    }
  }
  return ElementwiseOps;
}
