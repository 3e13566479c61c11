// GEMM: GFLOP/s (2·M·N·K per call) of f32_gemm_{nn,nt,tn} beside two peers measured in the same run:
//   js         plain Float32Array loops (i-k-j for NN/TN, i-j-k dot products for NT), one thread.
//              Skipped on 1000x1000x1000 (about a second per call: too slow to sample usefully).
//   tfjs-wasm  @tensorflow/tfjs-core + tfjs-backend-wasm 4.22 (XNNPACK), SIMD non-threaded binary from
//              the package's own dist/, multithreading switched off and setThreadsCount(1);
//              tf.matMul(a, b, transposeA, transposeB) + dataSync() + dispose() per call.
// Shapes are (M, K, N): C[M×N] = A[M×K]·B[K×N] with the transposes of each variant.
import { loadTfjs } from '../peers/tfjs.js';


/** Fills `a` with a reproducible spread in [−1, 1) (an LCG from `seed`); the conv suite uses it too. */
export function fill(a, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

// Plain-JS peers: C = A·B (NN), A·Bᵀ (NT), Aᵀ·B (TN), row-major Float32Arrays.
function jsGemm(v, M, N, K, A, B, C) {
  if (v === 'nt') {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0; p < K; p++) s += A[i * K + p] * B[j * K + p];
        C[i * N + j] = s;
      }
    }
    return;
  }
  C.fill(0);
  for (let i = 0; i < M; i++) {
    for (let p = 0; p < K; p++) {
      const a = v === 'nn' ? A[i * K + p] : A[p * M + i];
      const bo = p * N, co = i * N;
      for (let j = 0; j < N; j++) C[co + j] += a * B[bo + j];
    }
  }
}

export default async ({ lib, quick }) => {
  const tfjs = await loadTfjs();
  console.log(tfjs.tf ? `gemm peers: js, ${tfjs.note}` : `gemm: skipping the tfjs-wasm peer: ${tfjs.why}`);
  const shapes = quick
    ? [[100, 784, 1000], [33, 785, 257]]
    : [[100, 784, 1000], [100, 1000, 1000], [256, 1024, 1024], [1000, 1000, 1000], [33, 785, 257], [100, 256, 10]];
  const cases = [];
  for (const [M, K, N] of shapes) {
    for (const v of ['nn', 'nt', 'tn']) {
      const tA = v[0] === 't', tB = v[1] === 't';
      const a = lib.tensor(tA ? [K, M] : [M, K]), b = lib.tensor(tB ? [N, K] : [K, N]), c = lib.tensor([M, N]);
      fill(a.data, 1); fill(b.data, 2);
      const kern = lib.kernels[`f32_gemm_${v}`];
      const peers = {};
      if (M * N * K < 5e8) {
        const A = a.toArray(), B = b.toArray(), C = new Float32Array(M * N);
        peers.js = () => jsGemm(v, M, N, K, A, B, C);
      }
      let ta, tb;
      if (tfjs.tf) {
        const tf = tfjs.tf;
        ta = tf.tensor2d(a.toArray(), a.shape);
        tb = tf.tensor2d(b.toArray(), b.shape);
        peers['tfjs-wasm'] = () => {
          const r = tf.matMul(ta, tb, tA, tB);
          r.dataSync();
          r.dispose();
        };
      }
      cases.push({
        name: `f32_gemm_${v} ${M}x${K}x${N}`, shape: [M, K, N], flops: 2 * M * N * K,
        ours: () => kern(M, N, K, 1, 0, a.ptr, b.ptr, c.ptr),
        peers,
        teardown: () => { a.dispose(); b.dispose(); c.dispose(); ta?.dispose(); tb?.dispose(); },
      });
    }
  }
  return cases;
};
