// Slow twins of assembly/kernels/blas1.ts. Element-wise updates round with Math.fround after every
// operation, in the kernel's order, so they match the kernels bit for bit; reductions (dot, sumsq) are
// exact-ish f64 sums, compared with a bound derived from the summation error.
const fr = Math.fround;

export function scal(n: number, alpha: number, x: Float32Array): void {
  for (let i = 0; i < n; i++) x[i] = fr(fr(alpha) * x[i]!);
}
export function fill(n: number, value: number, x: Float32Array): void {
  for (let i = 0; i < n; i++) x[i] = value;
}
/** Σ x·y in f64, and Σ|x·y| (for the error bound). */
export function dot(n: number, x: ArrayLike<number>, y: ArrayLike<number>): { value: number; abs: number } {
  let s = 0, a = 0;
  for (let i = 0; i < n; i++) { s += x[i]! * y[i]!; a += Math.abs(x[i]! * y[i]!); }
  return { value: s, abs: a };
}
export function axpby(n: number, alpha: number, x: ArrayLike<number>, beta: number, y: Float32Array): void {
  for (let i = 0; i < n; i++) y[i] = fr(fr(fr(alpha) * x[i]!) + fr(fr(beta) * y[i]!));
}
/** Column sums in row order, rounded per add like the kernel; beta = 0 ignores out. */
export function sumRows(m: number, n: number, alpha: number, beta: number, x: ArrayLike<number>, out: Float32Array): void {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s = fr(s + x[i * n + j]!);
    out[j] = beta === 0 ? fr(fr(alpha) * s) : fr(fr(fr(alpha) * s) + fr(fr(beta) * out[j]!));
  }
}
export function addRow(m: number, n: number, bias: ArrayLike<number>, x: Float32Array): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) x[i * n + j] = fr(x[i * n + j]! + bias[j]!);
}
export function nonFinite(n: number, x: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i]!)) c++;
  return c;
}
