// The GEMMs on a thread pool (src/wasm/pool.ts): at 2, 3 and 4 threads every variant gives exactly the
// bits of the one-thread release kernel, and is within the float64 reference's tolerance (the bound
// derived in gemm.test.ts: |got − want| ≤ (k + 4)·u·mag). The pool's size threshold is set to 0 here so
// that even the smallest shapes are split, including shapes with fewer columns/rows than threads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { load, type Backend } from '../../src/index.js';
import { poolOf } from '../../src/wasm/threads.js';
import { splitGemm } from '../../src/wasm/pool.js';
import { backend } from '../helpers/setup.js';
import { seeded } from '../helpers/fill.js';
import * as ref from '../reference/gemm.js';
import { blobs } from '../helpers/synthetic.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';

type Variant = 'nn' | 'nt' | 'tn' | 'tt';
const VARIANTS: readonly Variant[] = ['nn', 'nt', 'tn', 'tt'];
const U = 2 ** -24;
const THREADS = [2, 3, 4];

async function threaded(threads: number): Promise<Backend> {
  const lib = await load({ threads });
  poolOf(lib.kernels)!.gemmMinWork = 0;
  poolOf(lib.kernels)!.adaptive = false; // split every call, however slow on a busy machine
  return lib;
}

/** C of one Backend.gemm (beta·C0 with C0 seeded, or NaN garbage when beta = 0) on `lib`. */
function run(lib: Backend, v: Variant, m: number, n: number, k: number, alpha: number, beta: number, seed: number): Float32Array {
  const A = lib.tensor(v[0] === 't' ? [k, m] : [m, k], seeded(m * k, seed));
  const B = lib.tensor(v[1] === 't' ? [n, k] : [k, n], seeded(k * n, seed + 1));
  const C = lib.tensor([m, n], beta === 0 ? new Float32Array(m * n).fill(NaN) : seeded(m * n, seed + 2));
  lib.gemm(C, A, B, v, alpha, beta);
  const out = C.data.slice();
  A.dispose(); B.dispose(); C.dispose();
  return out;
}

// 1xN, Nx1, fewer rows/columns than threads, sizes off every multiple of 4, 8 and of the KC/MC/NC
// blocks (256/128/512), k = 1 and k = 0, row splits (m > n) and column splits (n >= m).
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 3, 5], [3, 1, 5], [2, 3, 7], [1, 1000, 37], [1000, 1, 37], [5, 1030, 1], [1030, 5, 3],
  [13, 17, 19], [33, 785, 257], [300, 270, 600], [133, 21, 513], [9, 1031, 257], [130, 1027, 259], [3, 5, 0],
];

for (const v of VARIANTS) {
  test(`gemm '${v}' (f32_gemm_${v}) at ${THREADS.join(', ')} threads: the bits of one thread, within the reference's tolerance`, async () => {
    const one = await backend('release');
    let seed = 100;
    for (const [m, n, k] of SHAPES) {
      for (const [alpha, beta] of [[1, 0], [-0.75, 0.5]] as const) {
        seed += 3;
        const want1 = run(one, v, m, n, k, alpha, beta, seed);
        const av = seeded(m * k, seed), bv = seeded(k * n, seed + 1), c0 = beta === 0 ? [] : seeded(m * n, seed + 2);
        const { want, mag } = ref.gemm(m, n, k, Math.fround(alpha), Math.fround(beta), av, bv, c0, v[0] === 't', v[1] === 't');
        want1.forEach((g, i) => {
          if (!(Math.abs(g - want[i]!) <= (k + 4) * U * mag[i]!)) assert.unreachable(`1 thread ${v} ${m}x${n}x${k}: C[${i}] = ${g}, expected ${want[i]}`);
        });
        for (const t of THREADS) {
          const got = run(await threaded(t), v, m, n, k, alpha, beta, seed);
          const bad = got.findIndex((g, i) => !Object.is(g, want1[i]));
          if (bad >= 0) assert.unreachable(`${t} threads ${v} m=${m} n=${n} k=${k} alpha=${alpha} beta=${beta}: C[${Math.floor(bad / n)}][${bad % n}] = ${got[bad]}, 1 thread gave ${want1[bad]}`);
        }
      }
    }
  });
}

test('splitGemm: the shares tile C exactly once, aligned to the packed panels', () => {
  for (const [m, n] of [[1, 1], [1, 9], [9, 1], [100, 1000], [1000, 100], [7, 7], [3, 1030]] as const) {
    for (const parts of [1, 2, 3, 4, 7]) {
      const shares = splitGemm(m, n, parts);
      assert.is(shares.length, parts);
      const hits = new Uint8Array(m * n);
      for (const [i0, i1, j0, j1] of shares) {
        if (i0 < i1 && j0 < j1) assert.ok(n >= m ? j0 % 8 === 0 : i0 % 4 === 0, `share [${i0}, ${i1}) x [${j0}, ${j1}) of ${m}x${n} is aligned`);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) hits[i * n + j]!++;
      }
      assert.ok(hits.every((h) => h === 1), `${m}x${n} in ${parts} shares: every element once`);
    }
  }
});

test('Backend.threads reports the pool; load rejects a bad thread count before starting anything', async () => {
  assert.is((await load({ threads: 2 })).threads, 2);
  assert.is((await load()).threads, 1);
  const rejection = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => e.message);
  for (const bad of [0, 1.5, -1, 65, NaN]) {
    assert.is(await rejection(load({ threads: bad })), `load: threads must be an integer from 1 to 64, got ${bad}`);
  }
  assert.match(await rejection(load({ threads: 2, build: 'scalar' })), /^load: threads = 2 runs the 'threads' build/);
});

test('a training step on 2 threads (every GEMM split) allocates nothing in WASM memory', async () => {
  const lib = await threaded(2);
  const train = blobs(lib, 400, 1, 64);
  const net = new Network(lib, { sizes: [64, 96, 4], activation: 'tanh', batch: 32, seed: 1 });
  const trainer = new Trainer(lib, net, 'bp', { lr: 0.05, optimizer: 'adam', epochs: 1 });
  trainer.fit(train, { epochs: 1 }); // warm
  const live = lib.heap.live, bytes = lib.heap.bytes, mem = lib.heap.memory.buffer;
  for (let i = 0; i < 30; i++) trainer.step(i % 2 ? 32 : 17);
  assert.is(lib.heap.live, live);
  assert.is(lib.heap.bytes, bytes);
  assert.ok(lib.heap.memory.buffer === mem, 'memory did not grow');
  net.dispose(); train.dispose();
});

test('a chunk that throws: a clear error on the calling thread, the pool shut down, and the process exits', () => {
  // In a child process, so that a hang fails this test (timeout) instead of hanging the runner.
  const index = fileURLToPath(new URL('../../src/index.js', import.meta.url));
  const threads = fileURLToPath(new URL('../../src/wasm/threads.js', import.meta.url));
  const script = `
    import { load } from ${JSON.stringify(index)};
    import { poolOf } from ${JSON.stringify(threads)};
    const lib = await load({ threads: 2 });
    poolOf(lib.kernels).gemmMinWork = 0;
    const a = lib.tensor([64, 4]), b = lib.tensor([4, 8]), c = lib.tensor([64, 8]);
    // m > n: cut into row chunks; this C starts 32 rows before the end of memory, so its rows 32-63 fall
    // outside it, whichever thread claims them.
    const end = lib.kernels.memory.buffer.byteLength;
    try { lib.kernels.f32_gemm_nn(64, 8, 4, 1, 0, a.ptr, b.ptr, end - 32 * 8 * 4); console.log('no error'); }
    catch (e) { console.log('error: ' + e.message); }
    try { lib.gemm(c, a, b); console.log('no error'); } catch (e) { console.log('then: ' + e.message); }
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.is(r.error, undefined, `child: ${r.error?.message}`);
  assert.is(r.status, 0, `exit status ${r.status}, stderr: ${r.stderr}`);
  assert.match(r.stdout, /^error: gemm: (the calling thread|worker thread 1) failed: RuntimeError: memory access out of bounds \(the thread pool is shut down\)$/m);
  assert.match(r.stdout, /^then: gemm: the thread pool is shut down \((the calling thread|worker thread 1) failed: RuntimeError: memory access out of bounds\)$/m);
});

test.run();
