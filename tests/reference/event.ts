// Slow twins of assembly/kernels/event.ts (event-driven propagation and the transpose that prepares it).
// Every float operation is rounded with Math.fround in the kernel's order.
const f = Math.fround;

/**
 * C = α·S·B + β·C0 (S [m×k], B [k×n]; C0 zeros unless given) summed as the kernel and f32_gemm_* do: per
 * block of `kc` inputs, from +0 in increasing j (products S·B rounded, then added); the block's sum put
 * into C as α·sum + β·C for the first block (β = 0: C0 not read) and α·sum + C for each later one,
 * each product rounded, then added. k = 0: C = β·C0.
 */
export function eventNN(m: number, n: number, k: number, s: ArrayLike<number>, b: ArrayLike<number>,
  o: { alpha?: number; beta?: number; c?: ArrayLike<number>; kc?: number } = {}): Float32Array {
  const alpha = f(o.alpha ?? 1), beta = f(o.beta ?? 0), kc = o.kc ?? 256;
  const c = new Float32Array(m * n);
  if (o.c) c.set(o.c);
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < n; i++) {
      let out = c[r * n + i]!;
      if (k === 0) out = beta === 0 ? 0 : f(beta * out);
      for (let pc = 0; pc < k; pc += kc) {
        let acc = 0;
        for (let j = pc; j < Math.min(pc + kc, k); j++) acc = f(acc + f(s[r * k + j]! * b[j * n + i]!));
        const bb = pc === 0 ? beta : 1;
        out = bb === 0 ? f(alpha * acc) : f(f(alpha * acc) + f(bb * out));
      }
      c[r * n + i] = out;
    }
  }
  return c;
}

/** f32_event_list_nn: C = S·B for 0/1 spikes given as per-row lists of spiking inputs (increasing): the
 *  0/1 matrix they describe, summed as eventNN sums it. */
export function eventListNN(m: number, n: number, k: number, lists: number[][], b: ArrayLike<number>, kc = 256): Float32Array {
  return eventNN(m, n, k, listSpikes(m, k, lists), b, { kc });
}

/** f32_list_spikes: the m × k 0/1 matrix of per-row lists of spiking inputs. */
export function listSpikes(m: number, k: number, lists: number[][]): Float32Array {
  const s = new Float32Array(m * k);
  lists.forEach((l, r) => l.forEach((j) => { s[r * k + j] = 1; }));
  return s;
}

/** f32_event_tn: C[k×n] += Sᵀ·G in the kernel's order: rows r increasing, inputs j increasing, each
 *  nonzero S[r, j] adding the rounded products S[r, j]·G[r, :] to C's row j. */
export function eventTN(m: number, n: number, k: number, s: ArrayLike<number>, g: ArrayLike<number>, c: Float32Array): Float32Array {
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < k; j++) {
      const sj = s[r * k + j]!;
      if (sj === 0) continue;
      for (let i = 0; i < n; i++) c[j * n + i] = f(c[j * n + i]! + f(sj * g[r * n + i]!));
    }
  }
  return c;
}

/** out = aᵀ. */
export function transpose(m: number, n: number, a: ArrayLike<number>): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j]!;
  return out;
}
