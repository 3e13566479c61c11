// Event-driven synaptic propagation: when a layer's input spikes are sparse, add up only the weight
// rows of the inputs that spiked instead of running a dense GEMM over mostly zeros.
//   C[m×n] = S[m×k] · B[k×n]   (B = Wᵀ: row j of B is the fan-out of input j)
// For each row r of S and each j with S[r, j] != 0: C[r, :] += S[r, j] · B[j, :] (one SIMD axpy over n).
// The sum over j is blocked exactly as f32_gemm_* blocks its k loop (KC inputs per block, each block
// summed from +0 in increasing j, then added to C), so the result is bit-identical to
// f32_gemm_nn(m, n, k, 1, 0, S, B, C) and to f32_gemm_nt(m, n, k, 1, 0, S, W, C) with W = Bᵀ: a
// skipped term S[r, j]·B[j, i] is ±0 and adding ±0 to a sum leaves it unchanged (up to the sign of
// an exact zero). TypeScript chooses per step between this and the dense GEMM by the spike count.
import { KC } from "./gemm";

/**
 * C[m×n] = S[m×k]·B[k×n], skipping S[r, j] == 0 (see the header; bit-identical to f32_gemm_nn with
 * α = 1, β = 0). tmp: f32[n] scratch (used when k > KC). Returns the number of nonzero S entries visited.
 * C must not alias S, B or tmp; C is write-only (may hold garbage on entry).
 */
export function f32_event_nn(m: i32, n: i32, k: i32, s: usize, b: usize, tmp: usize, c: usize): i32 {
  let events = 0;
  const ldb = <usize>n << 2;
  for (let r = 0; r < m; r++) {
    const srow = s + <usize>r * (<usize>k << 2);
    const crow = c + <usize>r * ldb;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const acc = pc == 0 ? crow : tmp; // the first block sums straight into C
      fill0(n, acc);
      let any = false;
      for (let j = pc; j < pc + kc; j++) {
        const sj = load<f32>(srow + (<usize>j << 2));
        if (sj == 0) continue;
        any = true;
        events++;
        axpy(n, sj, b + <usize>j * ldb, acc);
      }
      if (pc != 0 && any) add(n, tmp, crow);
    }
  }
  return events;
}

/** out[n×m] = aᵀ for a [m×n] (row-major). out must not alias a. */
export function f32_transpose(m: i32, n: i32, a: usize, out: usize): void {
  // 4x4 blocks through SIMD shuffles would be faster; a plain blocked copy is plenty next to the T
  // time steps a transposed weight matrix serves.
  const B = 16;
  for (let i0 = 0; i0 < m; i0 += B) {
    const i1 = min(i0 + B, m);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = min(j0 + B, n);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<f32>(out + ((<usize>j * <usize>m + <usize>i) << 2), load<f32>(a + ((<usize>i * <usize>n + <usize>j) << 2)));
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function fill0(n: i32, x: usize): void {
  memory.fill(x, 0, <usize>n << 2);
}

/** y += alpha·x over n (product, then sum: the micro-kernel's a·b then acc + ab). */
// @ts-ignore: decorator
@inline function axpy(n: i32, alpha: f32, x: usize, y: usize): void {
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

/** y += x over n. */
// @ts-ignore: decorator
@inline function add(n: i32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(x + o), v128.load(y + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(x + o) + load<f32>(y + o));
  }
}
