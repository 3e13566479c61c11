// Twins of assembly/kernels/rng.ts built on the TypeScript generator (src/core/rng.ts): same stream, same
// f32 rounding order, so uniform and bernoulli must match to the bit. normal is computed in f64 from the
// same two uniforms (the kernel uses f32 Mathf.log/cos/sin), so it is compared with a derived tolerance.
import { Rng } from '../../src/core/rng.js';

const f = Math.fround;
const INV_2_24 = 5.9604644775390625e-8;

/** out[i] = lo + (hi - lo) * u (f32 rounding after each op). */
export function uniform(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  const w = f(f(hi) - f(lo));
  for (let i = 0; i < n; i++) out[i] = f(f(lo) + f(w * rng.uniform()));
  return out;
}

/** out[i] = u < scale * p[i] ? 1 : 0. */
export function bernoulli(rng: Rng, scale: number, p: ArrayLike<number>): Float32Array {
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = rng.uniform() < f(f(scale) * p[i]!) ? 1 : 0;
  return out;
}

/**
 * Standard normals by Box–Muller in f64 from the kernel's uniforms: u1 = ((x1 >>> 8) + 1)·2^-24,
 * u2 = (x2 >>> 8)·2^-24, angle 2π rounded to f32 times u2 rounded to f32 (as in the kernel).
 * Also returns r = sqrt(-2 ln u1) per element (the error bound scales with it).
 */
export function normal(rng: Rng, n: number): { z: Float64Array; r: Float64Array } {
  const z = new Float64Array(n), r = new Float64Array(n);
  const twoPi = f(2 * Math.PI);
  for (let i = 0; i < n; i += 2) {
    const u1 = ((rng.nextU32() >>> 8) + 1) * INV_2_24;
    const u2 = (rng.nextU32() >>> 8) * INV_2_24;
    const rr = Math.sqrt(-2 * Math.log(u1));
    const t = f(twoPi * u2);
    z[i] = rr * Math.cos(t);
    r[i] = rr;
    if (i + 1 < n) { z[i + 1] = rr * Math.sin(t); r[i + 1] = rr; }
  }
  return { z, r };
}
