// Event-driven synaptic propagation: when a layer's input spikes are sparse, add up only the weight
// rows of the inputs that spiked instead of running a dense GEMM over mostly zeros.
//   C[m×n] = α·S[m×k]·B[k×n] + β·C   (B = Wᵀ: row j of B is the fan-out of input j)
// For each row r of S and each j with S[r, j] != 0: C[r, :] += S[r, j] · B[j, :] (one SIMD axpy over n).
// The sum over j is blocked exactly as f32_gemm_* blocks its k loop (KC inputs per block, each block
// summed from +0 in increasing j, then added to C), so the result is bit-identical to
// f32_gemm_nn(m, n, k, 1, 0, S, B, C) and to f32_gemm_nt(m, n, k, 1, 0, S, W, C) with W = Bᵀ: a
// skipped term S[r, j]·B[j, i] is ±0 and adding ±0 to a sum leaves it unchanged (up to the sign of
// an exact zero). TypeScript chooses per step between this and the dense GEMM by the spike count.
import { KC, instanceScratch } from "./gemm";

/**
 * C[m×n] = α·S[m×k]·B[k×n] + β·C, skipping S[r, j] == 0 (see the header; bit-identical to f32_gemm_nn
 * with the same α and β). Per row and K block, the nonzero inputs are listed first (index and value,
 * increasing j, in this instance's scratch), then C's row is summed 32 columns at a time in registers over
 * that list: each element still gains its terms S[r, j]·B[j, i] (product rounded, then added) in
 * increasing j from +0, and the block's sum is put into C as the GEMM puts it, α·sum + β·C for the first
 * block and α·sum + C for each later one (an empty block too: α·(+0) + C can turn a −0 into +0). Rows
 * narrower than the 32-column block sum one axpy per input into a scratch row (four passes over the list
 * would cost more than the row's traffic saves). β = 0 never reads C, so C may hold garbage on entry.
 * Returns the number of nonzero S entries visited. C must not alias S or B.
 */
export function f32_event_nn(m: i32, n: i32, k: i32, alpha: f32, beta: f32, s: usize, b: usize, c: usize): i32 {
  let events = 0;
  const ldb = <usize>n << 2;
  // This instance's scratch: the block's list (KC inputs at most) and a narrow row's block sum.
  const idx = instanceScratch(), val = idx + (<usize>KC << 2), rowSum = val + (<usize>KC << 2);
  if (k <= 0) { // as the GEMM: C = β·C
    for (let i = 0; i < m * n; i++) store<f32>(c + (<usize>i << 2), beta == 0 ? <f32>0 : beta * load<f32>(c + (<usize>i << 2)));
    return 0;
  }
  for (let r = 0; r < m; r++) {
    const srow = s + <usize>r * (<usize>k << 2);
    const crow = c + <usize>r * ldb;
    for (let pc = 0; pc < k; pc += KC) {
      const end = min(pc + KC, k), betaBlock: f32 = pc == 0 ? beta : 1;
      let cnt = 0, j = pc;
      if (ASC_FEATURE_SIMD) { // four inputs per test: one well-predicted branch where most inputs are silent
        const vzero = f32x4.splat(0);
        for (; j + 4 <= end; j += 4) {
          let mask = i32x4.bitmask(f32x4.ne(v128.load(srow + (<usize>j << 2)), vzero));
          while (mask != 0) { // the nonzero lanes in increasing j
            const jj = j + <i32>ctz<i32>(mask);
            store<i32>(idx + (<usize>cnt << 2), jj);
            store<f32>(val + (<usize>cnt << 2), load<f32>(srow + (<usize>jj << 2)));
            cnt++;
            mask &= mask - 1;
          }
        }
      }
      for (; j < end; j++) {
        const sj = load<f32>(srow + (<usize>j << 2));
        if (sj == 0) continue;
        store<i32>(idx + (<usize>cnt << 2), j);
        store<f32>(val + (<usize>cnt << 2), sj);
        cnt++;
      }
      events += cnt;
      if (n < 32) { // a row narrower than the register block: one axpy per input into the scratch row
        fill0(n, rowSum);
        for (let e = 0; e < cnt; e++) axpy(n, load<f32>(val + (<usize>e << 2)), b + <usize>load<i32>(idx + (<usize>e << 2)) * ldb, rowSum);
        put(n, rowSum, crow, alpha, betaBlock);
      } else listSum(n, idx, 0, cnt, val, b, ldb, crow, alpha, betaBlock);
    }
  }
  return events;
}

/** crow[:] = α·Σ + β·crow[:] (β = 0: crow not read), Σ the sum over list entries e in [e0, e1) of
 *  val[e]·B[idx[e], :], or with val = 0 of B[idx[e], :] itself (a spike's 1·b = b exactly), each column
 *  summed from +0 in list order (product rounded, then added), as one axpy per entry into a zeroed row
 *  would; α·Σ and β·crow rounded, then added, as the GEMM's micro-kernel puts its sums (a factor 1 is
 *  exact, so it is skipped). Columns are held in registers 32 at a time, which changes no element's order.
 *  Shared by f32_event_nn and the list kernels. */
// @ts-ignore: decorator
@inline function listSum(n: i32, idx: usize, e0: i32, e1: i32, val: usize, b: usize, ldb: usize, crow: usize, alpha: f32, beta: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 32 <= n; i += 32) {
      const o = <usize>i << 2;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      for (let e = e0; e < e1; e++) {
        const p = b + <usize>load<i32>(idx + (<usize>e << 2)) * ldb + o;
        if (val != 0) {
          const vs = f32x4.splat(load<f32>(val + (<usize>e << 2)));
          a0 = f32x4.add(a0, f32x4.mul(vs, v128.load(p))); a1 = f32x4.add(a1, f32x4.mul(vs, v128.load(p, 16)));
          a2 = f32x4.add(a2, f32x4.mul(vs, v128.load(p, 32))); a3 = f32x4.add(a3, f32x4.mul(vs, v128.load(p, 48)));
          a4 = f32x4.add(a4, f32x4.mul(vs, v128.load(p, 64))); a5 = f32x4.add(a5, f32x4.mul(vs, v128.load(p, 80)));
          a6 = f32x4.add(a6, f32x4.mul(vs, v128.load(p, 96))); a7 = f32x4.add(a7, f32x4.mul(vs, v128.load(p, 112)));
        } else {
          a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
          a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
          a4 = f32x4.add(a4, v128.load(p, 64)); a5 = f32x4.add(a5, v128.load(p, 80));
          a6 = f32x4.add(a6, v128.load(p, 96)); a7 = f32x4.add(a7, v128.load(p, 112));
        }
      }
      const q = crow + o;
      v128.store(q, put4(a0, q, alpha, beta)); v128.store(q + 16, put4(a1, q + 16, alpha, beta));
      v128.store(q + 32, put4(a2, q + 32, alpha, beta)); v128.store(q + 48, put4(a3, q + 48, alpha, beta));
      v128.store(q + 64, put4(a4, q + 64, alpha, beta)); v128.store(q + 80, put4(a5, q + 80, alpha, beta));
      v128.store(q + 96, put4(a6, q + 96, alpha, beta)); v128.store(q + 112, put4(a7, q + 112, alpha, beta));
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      let a0 = f32x4.splat(0);
      for (let e = e0; e < e1; e++) {
        const x = v128.load(b + <usize>load<i32>(idx + (<usize>e << 2)) * ldb + o);
        a0 = f32x4.add(a0, val != 0 ? f32x4.mul(f32x4.splat(load<f32>(val + (<usize>e << 2))), x) : x);
      }
      v128.store(crow + o, put4(a0, crow + o, alpha, beta));
    }
  }
  for (; i < n; i++) { // the tail, and every column in the scalar build
    const o = <usize>i << 2;
    let a: f32 = 0;
    for (let e = e0; e < e1; e++) {
      const x = load<f32>(b + <usize>load<i32>(idx + (<usize>e << 2)) * ldb + o);
      a += val != 0 ? load<f32>(val + (<usize>e << 2)) * x : x;
    }
    store<f32>(crow + o, put1(a, crow + o, alpha, beta));
  }
}

/**
 * C[m×n] = S·B for 0/1 spikes S given as spike lists (f32_lif_layer_step's): row r's spiking inputs
 * are list[r·ldl .. r·ldl + counts[r]) (i32, increasing, each < k). Same sums as f32_event_nn on the
 * 0/1 matrix (a spike adds its weight row, 1·b = b exactly; the same KC blocks, each summed from +0 in
 * increasing j and then added to C), so bit-identical to f32_gemm_nn / _nt with α = 1, β = 0. Columns are
 * summed 32 at a time in registers, which changes no element's order. Returns the number of events,
 * or ~r (negative) without writing anything when counts[r] is outside [0, k]. C must not alias B; C is
 * write-only.
 */
export function f32_event_list_nn(m: i32, n: i32, k: i32, list: usize, ldl: i32, counts: usize, b: usize, c: usize): i32 {
  for (let r = 0; r < m; r++) { // before any work: a count outside [0, k] returns ~r
    const cnt = load<i32>(counts + (<usize>r << 2));
    if (cnt < 0 || cnt > k) return ~r;
  }
  let events = 0;
  const ldb = <usize>n << 2;
  for (let r = 0; r < m; r++) {
    const lrow = list + (<usize>r * <usize>ldl << 2);
    const cnt = load<i32>(counts + (<usize>r << 2));
    const crow = c + <usize>r * ldb;
    events += cnt;
    listRow(n, k, lrow, cnt, b, ldb, crow);
  }
  return events;
}

/** One row of f32_event_list_nn: crow[:] = the sum of B's rows listed at lrow (cnt of them, increasing,
 *  each < k), in the KC blocks of the GEMM. Shared with the fused step (f32_lif_layer_step). */
// @ts-ignore: decorator
@inline export function listRow(n: i32, k: i32, lrow: usize, cnt: i32, b: usize, ldb: usize, crow: usize): void {
  let e0 = 0;
  for (let pc = 0; pc < k || pc == 0; pc += KC) { // the blocks of inputs [pc, pc + KC)
    let e1 = e0;
    while (e1 < cnt && load<i32>(lrow + (<usize>e1 << 2)) < pc + KC) e1++;
    // a later empty block is skipped: C holds a first block's sum from +0, never −0, so C + 1·(+0) = C
    if (pc == 0 || e1 > e0) listSum(n, lrow, e0, e1, 0, b, ldb, crow, 1, pc != 0 ? 1 : 0);
    e0 = e1;
  }
}

/**
 * out[r, :] = the 0/1 spikes of row r's list (list[r·n ..], counts[r] of them, each in [0, n)): the dense
 * spike matrix a GEMM needs, from the lists the fused step and the encoder write. A count outside [0, n]
 * is clamped into it (the lists are this core's own output; the backend checks them in the debug build).
 */
export function f32_list_spikes(rows: i32, n: i32, list: usize, counts: usize, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * (<usize>n << 2), lrow = list + row, orow = out + row;
    memory.fill(orow, 0, <usize>n << 2);
    const cnt = min(max(load<i32>(counts + (<usize>r << 2)), 0), n);
    for (let e = 0; e < cnt; e++) {
      const j = load<i32>(lrow + (<usize>e << 2));
      if (<u32>j < <u32>n) store<f32>(orow + (<usize>j << 2), 1);
    }
  }
}

/** Inputs per pass of f32_event_tn over S: one 64-byte line of each row of S. */
const EVENT_TN_COLS = 16; // eventOuterScratch in src/backend/gemm.ts sizes the scratch from it

/**
 * C[k×n] += Sᵀ·G (S [m×k], G [m×n]), skipping S[r, j] == 0: for each nonzero S[r, j], C[j, :] gains
 * S[r, j]·G[r, :] — the weight-gradient side of event-driven propagation: a presynaptic spike adds its
 * row's postsynaptic signal to its own row of Cᵀ = dWᵀ, so the work is spikes × n rather than m × k × n.
 * Walked by input: for EVENT_TN_COLS inputs at a time, one pass down their columns of S lists the rows
 * that spiked on each (scratch `rows`, i32[EVENT_TN_COLS·(m + 1)]: the counts, then a list of m slots per
 * input); then C's row j is held in registers 32 columns at a time while its terms are added, so a row of
 * C is read and written once per call rather than once per spike. Each C[j, i] still gains its terms in
 * increasing r, each the rounded product S[r, j]·G[r, i] added to the running value (as an axpy per spike
 * would), so the bits are those of that per-spike order; it differs from a GEMM's order, so it matches
 * Sᵀ·G to float rounding, not bit for bit. Returns the number of nonzero S entries. C must not alias S,
 * G or rows.
 */
export function f32_event_tn(m: i32, n: i32, k: i32, s: usize, g: usize, c: usize, rows: usize): i32 {
  let events = 0;
  const ldc = <usize>n << 2, lds = <usize>k << 2, lists = rows + (<usize>EVENT_TN_COLS << 2), ldl = <usize>m << 2;
  for (let j0 = 0; j0 < k; j0 += EVENT_TN_COLS) {
    const jn = min(EVENT_TN_COLS, k - j0);
    memory.fill(rows, 0, <usize>EVENT_TN_COLS << 2);
    for (let r = 0; r < m; r++) {
      const srow = s + <usize>r * lds + (<usize>j0 << 2);
      let jj = 0;
      if (ASC_FEATURE_SIMD) {
        const vzero = f32x4.splat(0);
        for (; jj + 4 <= jn; jj += 4) {
          let mask = i32x4.bitmask(f32x4.ne(v128.load(srow + (<usize>jj << 2)), vzero));
          while (mask != 0) {
            pushRow(rows, lists, ldl, jj + <i32>ctz<i32>(mask), r);
            mask &= mask - 1;
          }
        }
      }
      for (; jj < jn; jj++) if (load<f32>(srow + (<usize>jj << 2)) != 0) pushRow(rows, lists, ldl, jj, r);
    }
    for (let jj = 0; jj < jn; jj++) {
      const cnt = load<i32>(rows + (<usize>jj << 2));
      if (cnt == 0) continue;
      events += cnt;
      addRows(0, n, cnt, lists + <usize>jj * ldl, s + (<usize>(j0 + jj) << 2), lds, g, ldc, c + <usize>(j0 + jj) * ldc);
    }
  }
  return events;
}

/** Appends row r to input jj's list (counts at `rows`, lists of ldl bytes each at `lists`). */
// @ts-ignore: decorator
@inline function pushRow(rows: usize, lists: usize, ldl: usize, jj: i32, r: i32): void {
  const p = rows + (<usize>jj << 2), cnt = load<i32>(p);
  store<i32>(lists + <usize>jj * ldl + (<usize>cnt << 2), r);
  store<i32>(p, cnt + 1);
}

/** crow[i0..i1) += Σ over the listed rows r (in list order) of w_r·G[r, i0..i1), each term added to the
 *  running value held in registers: w_r = scol[r·lds] (the product rounded, then added), or, scol = 0, the
 *  row itself (a spike's 1·G[r, i] is G[r, i] exactly, so either form gives the same bits). Shared with
 *  f32_spike_outer. */
// @ts-ignore: decorator
@inline export function addRows(i0: i32, i1: i32, cnt: i32, list: usize, scol: usize, lds: usize, g: usize, ldc: usize, crow: usize): void {
  let i = i0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 32 <= i1; i += 32) {
      const q = crow + (<usize>i << 2);
      let a0 = v128.load(q), a1 = v128.load(q, 16), a2 = v128.load(q, 32), a3 = v128.load(q, 48);
      let a4 = v128.load(q, 64), a5 = v128.load(q, 80), a6 = v128.load(q, 96), a7 = v128.load(q, 112);
      for (let e = 0; e < cnt; e++) {
        const r = <usize>load<i32>(list + (<usize>e << 2));
        const p = g + r * ldc + (<usize>i << 2);
        if (scol != 0) {
          const vs = f32x4.splat(load<f32>(scol + r * lds));
          a0 = f32x4.add(a0, f32x4.mul(vs, v128.load(p))); a1 = f32x4.add(a1, f32x4.mul(vs, v128.load(p, 16)));
          a2 = f32x4.add(a2, f32x4.mul(vs, v128.load(p, 32))); a3 = f32x4.add(a3, f32x4.mul(vs, v128.load(p, 48)));
          a4 = f32x4.add(a4, f32x4.mul(vs, v128.load(p, 64))); a5 = f32x4.add(a5, f32x4.mul(vs, v128.load(p, 80)));
          a6 = f32x4.add(a6, f32x4.mul(vs, v128.load(p, 96))); a7 = f32x4.add(a7, f32x4.mul(vs, v128.load(p, 112)));
        } else {
          a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
          a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
          a4 = f32x4.add(a4, v128.load(p, 64)); a5 = f32x4.add(a5, v128.load(p, 80));
          a6 = f32x4.add(a6, v128.load(p, 96)); a7 = f32x4.add(a7, v128.load(p, 112));
        }
      }
      v128.store(q, a0); v128.store(q, a1, 16); v128.store(q, a2, 32); v128.store(q, a3, 48);
      v128.store(q, a4, 64); v128.store(q, a5, 80); v128.store(q, a6, 96); v128.store(q, a7, 112);
    }
    for (; i + 4 <= i1; i += 4) {
      const q = crow + (<usize>i << 2);
      let a0 = v128.load(q);
      for (let e = 0; e < cnt; e++) {
        const r = <usize>load<i32>(list + (<usize>e << 2)), x = v128.load(g + r * ldc + (<usize>i << 2));
        a0 = f32x4.add(a0, scol != 0 ? f32x4.mul(f32x4.splat(load<f32>(scol + r * lds)), x) : x);
      }
      v128.store(q, a0);
    }
  }
  for (; i < i1; i++) { // the tail, and every column in the scalar build
    const q = crow + (<usize>i << 2);
    let a = load<f32>(q);
    for (let e = 0; e < cnt; e++) {
      const r = <usize>load<i32>(list + (<usize>e << 2)), x = load<f32>(g + r * ldc + (<usize>i << 2));
      a = a + (scol != 0 ? load<f32>(scol + r * lds) * x : x);
    }
    store<f32>(q, a);
  }
}

/** out[n×m] = aᵀ for a [m×n] (row-major). out must not alias a. A copy, so every build gives the same
 *  bits; the SIMD build moves 4×4 tiles through shuffles (the dendritic network transposes its weights
 *  once per presentation of a small batch, where a scalar copy was a visible share of the epoch). */
export function f32_transpose(m: i32, n: i32, a: usize, out: usize): void {
  const B = 16; // 16×16 blocks keep a block's source lines and destination lines in L1
  const lda = <usize>n << 2, ldo = <usize>m << 2;
  for (let i0 = 0; i0 < m; i0 += B) {
    const i1 = min(i0 + B, m);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = min(j0 + B, n);
      let i = i0;
      if (ASC_FEATURE_SIMD) {
        for (; i + 4 <= i1; i += 4) {
          let j = j0;
          for (; j + 4 <= j1; j += 4) {
            const p = a + <usize>i * lda + (<usize>j << 2);
            const r0 = v128.load(p), r1 = v128.load(p + lda), r2 = v128.load(p + 2 * lda), r3 = v128.load(p + 3 * lda);
            const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5); // a00 a10 a01 a11 | a20 a30 a21 a31
            const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7); // a02 a12 a03 a13 | a22 a32 a23 a33
            const q = out + <usize>j * ldo + (<usize>i << 2);
            v128.store(q, i64x2.shuffle(t0, t1, 0, 2));
            v128.store(q + ldo, i64x2.shuffle(t0, t1, 1, 3));
            v128.store(q + 2 * ldo, i64x2.shuffle(t2, t3, 0, 2));
            v128.store(q + 3 * ldo, i64x2.shuffle(t2, t3, 1, 3));
          }
          for (; j < j1; j++) for (let ii = i; ii < i + 4; ii++) copyAt(a, lda, out, ldo, ii, j);
        }
      }
      for (; i < i1; i++) for (let j = j0; j < j1; j++) copyAt(a, lda, out, ldo, i, j);
    }
  }
}

/** out[j, i] = a[i, j] (row strides lda and ldo in bytes). */
// @ts-ignore: decorator
@inline function copyAt(a: usize, lda: usize, out: usize, ldo: usize, i: i32, j: i32): void {
  store<f32>(out + <usize>j * ldo + (<usize>i << 2), load<f32>(a + <usize>i * lda + (<usize>j << 2)));
}

// @ts-ignore: decorator
@inline function fill0(n: i32, x: usize): void {
  memory.fill(x, 0, <usize>n << 2);
}

/** y += alpha·x over n (product, then sum: the micro-kernel's a·b then acc + ab). Shared with f32_event_conv. */
// @ts-ignore: decorator
@inline export function axpy(n: i32, alpha: f32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** y = α·x + β·y over n (β = 0: y not read), each element as put1. */
// @ts-ignore: decorator
@inline function put(n: i32, x: usize, y: usize, alpha: f32, beta: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, put4(v128.load(x + o), y + o, alpha, beta));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, put1(load<f32>(x + o), y + o, alpha, beta));
  }
}

/** α·sum + β·C[q] as the GEMM puts a sum into C: each product rounded, then added; β = 0 never reads C.
 *  A factor 1 is exact (1·x = x), so it is not multiplied. */
// @ts-ignore: decorator
@inline function put1(sum: f32, q: usize, alpha: f32, beta: f32): f32 {
  const v = alpha == 1 ? sum : alpha * sum;
  return beta == 0 ? v : v + (beta == 1 ? load<f32>(q) : beta * load<f32>(q));
}

/** put1 for four lanes. */
// @ts-ignore: decorator
@inline function put4(sum: v128, q: usize, alpha: f32, beta: f32): v128 {
  const v = alpha == 1 ? sum : f32x4.mul(f32x4.splat(alpha), sum);
  return beta == 0 ? v : f32x4.add(v, beta == 1 ? v128.load(q) : f32x4.mul(f32x4.splat(beta), v128.load(q)));
}
