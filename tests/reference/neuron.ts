// Slow, obviously-correct twins of assembly/kernels/lif.ts and trace.ts. Every float operation is
// rounded to f32 with Math.fround in the kernel's order, so the kernels must match to the bit.
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

/** x = lambda * x + s, in place. */
export function traceStep(lambda: number, s: ArrayLike<number>, x: Float32Array): void {
  const l = f(lambda);
  for (let i = 0; i < x.length; i++) x[i] = f(f(l * x[i]!) + s[i]!);
}
