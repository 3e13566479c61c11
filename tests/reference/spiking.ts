// Slow twins of assembly/kernels/event.ts, the surrogate op classes (assembly/ops/spike_*.ts), the
// generic LIF driver with each surrogate and the adaptive LIF (assembly/drivers/lif.ts). Every float
// operation is rounded with Math.fround in the kernel's order; only the exponential surrogate uses
// f64 Math.exp, left unrounded (the kernel's exp1 is within EXP_MAX_REL_ERR of it: tests/reference/act.ts).
const f = Math.fround;

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

/**
 * C = S·B (S [m×k], B [k×n]) summed as the kernel and f32_gemm_* do: per block of `kc` inputs, from 0
 * in increasing j (products S·B rounded, then added), the block sum then added to C.
 */
export function eventNN(m: number, n: number, k: number, s: ArrayLike<number>, b: ArrayLike<number>, kc = 256): Float32Array {
  const c = new Float32Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < n; i++) {
      let out = 0;
      for (let pc = 0; pc < k; pc += kc) {
        let acc = 0;
        for (let j = pc; j < Math.min(pc + kc, k); j++) acc = f(acc + f(s[r * k + j]! * b[j * n + i]!));
        out = pc === 0 ? acc : f(acc + out);
      }
      c[r * n + i] = out;
    }
  }
  return c;
}

/** out = aᵀ. */
export function transpose(m: number, n: number, a: ArrayLike<number>): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j]!;
  return out;
}
