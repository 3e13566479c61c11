// General matrix multiply, f32, row-major, contiguous: C[m×n] = α·op(A)·op(B) + β·C.
//
// Design (GotoBLAS/BLIS-style blocking; see: Goto & van de Geijn 2008, "Anatomy of high-performance
// matrix multiplication", and the loop structure of BLIS; the 4x8 splat micro-tile follows the idea of
// XNNPACK's f32-gemm 4x8 wasmsimd "splat" kernels, written anew here for packed operands):
//   for jc in n step NC:              B block of NC columns
//     for pc in k step KC:            pack B[pc:pc+KC, jc:jc+NC] into 8-column panels  (PACK_B)
//       for ic in m step MC:          pack A[ic:ic+MC, pc:pc+KC] into 4-row panels     (PACK_A)
//         for jr in NC step 8:        one B micro-panel (KC×8, 8 KB) stays in L1
//           for ir in MC step 4:      4x8 micro-kernel over KC: 8 f32x4 accumulators
// Packing is where the transposes live: after it, NN, NT, TN and TT run the very same micro-kernel on
// the same packed layout, so no transpose is ever materialised and all four run at the same speed.
//   packed A panel (4 rows):   for p < kc: A(i0+0, p), A(i0+1, p), A(i0+2, p), A(i0+3, p)
//   packed B panel (8 cols):   for p < kc: B(p, j0+0) … B(p, j0+7)
// Panels at the m/n edges are padded with zeros. The last 1-3 rows of an A block run 1x32 / 2x16 / 3x8
// kernels over full B panels (no flops on padding: +6 % on 33x785x257); a ragged last B panel (n % 8)
// runs the 4x8 kernel into a scratch tile of which only the valid part is merged into C. β is applied on the first KC block only (later blocks
// accumulate with β = 1); β = 0 never reads C, so C may hold garbage (NaN) on entry.
//
// Scratch, allocated once when the module starts (never freed, never reallocated):
//   PACK_A  (MC/4)·(KC·16 + 64) = 130 KiB;  PACK_B  (NC/8)·(KC·32 + 64) = 516 KiB;  TILE  4·8·4 = 128 B
//   (+64 bytes of skew per panel, see SKEW).
// Block sizes, measured (bench/suites/gemm.js shapes, Xeon with 48 KiB L1d / 2 MiB L2 per core):
// KC ∈ {128, 256, 384}, MC ∈ {64, 96, 128, 256}, NC ∈ {512, 1024} all land within ±2 % of one another
// (≈ 0.97–1.0 of the SIMD peak probe); KC = 512 with NC = 1024 (a 2 MiB B block, spilling L2) lost 35 %.
// NC = 512 keeps the packed B block within a 1 MiB L2 (Zen 4/5) alongside the A block.
// The scratch is per instance: one instance runs one call at a time, and each thread of a pool has its
// own instance over the shared memory (see f32_gemm_part).

/** Depth of a K block: a 4x8 micro-step reads 16 + 32 bytes per k, so a B micro-panel is KC·32 B. */
export const KC: i32 = 256;
/** Rows of an A block (multiple of 4): MC·KC·4 bytes of packed A stay in L2. */
const MC: i32 = 128;
/** Columns of a B block (multiple of 8): KC·NC·4 bytes of packed B, meant to stay in L2. */
const NC: i32 = 512;
const MR: i32 = 4;
const NR: i32 = 8;

/** Panels are SKEW bytes apart beyond their size, so that panel starts do not all fall in one cache set. */
const SKEW: usize = 64;
// @ts-ignore: decorator
@inline function panelBytesA(kc: i32): usize { return (<usize>kc << 4) + SKEW; }
// @ts-ignore: decorator
@inline function panelBytesB(kc: i32): usize { return (<usize>kc << 5) + SKEW; }
/** Bytes of one thread's scratch: packed A block, packed B block, edge tile. Written as constant
 *  expressions (no calls) so they fold to immutable globals: a worker instance never runs the start
 *  function, so any global it computes would read 0 there. */
const SCRATCH_A: i32 = (MC / MR) * ((KC << 4) + <i32>SKEW);
const SCRATCH_B: i32 = (NC / NR) * ((KC << 5) + <i32>SKEW);
const SCRATCH_BYTES: i32 = SCRATCH_A + SCRATCH_B + ((MR * NR) << 2);
// Globals are per instance, memory is shared: the instance that runs the start function (the only one
// that allocates) gets its scratch here; a worker instance never runs it and is handed a block of
// SCRATCH_BYTES allocated for it through gemm_set_scratch.
let PACK_A: usize = heap.alloc(<usize>SCRATCH_BYTES);
let PACK_B: usize = PACK_A + <usize>SCRATCH_A;
let TILE: usize = PACK_B + <usize>SCRATCH_B;

/** This instance's scratch block (gemm_scratch_bytes() bytes): also the event kernels' per-row input lists
 *  (f32_event_nn), which never run inside a GEMM call. */
// @ts-ignore: decorator
@inline export function instanceScratch(): usize { return PACK_A; }

/** Bytes a thread's GEMM scratch block needs (see gemm_set_scratch). */
export function gemm_scratch_bytes(): usize {
  return <usize>SCRATCH_BYTES;
}

/** Points this instance's GEMM scratch at `ptr` (gemm_scratch_bytes() bytes, owned by the caller). */
export function gemm_set_scratch(ptr: usize): void {
  PACK_A = ptr;
  PACK_B = ptr + <usize>SCRATCH_A;
  TILE = PACK_B + <usize>SCRATCH_B;
}

/** C[m×n] = α·A·B + β·C with A [m×k], B [k×n] (row-major). C must not alias A or B. β = 0: C is write-only. */
export function f32_gemm_nn(m: i32, n: i32, k: i32, alpha: f32, beta: f32, a: usize, b: usize, c: usize): void {
  gemm(m, n, k, alpha, beta, a, b, c, false, false, 0, m, 0, n);
}

/** C[m×n] = α·A·Bᵀ + β·C with A [m×k], B stored [n×k]. C must not alias A or B. β = 0: C is write-only. */
export function f32_gemm_nt(m: i32, n: i32, k: i32, alpha: f32, beta: f32, a: usize, b: usize, c: usize): void {
  gemm(m, n, k, alpha, beta, a, b, c, false, true, 0, m, 0, n);
}

/** C[m×n] = α·Aᵀ·B + β·C with A stored [k×m], B [k×n]. C must not alias A or B. β = 0: C is write-only. */
export function f32_gemm_tn(m: i32, n: i32, k: i32, alpha: f32, beta: f32, a: usize, b: usize, c: usize): void {
  gemm(m, n, k, alpha, beta, a, b, c, true, false, 0, m, 0, n);
}

/** C[m×n] = α·Aᵀ·Bᵀ + β·C with A stored [k×m], B stored [n×k]. C must not alias A or B. β = 0: C is write-only. */
export function f32_gemm_tt(m: i32, n: i32, k: i32, alpha: f32, beta: f32, a: usize, b: usize, c: usize): void {
  gemm(m, n, k, alpha, beta, a, b, c, true, true, 0, m, 0, n);
}

/**
 * The block C[i0:i1, j0:j1] of the GEMM selected by trans (bit 0: A transposed, bit 1: B transposed);
 * all other arguments as in the four kernels above. Every element of C is reduced over k in the same
 * KC blocks and the same order whatever block computes it, so threads computing disjoint blocks give
 * the bits of one whole call.
 */
export function f32_gemm_part(trans: i32, m: i32, n: i32, k: i32, alpha: f32, beta: f32, a: usize, b: usize, c: usize, i0: i32, i1: i32, j0: i32, j1: i32): void {
  if (i0 < 0 || j0 < 0 || i1 > m || j1 > n) return;
  gemm(m, n, k, alpha, beta, a, b, c, (trans & 1) != 0, (trans & 2) != 0, i0, i1, j0, j1);
}

// The shared driver, over the block C[i0:i1, j0:j1] (the whole of C unless a pool splits it).
// Preconditions (checked by the TS wrapper, not here): sizes >= 0, C does not overlap A or B, every
// buffer holds its full matrix. An empty block: nothing happens. k = 0: C = β·C.
function gemm(m: i32, n: i32, k: i32, alpha: f32, beta: f32, a: usize, b: usize, c: usize, transA: bool, transB: bool,
  i0: i32, i1: i32, j0: i32, j1: i32): void {
  if (i1 <= i0 || j1 <= j0) return;
  const ldc = <usize>n << 2;
  if (k <= 0) {
    for (let i = i0; i < i1; i++) scaleC(j1 - j0, beta, c + <usize>i * ldc + (<usize>j0 << 2));
    return;
  }
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const betaBlock: f32 = pc == 0 ? beta : 1;
      if (transB) packBT(b, k, pc, jc, kc, nc);
      else packB(b, n, pc, jc, kc, nc);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        if (transA) packAT(a, m, ic, pc, mc, kc);
        else packA(a, k, ic, pc, mc, kc);
        const panelA = panelBytesA(kc); // bytes from one packed 4-row A panel to the next
        const panelB = panelBytesB(kc); // bytes from one packed 8-column B panel to the next
        const mFull = mc & ~3; // rows in full 4-row panels; the 1-3 rows left are an edge strip
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = PACK_B + <usize>(jr >> 3) * panelB;
          const cj = c + (<usize>(jc + jr) << 2);
          for (let ir = 0; ir < mFull; ir += MR) {
            const pa = PACK_A + <usize>(ir >> 2) * panelA;
            const cp = cj + <usize>(ic + ir) * ldc;
            if (nr == NR) {
              micro4x8(kc, pa, pb, alpha, betaBlock, cp, ldc);
            } else {
              micro4x8(kc, pa, pb, alpha, 0, TILE, NR << 2);
              mergeEdge(MR, nr, betaBlock, cp, ldc);
            }
          }
        }
        if (mc > mFull) {
          edgeRows(mc - mFull, kc, nc, PACK_A + <usize>(mFull >> 2) * panelA, panelB, alpha, betaBlock, c + (<usize>jc << 2) + <usize>(ic + mFull) * ldc, ldc);
        }
      }
    }
  }
}

/**
 * The last 1-3 rows of an A block against the whole packed B block. With SIMD, full B panels go
 * through 1x32, 2x16 or 3x8 kernels (8, 8 and 6 accumulators: no flops spent on padding rows);
 * whatever is left (and everything in the scalar build) goes through the padded 4x8 tile.
 */
function edgeRows(mr: i32, kc: i32, nc: i32, pa: usize, panelB: usize, alpha: f32, beta: f32, c: usize, ldc: usize): void {
  const nFull = nc & ~7;
  let jr = 0;
  if (ASC_FEATURE_SIMD) {
    if (mr == 1) {
      for (; jr + 32 <= nFull; jr += 32) micro1x32(kc, pa, PACK_B + <usize>(jr >> 3) * panelB, panelB, alpha, beta, c + (<usize>jr << 2));
    } else if (mr == 2) {
      for (; jr + 16 <= nFull; jr += 16) micro2x16(kc, pa, PACK_B + <usize>(jr >> 3) * panelB, panelB, alpha, beta, c + (<usize>jr << 2), ldc);
    } else {
      for (; jr + 8 <= nFull; jr += 8) micro3x8(kc, pa, PACK_B + <usize>(jr >> 3) * panelB, alpha, beta, c + (<usize>jr << 2), ldc);
    }
  }
  for (; jr < nc; jr += NR) {
    micro4x8(kc, pa, PACK_B + <usize>(jr >> 3) * panelB, alpha, 0, TILE, NR << 2);
    mergeEdge(mr, min(NR, nc - jr), beta, c + (<usize>jr << 2), ldc);
  }
}

/** C = β·C over n consecutive elements; β = 0 writes zeros without reading C. */
function scaleC(n: i32, beta: f32, c: usize): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(c + o, beta == 0 ? <f32>0 : beta * load<f32>(c + o));
  }
}

/** C[r][j] = TILE[r][j] + β·C[r][j] for the valid mr×nr corner (TILE already holds α·acc). */
function mergeEdge(mr: i32, nr: i32, beta: f32, c: usize, ldc: usize): void {
  for (let r = 0; r < mr; r++) {
    const t = TILE + (<usize>r << 5);
    const cr = c + <usize>r * ldc;
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(t + o);
      store<f32>(cr + o, beta == 0 ? v : v + beta * load<f32>(cr + o));
    }
  }
}

// ---- the micro-kernel -------------------------------------------------------------------------------

/**
 * 4x8 tile: acc = Σ_p Apanel[p][0..3] ⊗ Bpanel[p][0..7] over kc steps, then
 * C = α·acc + β·C (β = 0: C not read). ldc in bytes.
 */
function micro4x8(kc: i32, pa: usize, pb: usize, alpha: f32, beta: f32, c: usize, ldc: usize): void {
  if (ASC_FEATURE_SIMD) {
    microRx8(4, kc, pa, pb, alpha, beta, c, ldc);
  } else {
    micro4x4Scalar(kc, pa, pb, alpha, beta, c, ldc);
    micro4x4Scalar(kc, pa, pb + 16, alpha, beta, c + 16, ldc);
  }
}

/** Edge strip, 3 rows × 1 B panel (8 columns). SIMD only. */
function micro3x8(kc: i32, pa: usize, pb: usize, alpha: f32, beta: f32, c: usize, ldc: usize): void {
  if (ASC_FEATURE_SIMD) microRx8(3, kc, pa, pb, alpha, beta, c, ldc);
}

/**
 * SIMD R×8 tile, R = 3 or 4 (a constant: row 3 compiles away for R = 3), 2·R f32x4 accumulators:
 * acc = Σ_p Apanel[p][0..R-1] ⊗ Bpanel[p][0..7] over kc steps, then C = α·acc + β·C (β = 0: C not read).
 */
// @ts-ignore: decorator
@inline function microRx8(R: i32, kc: i32, pa: usize, pb: usize, alpha: f32, beta: f32, c: usize, ldc: usize): void {
  let vacc0x0 = f32x4.splat(0), vacc0x4 = f32x4.splat(0);
  let vacc1x0 = f32x4.splat(0), vacc1x4 = f32x4.splat(0);
  let vacc2x0 = f32x4.splat(0), vacc2x4 = f32x4.splat(0);
  let vacc3x0 = f32x4.splat(0), vacc3x4 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const vb0 = v128.load(pb);
    const vb4 = v128.load(pb, 16);
    const va0 = v128.load32_splat(pa);
    vacc0x0 = f32x4.add(vacc0x0, f32x4.mul(va0, vb0));
    vacc0x4 = f32x4.add(vacc0x4, f32x4.mul(va0, vb4));
    const va1 = v128.load32_splat(pa, 4);
    vacc1x0 = f32x4.add(vacc1x0, f32x4.mul(va1, vb0));
    vacc1x4 = f32x4.add(vacc1x4, f32x4.mul(va1, vb4));
    const va2 = v128.load32_splat(pa, 8);
    vacc2x0 = f32x4.add(vacc2x0, f32x4.mul(va2, vb0));
    vacc2x4 = f32x4.add(vacc2x4, f32x4.mul(va2, vb4));
    if (R == 4) {
      const va3 = v128.load32_splat(pa, 12);
      vacc3x0 = f32x4.add(vacc3x0, f32x4.mul(va3, vb0));
      vacc3x4 = f32x4.add(vacc3x4, f32x4.mul(va3, vb4));
    }
    pa += 16;
    pb += 32;
  }
  const valpha = f32x4.splat(alpha);
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  vacc0x0 = f32x4.mul(valpha, vacc0x0); vacc0x4 = f32x4.mul(valpha, vacc0x4);
  vacc1x0 = f32x4.mul(valpha, vacc1x0); vacc1x4 = f32x4.mul(valpha, vacc1x4);
  vacc2x0 = f32x4.mul(valpha, vacc2x0); vacc2x4 = f32x4.mul(valpha, vacc2x4);
  if (R == 4) { vacc3x0 = f32x4.mul(valpha, vacc3x0); vacc3x4 = f32x4.mul(valpha, vacc3x4); }
  if (beta != 0) {
    const vbeta = f32x4.splat(beta);
    vacc0x0 = f32x4.add(vacc0x0, f32x4.mul(vbeta, v128.load(c))); vacc0x4 = f32x4.add(vacc0x4, f32x4.mul(vbeta, v128.load(c, 16)));
    vacc1x0 = f32x4.add(vacc1x0, f32x4.mul(vbeta, v128.load(c1))); vacc1x4 = f32x4.add(vacc1x4, f32x4.mul(vbeta, v128.load(c1, 16)));
    vacc2x0 = f32x4.add(vacc2x0, f32x4.mul(vbeta, v128.load(c2))); vacc2x4 = f32x4.add(vacc2x4, f32x4.mul(vbeta, v128.load(c2, 16)));
    if (R == 4) { vacc3x0 = f32x4.add(vacc3x0, f32x4.mul(vbeta, v128.load(c3))); vacc3x4 = f32x4.add(vacc3x4, f32x4.mul(vbeta, v128.load(c3, 16))); }
  }
  v128.store(c, vacc0x0); v128.store(c, vacc0x4, 16);
  v128.store(c1, vacc1x0); v128.store(c1, vacc1x4, 16);
  v128.store(c2, vacc2x0); v128.store(c2, vacc2x4, 16);
  if (R == 4) { v128.store(c3, vacc3x0); v128.store(c3, vacc3x4, 16); }
}

// @ts-ignore: decorator
@inline function put4(c: usize, vacc: v128, valpha: v128, beta: f32, vbeta: v128): void {
  let v = f32x4.mul(valpha, vacc);
  if (beta != 0) v = f32x4.add(v, f32x4.mul(vbeta, v128.load(c)));
  v128.store(c, v);
}

/** Edge strip, 1 row × 4 consecutive B panels (32 columns). SIMD only. */
function micro1x32(kc: i32, pa: usize, pb: usize, panelB: usize, alpha: f32, beta: f32, c: usize): void {
  if (ASC_FEATURE_SIMD) {
    let vacc0 = f32x4.splat(0), vacc1 = f32x4.splat(0), vacc2 = f32x4.splat(0), vacc3 = f32x4.splat(0);
    let vacc4 = f32x4.splat(0), vacc5 = f32x4.splat(0), vacc6 = f32x4.splat(0), vacc7 = f32x4.splat(0);
    let pb1 = pb + panelB, pb2 = pb1 + panelB, pb3 = pb2 + panelB;
    for (let p = 0; p < kc; p++) {
      const va = v128.load32_splat(pa);
      vacc0 = f32x4.add(vacc0, f32x4.mul(va, v128.load(pb)));
      vacc1 = f32x4.add(vacc1, f32x4.mul(va, v128.load(pb, 16)));
      vacc2 = f32x4.add(vacc2, f32x4.mul(va, v128.load(pb1)));
      vacc3 = f32x4.add(vacc3, f32x4.mul(va, v128.load(pb1, 16)));
      vacc4 = f32x4.add(vacc4, f32x4.mul(va, v128.load(pb2)));
      vacc5 = f32x4.add(vacc5, f32x4.mul(va, v128.load(pb2, 16)));
      vacc6 = f32x4.add(vacc6, f32x4.mul(va, v128.load(pb3)));
      vacc7 = f32x4.add(vacc7, f32x4.mul(va, v128.load(pb3, 16)));
      pa += 16;
      pb += 32; pb1 += 32; pb2 += 32; pb3 += 32;
    }
    const valpha = f32x4.splat(alpha), vbeta = f32x4.splat(beta);
    put4(c, vacc0, valpha, beta, vbeta); put4(c + 16, vacc1, valpha, beta, vbeta);
    put4(c + 32, vacc2, valpha, beta, vbeta); put4(c + 48, vacc3, valpha, beta, vbeta);
    put4(c + 64, vacc4, valpha, beta, vbeta); put4(c + 80, vacc5, valpha, beta, vbeta);
    put4(c + 96, vacc6, valpha, beta, vbeta); put4(c + 112, vacc7, valpha, beta, vbeta);
  }
}

/** Edge strip, 2 rows × 2 consecutive B panels (16 columns). SIMD only. */
function micro2x16(kc: i32, pa: usize, pb: usize, panelB: usize, alpha: f32, beta: f32, c: usize, ldc: usize): void {
  if (ASC_FEATURE_SIMD) {
    let vacc0x0 = f32x4.splat(0), vacc0x4 = f32x4.splat(0), vacc0x8 = f32x4.splat(0), vacc0x12 = f32x4.splat(0);
    let vacc1x0 = f32x4.splat(0), vacc1x4 = f32x4.splat(0), vacc1x8 = f32x4.splat(0), vacc1x12 = f32x4.splat(0);
    let pb1 = pb + panelB;
    for (let p = 0; p < kc; p++) {
      const vb0 = v128.load(pb), vb4 = v128.load(pb, 16), vb8 = v128.load(pb1), vb12 = v128.load(pb1, 16);
      const va0 = v128.load32_splat(pa);
      vacc0x0 = f32x4.add(vacc0x0, f32x4.mul(va0, vb0));
      vacc0x4 = f32x4.add(vacc0x4, f32x4.mul(va0, vb4));
      vacc0x8 = f32x4.add(vacc0x8, f32x4.mul(va0, vb8));
      vacc0x12 = f32x4.add(vacc0x12, f32x4.mul(va0, vb12));
      const va1 = v128.load32_splat(pa, 4);
      vacc1x0 = f32x4.add(vacc1x0, f32x4.mul(va1, vb0));
      vacc1x4 = f32x4.add(vacc1x4, f32x4.mul(va1, vb4));
      vacc1x8 = f32x4.add(vacc1x8, f32x4.mul(va1, vb8));
      vacc1x12 = f32x4.add(vacc1x12, f32x4.mul(va1, vb12));
      pa += 16;
      pb += 32; pb1 += 32;
    }
    const valpha = f32x4.splat(alpha), vbeta = f32x4.splat(beta), c1 = c + ldc;
    put4(c, vacc0x0, valpha, beta, vbeta); put4(c + 16, vacc0x4, valpha, beta, vbeta);
    put4(c + 32, vacc0x8, valpha, beta, vbeta); put4(c + 48, vacc0x12, valpha, beta, vbeta);
    put4(c1, vacc1x0, valpha, beta, vbeta); put4(c1 + 16, vacc1x4, valpha, beta, vbeta);
    put4(c1 + 32, vacc1x8, valpha, beta, vbeta); put4(c1 + 48, vacc1x12, valpha, beta, vbeta);
  }
}

/** Scalar build: one 4x4 half of the 4x8 tile (columns at pb, pb+32, …), 16 accumulators in locals. */
function micro4x4Scalar(kc: i32, pa: usize, pb: usize, alpha: f32, beta: f32, c: usize, ldc: usize): void {
  let c00: f32 = 0, c01: f32 = 0, c02: f32 = 0, c03: f32 = 0;
  let c10: f32 = 0, c11: f32 = 0, c12: f32 = 0, c13: f32 = 0;
  let c20: f32 = 0, c21: f32 = 0, c22: f32 = 0, c23: f32 = 0;
  let c30: f32 = 0, c31: f32 = 0, c32: f32 = 0, c33: f32 = 0;
  for (let p = 0; p < kc; p++) {
    const b0 = load<f32>(pb), b1 = load<f32>(pb, 4), b2 = load<f32>(pb, 8), b3 = load<f32>(pb, 12);
    const a0 = load<f32>(pa), a1 = load<f32>(pa, 4), a2 = load<f32>(pa, 8), a3 = load<f32>(pa, 12);
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    pa += 16;
    pb += 32;
  }
  const c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
  putScalar(c, 0, alpha * c00, beta); putScalar(c, 4, alpha * c01, beta); putScalar(c, 8, alpha * c02, beta); putScalar(c, 12, alpha * c03, beta);
  putScalar(c1, 0, alpha * c10, beta); putScalar(c1, 4, alpha * c11, beta); putScalar(c1, 8, alpha * c12, beta); putScalar(c1, 12, alpha * c13, beta);
  putScalar(c2, 0, alpha * c20, beta); putScalar(c2, 4, alpha * c21, beta); putScalar(c2, 8, alpha * c22, beta); putScalar(c2, 12, alpha * c23, beta);
  putScalar(c3, 0, alpha * c30, beta); putScalar(c3, 4, alpha * c31, beta); putScalar(c3, 8, alpha * c32, beta); putScalar(c3, 12, alpha * c33, beta);
}

// @ts-ignore: decorator
@inline function putScalar(c: usize, o: usize, v: f32, beta: f32): void {
  store<f32>(c + o, beta == 0 ? v : v + beta * load<f32>(c + o));
}

// ---- packing --------------------------------------------------------------------------------------
// A and B are packed by the same two routines, generic over the panel width W (MR = 4 floats for A,
// NR = 8 for B). Both fill PACK_A (W = MR) or PACK_B (W = NR) with the W-wide panels of X(p, w) for
// p in [p0, p0+kc), w in [w0, w0+wc):
//   packStrided     X(p, w) = x[w·ldx + p]: each panel line is a source row read along k (A for NN/NT,
//                   B for NT/TT); 4x4 blocks are transposed on the way.
//   packContiguous  X(p, w) = x[p·ldx + w]: a source row already runs across the panels (A for TN/TT,
//                   B for NN/TN); rows are copied 16 bytes at a time.
// Both are @inline and W is a constant in each of the four callers below, so each caller compiles to
// its own loop with W folded in.

/** Packs A(i, p) = a[i·lda + p] (A not transposed) for i in [i0, i0+mc), p in [p0, p0+kc) into PACK_A. */
function packA(a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32): void {
  packStrided(MR, a, lda, i0, p0, mc, kc);
}

/** Packs A(i, p) = a[p·lda + i] (A stored transposed, [k×m]) for the same block into PACK_A. */
function packAT(a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32): void {
  packContiguous(MR, a, lda, i0, p0, mc, kc);
}

/** Packs B(p, j) = b[p·ldb + j] (B not transposed) for p in [p0, p0+kc), j in [j0, j0+nc) into PACK_B. */
function packB(b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32): void {
  packContiguous(NR, b, ldb, j0, p0, nc, kc);
}

/** Packs B(p, j) = b[j·ldb + p] (B stored transposed, [n×k]) for the same block into PACK_B. */
function packBT(b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32): void {
  packStrided(NR, b, ldb, j0, p0, nc, kc);
}

/** The packed buffer of the W-wide panels: PACK_A (W = MR) or PACK_B (W = NR). */
// @ts-ignore: decorator
@inline function packBuffer(W: i32): usize {
  return W == MR ? PACK_A : PACK_B;
}

/** Bytes from one packed W-wide panel to the next. */
// @ts-ignore: decorator
@inline function panelBytes(W: i32, kc: i32): usize {
  return W == MR ? panelBytesA(kc) : panelBytesB(kc);
}

// @ts-ignore: decorator
@inline function transpose4Store(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
  const t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7); // r0[2] r1[2] r0[3] r1[3]
  const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, f32x4.shuffle(t0, t2, 0, 1, 4, 5)); // column 0: r0[0] r1[0] r2[0] r3[0]
  v128.store(dst + stride, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * X(p, w) = x[w·ldx + p] into W-wide panels, one panel at a time. Full panels (SIMD) take 4 k
 * steps at a time as W/4 4x4 transposes; the k steps left, the ragged last panel (zero-padded) and the
 * scalar build go one k step at a time.
 */
// @ts-ignore: decorator
@inline function packStrided(W: i32, x: usize, ldx: i32, w0: i32, p0: i32, wc: i32, kc: i32): void {
  let dst = packBuffer(W);
  const ldxB = <usize>ldx << 2;
  const lineB = <usize>W << 2; // bytes of one packed k step: 16 (A) or 32 (B)
  for (let wr = 0; wr < wc; wr += W) {
    const w = min(W, wc - wr);
    const src = x + <usize>(w0 + wr) * ldxB + (<usize>p0 << 2);
    let p = 0;
    if (w == W) {
      if (ASC_FEATURE_SIMD) {
        for (; p + 4 <= kc; p += 4) {
          const s = src + (<usize>p << 2), d = dst + <usize>p * lineB;
          transpose4Store(v128.load(s), v128.load(s + ldxB), v128.load(s + 2 * ldxB), v128.load(s + 3 * ldxB), d, lineB);
          if (W == NR) { // the panel's lines 4-7
            const s4 = s + 4 * ldxB;
            transpose4Store(v128.load(s4), v128.load(s4 + ldxB), v128.load(s4 + 2 * ldxB), v128.load(s4 + 3 * ldxB), d + 16, lineB);
          }
        }
      }
    }
    for (; p < kc; p++) {
      const s = src + (<usize>p << 2), d = dst + <usize>p * lineB;
      for (let r = 0; r < W; r++) store<f32>(d + (<usize>r << 2), r < w ? load<f32>(s + <usize>r * ldxB) : <f32>0);
    }
    dst += panelBytes(W, kc);
  }
}

/** Copies 16 bytes (4 floats). */
// @ts-ignore: decorator
@inline function copy16(d: usize, s: usize): void {
  if (ASC_FEATURE_SIMD) {
    v128.store(d, v128.load(s));
  } else {
    store<f32>(d, load<f32>(s)); store<f32>(d, load<f32>(s, 4), 4);
    store<f32>(d, load<f32>(s, 8), 8); store<f32>(d, load<f32>(s, 12), 12);
  }
}

/** Copies one packed line of a W-wide panel (16 or 32 bytes) from s to d + o (o constant: a store offset). */
// @ts-ignore: decorator
@inline function copyLine(W: i32, d: usize, o: usize, s: usize): void {
  copy16(d + o, s);
  if (W == NR) copy16(d + (o + 16), s + 16);
}

// NOTE: packContiguous walks 4 source rows at a time across all panels, so each source cache line is
// read once and each packed line is written whole. Walking one panel at a time down kc rows instead
// re-reads every line (kc lines in flight, all in one L1 set when the row stride is a multiple of
// 4 KiB, e.g. n = 1024) and cost 3-7 % on 256x1024x1024 NN/TN. With panel starts a power of two
// apart the scattered 128-byte writes alias in turn (-2 to -6 % on 100x784x1000 and 33x785x257), hence
// SKEW: with both, every shape measured within 1.5 % of its best.

/** X(p, w) = x[p·ldx + w] into W-wide panels, 4 source rows at a time (see the NOTE above). */
// @ts-ignore: decorator
@inline function packContiguous(W: i32, x: usize, ldx: i32, w0: i32, p0: i32, wc: i32, kc: i32): void {
  const ldxB = <usize>ldx << 2;
  const lineB = <usize>W << 2; // bytes of one packed k step: 16 (A) or 32 (B)
  const panel = panelBytes(W, kc);
  const src0 = x + <usize>p0 * ldxB + (<usize>w0 << 2);
  const wFull = wc & ~(W - 1);
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const s = src0 + <usize>p * ldxB;
    let d = packBuffer(W) + <usize>p * lineB;
    for (let wr = 0; wr < wFull; wr += W) {
      const sw = s + (<usize>wr << 2);
      copyLine(W, d, 0, sw);
      copyLine(W, d, lineB, sw + ldxB);
      copyLine(W, d, 2 * lineB, sw + 2 * ldxB);
      copyLine(W, d, 3 * lineB, sw + 3 * ldxB);
      d += panel;
    }
  }
  for (; p < kc; p++) {
    const s = src0 + <usize>p * ldxB;
    let d = packBuffer(W) + <usize>p * lineB;
    for (let wr = 0; wr < wFull; wr += W) {
      copyLine(W, d, 0, s + (<usize>wr << 2));
      d += panel;
    }
  }
  if (wc > wFull) { // the ragged last panel, zero-padded
    const w = wc - wFull;
    const d0 = packBuffer(W) + <usize>wFull / <usize>W * panel, s0 = src0 + (<usize>wFull << 2);
    for (p = 0; p < kc; p++) {
      const s = s0 + <usize>p * ldxB, d = d0 + <usize>p * lineB;
      for (let r = 0; r < W; r++) store<f32>(d + (<usize>r << 2), r < w ? load<f32>(s + (<usize>r << 2)) : <f32>0);
    }
  }
}
