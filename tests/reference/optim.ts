// Slow twins of assembly/kernels/optim.ts: the same float32 operations in the same order, each rounded
// with Math.fround, so the kernel must match them bit for bit.
const f = Math.fround;

export function sgdStep(lr: number, mu: number, wd: number, g: Float32Array, vel: Float32Array, w: Float32Array): void {
  for (let i = 0; i < w.length; i++) {
    const gi = f(g[i]! + f(f(wd) * w[i]!));
    if (mu === 0) {
      w[i] = f(w[i]! - f(f(lr) * gi));
    } else {
      const v = f(f(f(mu) * vel[i]!) + gi);
      vel[i] = v;
      w[i] = f(w[i]! - f(f(lr) * v));
    }
  }
}

export function adamStep(lr: number, b1: number, b2: number, eps: number, wd: number, bc1: number, bc2: number,
  g: Float32Array, m: Float32Array, v: Float32Array, w: Float32Array): void {
  const ib1 = f(1 - f(b1)), ib2 = f(1 - f(b2)), rbc1 = f(1 / f(bc1)), rbc2 = f(1 / f(bc2));
  for (let i = 0; i < w.length; i++) {
    const gi = f(g[i]! + f(f(wd) * w[i]!));
    const mi = f(f(f(b1) * m[i]!) + f(ib1 * gi));
    const vi = f(f(f(b2) * v[i]!) + f(ib2 * f(gi * gi)));
    m[i] = mi;
    v[i] = vi;
    const den = f(f(Math.sqrt(f(vi * rbc2))) + f(eps));
    w[i] = f(w[i]! - f(f(f(lr) * f(mi * rbc1)) / den));
  }
}
