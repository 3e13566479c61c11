// Slow twins of assembly/kernels/lif.ts: f32_lif_step with the SuperSpike surrogate, the surrogate op
// classes (assembly/ops/spike_*.ts) and the generic LIF driver with each surrogate and adaptation
// (assembly/drivers/lif.ts). Every float operation is rounded to f32 with Math.fround in the kernel's
// order, so the kernels must match to the bit; only the exponential surrogate uses f64 Math.exp, left
// unrounded (the kernel's exp1 is within EXP_MAX_REL_ERR of it: tests/reference/act.ts).
const f = Math.fround;

export interface LifRefParams {
  decay: number; vTh: number; vReset: number; resetMode: 0 | 1; refSteps: number; k: number;
}

/** One LIF step over arrays (modified in place); deriv may be null. Returns the spike count. */
export function lifStep(p: LifRefParams, input: ArrayLike<number>, v: Float32Array, refrac: Float32Array, spikes: Float32Array, deriv: Float32Array | null): number {
  const decay = f(p.decay), vTh = f(p.vTh), vReset = f(p.vReset), refSteps = f(p.refSteps), k = f(p.k);
  let count = 0;
  for (let i = 0; i < v.length; i++) {
    if (refrac[i]! > 0) { // held: count down, clamp to vReset, silent, no surrogate
      refrac[i] = f(refrac[i]! - 1);
      v[i] = vReset;
      spikes[i] = 0;
      if (deriv) deriv[i] = 0;
      continue;
    }
    const m = f(f(decay * v[i]!) + input[i]!);
    if (deriv) {
      const d = f(1 + f(k * Math.abs(f(m - vTh))));
      deriv[i] = f(1 / f(d * d)); // SuperSpike surrogate of the membrane before reset
    }
    if (m >= vTh) {
      spikes[i] = 1;
      v[i] = p.resetMode === 1 ? f(m - vTh) : vReset;
      refrac[i] = refSteps;
      count++;
    } else {
      spikes[i] = 0;
      v[i] = m;
    }
  }
  return count;
}

export type Shape = 'super' | 'triangle' | 'exp';

/** The surrogate of u = m − th with steepness k, rounded like the op class (exp: f64 exp of the f32 argument). */
export function surrogate(shape: Shape, m: number, k: number, th: number): number {
  const au = Math.abs(f(m - th));
  if (shape === 'super') { const d = f(1 + f(k * au)); return f(1 / f(d * d)); }
  if (shape === 'triangle') return Math.max(f(1 - f(k * au)), 0);
  return Math.exp(-f(k * au)); // unrounded: the kernel is within EXP_MAX_REL_ERR of this f64 value
}

export interface AlifRef { decay: number; vTh: number; vReset: number; resetMode: 0 | 1; refSteps: number; k: number; rho: number; beta: number; shape: Shape }

/** One (adaptive) LIF step in place; adapt null = plain LIF (threshold vTh). Returns the spike count. */
export function alifStep(p: AlifRef, input: ArrayLike<number>, v: Float32Array, refrac: Float32Array, adapt: Float32Array | null,
  spikes: Float32Array, deriv: Float32Array | null): number {
  const decay = f(p.decay), vTh = f(p.vTh), vReset = f(p.vReset), k = f(p.k), rho = f(p.rho), beta = f(p.beta);
  let count = 0;
  for (let i = 0; i < v.length; i++) {
    const a = adapt ? adapt[i]! : 0;
    if (refrac[i]! > 0) {
      refrac[i] = f(refrac[i]! - 1); v[i] = vReset; spikes[i] = 0;
      if (deriv) deriv[i] = 0;
      if (adapt) adapt[i] = f(f(rho * a) + 0);
      continue;
    }
    const th = adapt ? f(vTh + f(beta * a)) : vTh;
    const m = f(f(decay * v[i]!) + input[i]!);
    if (deriv) deriv[i] = surrogate(p.shape, m, k, th);
    const s = m >= th ? 1 : 0;
    if (s) { v[i] = p.resetMode === 1 ? f(m - th) : vReset; refrac[i] = f(p.refSteps); count++; } else v[i] = m;
    spikes[i] = s;
    if (adapt) adapt[i] = f(f(rho * a) + s);
  }
  return count;
}
