// Slow twin of assembly/kernels/bptt.ts: f32_lif_adjoint_step, every operation rounded to f32 with
// Math.fround in the kernel's order, so the kernel must match it to the bit.
const f = Math.fround;

export interface LifAdjointRef { decay: number; synDecay: number; resetMode: 0 | 1; refSteps: number }

/**
 * One adjoint step t over one step's n elements, in place. spikes is the whole record (steps × n,
 * step-major); g: ∂L/∂s_t in, ∂L/∂I_t out; gv, gI carried from step t + 1.
 */
export function lifAdjointStep(p: LifAdjointRef, t: number, deriv: ArrayLike<number>, spikes: ArrayLike<number>,
  g: Float32Array, gv: Float32Array, gI: Float32Array): void {
  const n = g.length, decay = f(p.decay), syn = f(p.synDecay);
  for (let i = 0; i < n; i++) {
    let held = false; // refractory at t: a spike in the refSteps steps before
    for (let k = 1; k <= Math.min(p.refSteps, t); k++) if (spikes[(t - k) * n + i]! > 0) held = true;
    const s = spikes[t * n + i]!;
    const keep = p.resetMode === 1 ? 1 : f(1 - s);
    const gm = held ? 0 : f(f(g[i]! * deriv[i]!) + f(keep * gv[i]!));
    gv[i] = f(decay * gm);
    gI[i] = f(gm + f(syn * gI[i]!));
    g[i] = gI[i]!;
  }
}
