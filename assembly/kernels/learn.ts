// The learning side of the online spiking rules (superspike, erbp): weight-gradient sums triggered by
// presynaptic spikes, from spike lists instead of dense spike matrices.
//   f32_spike_rows   dense 0/1 spikes S[m×k] → packed row lists (row r's spiking inputs, increasing)
//   f32_spike_outer  C[k×n] += Sᵀ·G from those lists: each spike (r, j) adds row r of G to row j of C
// A window stores its spikes as lists (a few percent of the dense matrix) and the sum visits each spike
// once. The lists are regrouped by input (a counting sort) so that a row of C is held in registers while
// all its terms are added, and read and written once per call rather than once per spike. Each C[j, i]
// gains its terms G[r, i] in increasing r, added to the running value: the bits of f32_event_tn on the
// same 0/1 matrix (whose per-spike product 1·G[r, i] is exact), so either may stand for the other.

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
        if (end > start) addRows32(end - start, lists + (<usize>start << 2), g + (<usize>i << 2), ldc, c + <usize>j * ldc + (<usize>i << 2));
        start = end;
      }
    }
  }
  if (i < n) {
    let start = 0;
    for (let j = 0; j < k; j++) {
      const end = load<i32>(ends + (<usize>j << 2));
      if (end > start) addRowsTail(i, n, end - start, lists + (<usize>start << 2), g, ldc, c + <usize>j * ldc);
      start = end;
    }
  }
  return total;
}

/** crow[0..32) += Σ over the listed rows r (in list order) of G[r, 0..32) (g: column 0 of the block), each
 *  added to the running value held in registers. */
// @ts-ignore: decorator
@inline function addRows32(cnt: i32, list: usize, g: usize, ldc: usize, q: usize): void {
  let a0 = v128.load(q), a1 = v128.load(q, 16), a2 = v128.load(q, 32), a3 = v128.load(q, 48);
  let a4 = v128.load(q, 64), a5 = v128.load(q, 80), a6 = v128.load(q, 96), a7 = v128.load(q, 112);
  for (let e = 0; e < cnt; e++) {
    const p = g + <usize>load<i32>(list + (<usize>e << 2)) * ldc;
    a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
    a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
    a4 = f32x4.add(a4, v128.load(p, 64)); a5 = f32x4.add(a5, v128.load(p, 80));
    a6 = f32x4.add(a6, v128.load(p, 96)); a7 = f32x4.add(a7, v128.load(p, 112));
  }
  v128.store(q, a0); v128.store(q, a1, 16); v128.store(q, a2, 32); v128.store(q, a3, 48);
  v128.store(q, a4, 64); v128.store(q, a5, 80); v128.store(q, a6, 96); v128.store(q, a7, 112);
}

/** crow[i0..n) += Σ over the listed rows r (in list order) of G[r, i0..n): 4 lanes, then one at a time. */
// @ts-ignore: decorator
@inline function addRowsTail(i0: i32, n: i32, cnt: i32, list: usize, g: usize, ldc: usize, crow: usize): void {
  let i = i0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const q = crow + (<usize>i << 2);
      let a0 = v128.load(q);
      for (let e = 0; e < cnt; e++) a0 = f32x4.add(a0, v128.load(g + <usize>load<i32>(list + (<usize>e << 2)) * ldc + (<usize>i << 2)));
      v128.store(q, a0);
    }
  }
  for (; i < n; i++) { // the last columns, and every column in the scalar build
    const q = crow + (<usize>i << 2);
    let a = load<f32>(q);
    for (let e = 0; e < cnt; e++) a += load<f32>(g + <usize>load<i32>(list + (<usize>e << 2)) * ldc + (<usize>i << 2));
    store<f32>(q, a);
  }
}
