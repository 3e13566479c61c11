// The learning side of the online spiking rules (superspike, erbp): weight-gradient sums triggered by
// presynaptic spikes, from spike lists instead of dense spike matrices.
//   f32_spike_rows   dense 0/1 spikes S[m×k] → packed row lists (row r's spiking inputs, increasing)
//   f32_spike_pack   the simulator's row lists (a k-slot span per row) → the same packed form
//   f32_spike_outer  C[k×n] += Sᵀ·G from those lists: each spike (r, j) adds row r of G to row j of C
// A window stores its spikes as lists (a few percent of the dense matrix) and the sum visits each spike
// once. The lists are regrouped by input (a counting sort) so that a row of C is held in registers while
// all its terms are added, and read and written once per call rather than once per spike. Each C[j, i]
// gains its terms G[r, i] in increasing r, added to the running value: the bits of f32_event_tn on the
// same 0/1 matrix (whose per-spike product 1·G[r, i] is exact), so either may stand for the other.
import { addRows } from "./event";

/**
 * Packed spike lists of S[m×k]: row r's inputs with S[r, j] != 0, increasing, follow row r − 1's in idx
 * (i32, up to m·k entries); counts[r] (i32) is their number. Returns the total (the entries written).
 */
export function f32_spike_rows(m: i32, k: i32, s: usize, idx: usize, counts: usize): i32 {
  let e = 0;
  for (let r = 0; r < m; r++) {
    const srow = s + <usize>r * (<usize>k << 2);
    const e0 = e;
    let j = 0;
    if (ASC_FEATURE_SIMD) { // four inputs per test: most are silent
      const vzero = f32x4.splat(0);
      for (; j + 4 <= k; j += 4) {
        let mask = i32x4.bitmask(f32x4.ne(v128.load(srow + (<usize>j << 2)), vzero));
        while (mask != 0) {
          store<i32>(idx + (<usize>e << 2), j + <i32>ctz<i32>(mask));
          e++;
          mask &= mask - 1;
        }
      }
    }
    for (; j < k; j++) {
      if (load<f32>(srow + (<usize>j << 2)) != 0) {
        store<i32>(idx + (<usize>e << 2), j);
        e++;
      }
    }
    store<i32>(counts + (<usize>r << 2), e - e0);
  }
  return e;
}

/**
 * Packs row lists of the simulator's form (row r's spiking inputs at list[r·k ..], counts[r] of them:
 * f32_lif_layer_step's and the Poisson encoder's) into f32_spike_rows' form: row r's entries follow row
 * r − 1's in idx and out[r] = counts[r]. Moves only the spikes, where f32_spike_rows reads the whole
 * dense 0/1 matrix. Returns the total, or ~r (negative) without writing anything when counts[r] is
 * outside [0, k]. idx must hold m·k entries; no buffer may overlap another.
 */
export function f32_spike_pack(m: i32, k: i32, list: usize, counts: usize, idx: usize, out: usize): i32 {
  for (let r = 0; r < m; r++) {
    const cnt = load<i32>(counts + (<usize>r << 2));
    if (cnt < 0 || cnt > k) return ~r;
  }
  let e = 0;
  for (let r = 0; r < m; r++) {
    const cnt = load<i32>(counts + (<usize>r << 2));
    memory.copy(idx + (<usize>e << 2), list + <usize>r * (<usize>k << 2), <usize>cnt << 2);
    store<i32>(out + (<usize>r << 2), cnt);
    e += cnt;
  }
  return e;
}

/**
 * C[k×n] += Sᵀ·G for 0/1 spikes S[m×k] given as packed row lists (f32_spike_rows' idx and counts) and
 * G[m×n]: each listed spike (r, j) adds G[r, :] to C[j, :], in increasing r for each j (see the header).
 * idx holds cap entries; work: i32 scratch of k + 1 + (number of spikes) entries. Returns the number of
 * spikes, or a negative value without touching C when the lists are malformed: ~r when counts[r] is
 * outside [0, k], −1 − m when the counts add up to more than cap, −2 − m − e when entry e is not an
 * input in [0, k). C must not alias G, idx, counts or work.
 */
export function f32_spike_outer(m: i32, n: i32, k: i32, idx: usize, cap: i32, counts: usize, g: usize, c: usize, work: usize): i32 {
  let total = 0;
  for (let r = 0; r < m; r++) {
    const cnt = load<i32>(counts + (<usize>r << 2));
    if (cnt < 0 || cnt > k) return ~r;
    total += cnt;
  }
  if (total > cap) return -1 - m;
  // ends[0..k] (work), the lists' bounds: input j's rows go to lists[ends[j]..ends[j + 1]) once counted
  const ends = work, lists = work + ((<usize>k + 1) << 2);
  memory.fill(ends, 0, (<usize>k + 1) << 2);
  for (let e = 0; e < total; e++) { // spikes per input, at ends[j + 1]
    const j = load<i32>(idx + (<usize>e << 2));
    if (<u32>j >= <u32>k) return -2 - m - e;
    const p = ends + ((<usize>j + 1) << 2);
    store<i32>(p, load<i32>(p) + 1);
  }
  for (let j = 0; j < k; j++) { // running sum: ends[j] = start of input j's list
    const p = ends + ((<usize>j + 1) << 2);
    store<i32>(p, load<i32>(p) + load<i32>(p - 4));
  }
  // rows in increasing order into their inputs' lists; ends[j] advances from j's start to its end
  let e = 0;
  for (let r = 0; r < m; r++) {
    const cnt = load<i32>(counts + (<usize>r << 2));
    for (let q = 0; q < cnt; q++, e++) {
      const p = ends + (<usize>load<i32>(idx + (<usize>e << 2)) << 2);
      const at = load<i32>(p);
      store<i32>(lists + (<usize>at << 2), r);
      store<i32>(p, at + 1);
    }
  }
  // 32 columns at a time over every input, so that those columns of G (m·128 bytes) stay in L1
  const ldc = <usize>n << 2;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 32 <= n; i += 32) {
      let start = 0;
      for (let j = 0; j < k; j++) {
        const end = load<i32>(ends + (<usize>j << 2));
        if (end > start) addRows(i, i + 32, end - start, lists + (<usize>start << 2), 0, 0, g, ldc, c + <usize>j * ldc);
        start = end;
      }
    }
  }
  if (i < n) {
    let start = 0;
    for (let j = 0; j < k; j++) {
      const end = load<i32>(ends + (<usize>j << 2));
      if (end > start) addRows(i, n, end - start, lists + (<usize>start << 2), 0, 0, g, ldc, c + <usize>j * ldc);
      start = end;
    }
  }
  return total;
}

// The per-step teaching signals of the online rules, one pass over a hidden layer [rows × n] each,
// in place of a small GEMM (the error's c ≤ a few dozen classes through fixed random feedback), two or
// three elementwise passes and a column sum. Each element rounds as the kernels it replaces, in the same
// order (the GEMM's product from +0 over p = 0..c−1, then α·acc + β·C; axpby, axpy, scaleAdd, mul;
// f32_sum_rows' column sums in row order, then α·sum + β·out), so the results are bit-identical.

/** acc = Σ_{p<c} e[p]·B[p, i..i+4) from +0 (erow: row r of e; b: column i of B). */
// @ts-ignore: decorator
@inline function feedback4(c: i32, erow: usize, b: usize, ldb: usize): v128 {
  let acc = f32x4.splat(0);
  for (let p = 0; p < c; p++) acc = f32x4.add(acc, f32x4.mul(f32x4.splat(load<f32>(erow + (<usize>p << 2))), v128.load(b + <usize>p * ldb)));
  return acc;
}

/** eRBP on four units at byte offset o (column offset oi) from their product acc: U = α·acc + β·U,
 *  g = [lo <= I <= hi]·(1·U + ρamp·s) (s = 0: ·U), colsum += g. */
// @ts-ignore: decorator
@inline function erbpStore4(acc: v128, o: usize, oi: usize, va: v128, vb: v128, beta: f32, U: usize, I: usize, vlo: v128, vhi: v128,
  s: usize, vrho: v128, one: v128, g: usize, colsum: usize): void {
  let u = f32x4.mul(va, acc);
  if (beta != 0) u = f32x4.add(u, f32x4.mul(vb, v128.load(U + o)));
  v128.store(U + o, u);
  const x = v128.load(I + o), box = v128.and(v128.and(f32x4.ge(x, vlo), f32x4.le(x, vhi)), one);
  const gv = f32x4.mul(box, s != 0 ? f32x4.add(f32x4.mul(one, u), f32x4.mul(vrho, v128.load(s + o))) : u);
  v128.store(g + o, gv);
  v128.store(colsum + oi, f32x4.add(v128.load(colsum + oi), gv));
}

/** SuperSpike on four units at byte offset o (column offset oi) from their feedback v: the ε trace and
 *  penalty (eps != 0), the surrogate, m and colsum. */
// @ts-ignore: decorator
@inline function superspikeStore4(v: v128, o: usize, oi: usize, s: usize, vaE: v128, vlam: v128, eps: usize, vrho: v128, dstep: usize, m: usize, colsum: usize): void {
  if (eps != 0) {
    const x = f32x4.add(f32x4.mul(vaE, v128.load(s + o)), f32x4.mul(vlam, v128.load(eps + o)));
    v128.store(eps + o, x);
    v = f32x4.add(v, f32x4.mul(vrho, x));
  }
  v = f32x4.mul(v, v128.load(dstep + o));
  v128.store(m + o, v);
  v128.store(colsum + oi, f32x4.add(v128.load(colsum + oi), v));
}

/** feedback4 for 16 columns (b: column i of B), stored at out: each splat of e[p] serves four vectors. */
// @ts-ignore: decorator
@inline function feedback16(c: i32, erow: usize, b: usize, ldb: usize, out: usize): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (let p = 0; p < c; p++) {
    const ve = f32x4.splat(load<f32>(erow + (<usize>p << 2))), q = b + <usize>p * ldb;
    a0 = f32x4.add(a0, f32x4.mul(ve, v128.load(q))); a1 = f32x4.add(a1, f32x4.mul(ve, v128.load(q, 16)));
    a2 = f32x4.add(a2, f32x4.mul(ve, v128.load(q, 32))); a3 = f32x4.add(a3, f32x4.mul(ve, v128.load(q, 48)));
  }
  v128.store(out, a0); v128.store(out, a1, 16); v128.store(out, a2, 32); v128.store(out, a3, 48);
}

// @ts-ignore: decorator
@inline function feedback1(c: i32, erow: usize, b: usize, ldb: usize): f32 {
  let acc: f32 = 0;
  for (let p = 0; p < c; p++) acc += load<f32>(erow + (<usize>p << 2)) * load<f32>(b + <usize>p * ldb);
  return acc;
}

/** db[i] = scale·colsum[i] + 1·db[i] (f32_sum_rows' rounding with alpha = scale, beta = 1). */
// @ts-ignore: decorator
@inline function addColumnSums(n: i32, scale: f32, colsum: usize, db: usize): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(db + o, scale * load<f32>(colsum + o) + <f32>1 * load<f32>(db + o));
  }
}

/**
 * eRBP's gated signal of a hidden layer at one step (Neftci et al. 2017), rows × n:
 *   U ← alpha·(e·G) + beta·U          (beta = 0: U is overwritten; e [rows × c], G [c × n])
 *   g = [lo <= I <= hi] · (U + rhoAmp·s)    (rhoAmp = 0 and s = 0: g = [lo <= I <= hi]·U)
 *   db += scale·Σ_rows g
 * colsum: f32 scratch of n. g and U must not alias the inputs or each other.
 */
export function f32_erbp_gate(rows: i32, n: i32, c: i32, alpha: f32, beta: f32, e: usize, G: usize, U: usize, I: usize,
  lo: f32, hi: f32, rhoAmp: f32, s: usize, g: usize, scale: f32, db: usize, colsum: usize): void {
  const ld = <usize>n << 2;
  memory.fill(colsum, 0, ld);
  for (let r = 0; r < rows; r++) {
    const erow = e + <usize>r * (<usize>c << 2), o0 = <usize>r * ld;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const va = f32x4.splat(alpha), vb = f32x4.splat(beta), vlo = f32x4.splat(lo), vhi = f32x4.splat(hi), vrho = f32x4.splat(rhoAmp), one = f32x4.splat(1);
      for (; i + 16 <= n; i += 16) { // 16 columns at a time: each splat of e[r, p] serves four vectors
        const oi = <usize>i << 2, o = o0 + oi;
        feedback16(c, erow, G + oi, ld, g + o); // the sums, parked in g until each is used
        for (let q: usize = 0; q < 64; q += 16) erbpStore4(v128.load(g + o + q), o + q, oi + q, va, vb, beta, U, I, vlo, vhi, s, vrho, one, g, colsum);
      }
      for (; i + 4 <= n; i += 4) {
        const oi = <usize>i << 2;
        erbpStore4(feedback4(c, erow, G + oi, ld), o0 + oi, oi, va, vb, beta, U, I, vlo, vhi, s, vrho, one, g, colsum);
      }
    }
    for (; i < n; i++) {
      const oi = <usize>i << 2, o = o0 + oi;
      let u = alpha * feedback1(c, erow, G + oi, ld);
      if (beta != 0) u = u + beta * load<f32>(U + o);
      store<f32>(U + o, u);
      const x = load<f32>(I + o), box: f32 = x >= lo && x <= hi ? 1 : 0;
      const gv = box * (s != 0 ? <f32>1 * u + rhoAmp * load<f32>(s + o) : u);
      store<f32>(g + o, gv);
      store<f32>(colsum + oi, load<f32>(colsum + oi) + gv);
    }
  }
  if (db != 0) addColumnSums(n, scale, colsum, db);
}

/**
 * SuperSpike's teaching signal of a hidden layer at one step (Zenke & Ganguli 2018, eq. 8 with the
 * feedback of sim_rfb), rows × n:
 *   eps ← aE·s + lamE·eps           (the layer's own filtered spike train; skipped when eps = 0)
 *   m   = (e·B  or, c = 0, m as given) + rho·eps     (rho·eps skipped when eps = 0)
 *   m   = m ⊙ dstep                 (the surrogate σ'(U))
 *   db += scale·Σ_rows m           (skipped when db = 0)
 * colsum: f32 scratch of n. m and eps must not alias the inputs or each other.
 */
export function f32_superspike_mod(rows: i32, n: i32, c: i32, e: usize, B: usize, s: usize, aE: f32, lamE: f32, eps: usize, rho: f32,
  dstep: usize, m: usize, scale: f32, db: usize, colsum: usize): void {
  const ld = <usize>n << 2;
  memory.fill(colsum, 0, ld);
  for (let r = 0; r < rows; r++) {
    const erow = e + <usize>r * (<usize>c << 2), o0 = <usize>r * ld;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const vaE = f32x4.splat(aE), vlam = f32x4.splat(lamE), vrho = f32x4.splat(rho);
      for (; c > 0 && i + 16 <= n; i += 16) { // the product for 16 columns at once, as in f32_erbp_gate
        const oi = <usize>i << 2, o = o0 + oi;
        feedback16(c, erow, B + oi, ld, m + o);
        for (let q: usize = 0; q < 64; q += 16) superspikeStore4(v128.load(m + o + q), o + q, oi + q, s, vaE, vlam, eps, vrho, dstep, m, colsum);
      }
      for (; i + 4 <= n; i += 4) {
        const oi = <usize>i << 2, o = o0 + oi;
        superspikeStore4(c > 0 ? feedback4(c, erow, B + oi, ld) : v128.load(m + o), o, oi, s, vaE, vlam, eps, vrho, dstep, m, colsum);
      }
    }
    for (; i < n; i++) {
      const oi = <usize>i << 2, o = o0 + oi;
      let v = c > 0 ? feedback1(c, erow, B + oi, ld) : load<f32>(m + o);
      if (eps != 0) {
        const x = aE * load<f32>(s + o) + lamE * load<f32>(eps + o);
        store<f32>(eps + o, x);
        v = v + rho * x;
      }
      v = v * load<f32>(dstep + o);
      store<f32>(m + o, v);
      store<f32>(colsum + oi, load<f32>(colsum + oi) + v);
    }
  }
  if (db != 0) addColumnSums(n, scale, colsum, db);
}
