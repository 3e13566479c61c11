// Slow twins of assembly/kernels/learn.ts (the spike-list weight-gradient sums). Every float operation
// is rounded with Math.fround in the kernel's order.
const f = Math.fround;

/** f32_spike_rows: per row, the inputs j with s[r, j] != 0 in increasing order. */
export function spikeRows(m: number, k: number, s: ArrayLike<number>): number[][] {
  return Array.from({ length: m }, (_, r) => Array.from({ length: k }, (_, j) => j).filter((j) => s[r * k + j] !== 0));
}

/** f32_spike_pack: per row r, the first counts[r] entries of its k-slot span of list, in their order. */
export function spikePack(m: number, k: number, list: ArrayLike<number>, counts: ArrayLike<number>): number[][] {
  return Array.from({ length: m }, (_, r) => Array.from({ length: counts[r]! }, (_, e) => list[r * k + e]!));
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

/** acc = Σ_{p<c} e[r, p]·B[p, i] from 0, each product rounded then added (the GEMM's order for c <= its K block). */
function feedback(c: number, n: number, e: ArrayLike<number>, B: ArrayLike<number>, r: number, i: number): number {
  let acc = 0;
  for (let p = 0; p < c; p++) acc = f(acc + f(e[r * c + p]! * B[p * n + i]!));
  return acc;
}

/** db[i] = scale·Σ_r x[r, i] + 1·db[i], the column sum from 0 in row order. */
function addColumnSums(rows: number, n: number, scale: number, x: ArrayLike<number>, db: Float32Array): void {
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum = f(sum + x[r * n + i]!);
    db[i] = f(f(f(scale) * sum) + db[i]!);
  }
}

/** f32_erbp_gate, in place on U, g and db (s null: no penalty; db null: no column sum). */
export function erbpGate(rows: number, n: number, c: number, alpha: number, beta: number, e: ArrayLike<number>, G: ArrayLike<number>, U: Float32Array,
  I: ArrayLike<number>, lo: number, hi: number, rhoAmp: number, s: ArrayLike<number> | null, g: Float32Array, scale: number, db: Float32Array | null): void {
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) {
      const o = r * n + i;
      let u = f(f(alpha) * feedback(c, n, e, G, r, i));
      if (f(beta) !== 0) u = f(u + f(f(beta) * U[o]!));
      U[o] = u;
      const box = I[o]! >= f(lo) && I[o]! <= f(hi) ? 1 : 0;
      g[o] = f(box * (s ? f(u + f(f(rhoAmp) * s[o]!)) : u));
    }
  }
  if (db) addColumnSums(rows, n, scale, g, db);
}

/** f32_superspike_mod, in place on m, eps and db (e null: m holds the feedback; eps null: no trace or penalty). */
export function superspikeMod(rows: number, n: number, c: number, e: ArrayLike<number> | null, B: ArrayLike<number> | null, s: ArrayLike<number> | null,
  aE: number, lamE: number, eps: Float32Array | null, rho: number, dstep: ArrayLike<number>, m: Float32Array, scale: number, db: Float32Array | null): void {
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) {
      const o = r * n + i;
      let v = e ? feedback(c, n, e, B!, r, i) : m[o]!;
      if (eps) {
        eps[o] = f(f(f(aE) * s![o]!) + f(f(lamE) * eps[o]!));
        v = f(v + f(f(rho) * eps[o]!));
      }
      m[o] = f(v * dstep[o]!);
    }
  }
  if (db) addColumnSums(rows, n, scale, m, db);
}
