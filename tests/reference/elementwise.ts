// Slow twins of assembly/kernels/elementwise.ts: Math.fround after every operation, in the kernel's
// order, so the kernels must match them bit for bit (0 ulps).
const fr = Math.fround;
type Arr = ArrayLike<number>;

export const add = (n: number, x: Arr, y: Arr, z: Float32Array) => { for (let i = 0; i < n; i++) z[i] = fr(x[i]! + y[i]!); };
export const sub = (n: number, x: Arr, y: Arr, z: Float32Array) => { for (let i = 0; i < n; i++) z[i] = fr(x[i]! - y[i]!); };
export const mul = (n: number, x: Arr, y: Arr, z: Float32Array) => { for (let i = 0; i < n; i++) z[i] = fr(x[i]! * y[i]!); };
export function clip(n: number, lo: number, hi: number, x: Arr, y: Float32Array): void {
  for (let i = 0; i < n; i++) { const v = x[i]!; y[i] = Number.isNaN(v) ? v : Math.min(Math.max(v, fr(lo)), fr(hi)); }
}
export function signScale(n: number, s: number, x: Arr, y: Float32Array): void {
  for (let i = 0; i < n; i++) { const v = x[i]!; y[i] = v > 0 ? fr(s) : v < 0 ? -fr(s) : Number.isNaN(v) ? NaN : 0; }
}
export function scaleAdd(n: number, alpha: number, x: Arr, beta: number, y: Arr, z: Float32Array): void {
  for (let i = 0; i < n; i++) z[i] = fr(fr(fr(alpha) * x[i]!) + fr(fr(beta) * y[i]!));
}
