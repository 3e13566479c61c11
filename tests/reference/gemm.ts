// Slow, obviously-correct twin of assembly/kernels/gemm.ts, accumulating in float64.

/**
 * C = alpha·op(A)·op(B) + beta·C0 for row-major A, B, C0 (op = transpose when the flag is set:
 * A stored [k×m], B stored [n×k]). beta = 0 never reads C0 (it may hold NaN), as in the kernel.
 * Returns the exact-ish product (float64 accumulation, about k·2⁻⁵³ relative) and, per element, the
 * magnitude |alpha|·Σ_p |A(i,p)|·|B(p,j)| + |beta·C0(i,j)| that rounding-error bounds scale with.
 */
export function gemm(
  m: number, n: number, k: number, alpha: number, beta: number,
  a: ArrayLike<number>, b: ArrayLike<number>, c0: ArrayLike<number>,
  transA = false, transB = false,
): { want: Float64Array; mag: Float64Array } {
  const want = new Float64Array(m * n), mag = new Float64Array(m * n);
  const A = (i: number, p: number) => (transA ? a[p * m + i]! : a[i * k + p]!);
  const B = (p: number, j: number) => (transB ? b[j * k + p]! : b[p * n + j]!);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, sa = 0;
      for (let p = 0; p < k; p++) {
        const t = A(i, p) * B(p, j);
        s += t;
        sa += Math.abs(t);
      }
      const c = beta === 0 ? 0 : beta * c0[i * n + j]!;
      want[i * n + j] = alpha * s + c;
      mag[i * n + j] = Math.abs(alpha) * sa + Math.abs(c);
    }
  }
  return { want, mag };
}
