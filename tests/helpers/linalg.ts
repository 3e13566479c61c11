// Small float64 linear algebra for the rule tests (exact inverses, Gauss-Newton steps, cosines).

/** x solving A x = y for square A [n×n] (row-major), Gaussian elimination with partial pivoting. */
export function solve(A: ArrayLike<number>, y: ArrayLike<number>, n: number): Float64Array {
  const M = Float64Array.from(A), x = Float64Array.from(y);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]!) > Math.abs(M[p * n + c]!)) p = r;
    if (p !== c) {
      for (let j = 0; j < n; j++) { const t = M[c * n + j]!; M[c * n + j] = M[p * n + j]!; M[p * n + j] = t; }
      const t = x[c]!; x[c] = x[p]!; x[p] = t;
    }
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c]! / M[c * n + c]!;
      for (let j = c; j < n; j++) M[r * n + j]! -= f * M[c * n + j]!;
      x[r]! -= f * x[c]!;
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c]!;
    for (let j = c + 1; j < n; j++) s -= M[c * n + j]! * x[j]!;
    x[c] = s / M[c * n + c]!;
  }
  return x;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, x = 0, y = 0;
  for (let i = 0; i < a.length; i++) { d += a[i]! * b[i]!; x += a[i]! * a[i]!; y += b[i]! * b[i]!; }
  return d / Math.sqrt(x * y);
}

/** ‖a − b‖ / ‖b‖ */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, n = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i]! - b[i]!) ** 2; n += b[i]! ** 2; }
  return Math.sqrt(d / n);
}
