// Slow twins of assembly/kernels/learn.ts (the spike-list weight-gradient sums). Every float operation
// is rounded with Math.fround in the kernel's order.
const f = Math.fround;

/** f32_spike_rows: per row, the inputs j with s[r, j] != 0 in increasing order. */
export function spikeRows(m: number, k: number, s: ArrayLike<number>): number[][] {
  return Array.from({ length: m }, (_, r) => Array.from({ length: k }, (_, j) => j).filter((j) => s[r * k + j] !== 0));
}

/** f32_spike_outer: C[k×n] += Sᵀ·G for spike lists; for each input j, its spiking rows r in increasing
 *  order each add G[r, :] (rounded sum, no product: the spike is 1). */
export function spikeOuter(n: number, k: number, lists: number[][], g: ArrayLike<number>, c: Float32Array): Float32Array {
  for (let j = 0; j < k; j++) {
    lists.forEach((l, r) => {
      if (!l.includes(j)) return;
      for (let i = 0; i < n; i++) c[j * n + i] = f(c[j * n + i]! + g[r * n + i]!);
    });
  }
  return c;
}
