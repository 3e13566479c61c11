// Slow twins of assembly/kernels/loss.ts in f64. softmaxXent rounds d = l − max to f32 as the kernel
// does (its only rounding before the transcendental), then works in f64: the kernel is compared with a
// bound built from exp/log's documented errors and the f32 summation error (see tests/kernels/loss).
const fr = Math.fround;

export interface XentRow { probs: number[]; loss: number; sumT: number; sumAbsTD: number; logS: number }

export function softmaxXentRow(n: number, l: ArrayLike<number>, t: ArrayLike<number>): XentRow {
  let mu = -Infinity;
  for (let j = 0; j < n; j++) mu = Math.max(mu, l[j]!);
  const d = Array.from({ length: n }, (_, j) => fr(l[j]! - mu));
  let s = 0;
  for (const v of d) s += Math.exp(v);
  const logS = Math.log(s);
  let loss = 0, sumT = 0, sumAbsTD = 0;
  for (let j = 0; j < n; j++) {
    loss -= t[j]! * (d[j]! - logS);
    sumT += Math.abs(t[j]!);
    sumAbsTD += Math.abs(t[j]! * d[j]!);
  }
  return { probs: d.map((v) => Math.exp(v) / s), loss, sumT, sumAbsTD, logS };
}

export function mseRow(n: number, y: ArrayLike<number>, t: ArrayLike<number>): { grad: number[]; loss: number } {
  const grad = Array.from({ length: n }, (_, j) => fr(y[j]! - t[j]!));
  let loss = 0;
  for (const g of grad) loss += 0.5 * g * g;
  return { grad, loss };
}

/** First column holding the row maximum; NaN never wins; nothing above -Inf gives 0. */
export function argmax(n: number, row: ArrayLike<number>): number {
  let best = -Infinity, k = 0;
  for (let j = 0; j < n; j++) if (row[j]! > best) { best = row[j]!; k = j; }
  return k;
}
