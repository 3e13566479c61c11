// The thread pool's protocol (src/wasm/pool.ts, pool-jobs.ts): threads claim chunks of a job as they
// come, so the calling thread finishes a job alone when no worker claims anything (a worker the system
// does not run at the moment), with the bits of one thread; and a worker that dies, idle or in the middle
// of a job, surfaces as an error naming it on the calling thread, never as a hang; a kind of call that
// keeps losing time split runs unsplit for a while (by a stand-in clock), with unchanged bits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { load } from '../../src/index.js';
import { CTL, CONTROL_BYTES, OP_GEMM, JobView, gemmChunk, type ChunkKernels } from '../../src/wasm/pool-jobs.js';
import { seeded } from '../helpers/fill.js';
import { poolOf } from '../../src/wasm/threads.js';
import { LOSSES_BEFORE_BACKOFF, BACKOFF_CALLS, WORKER_WAKE_MS, MAP_MIN_WORK, PoolStats, SLOT_NAMES, lostTime } from '../../src/wasm/pool.js';

test('the calling thread alone finishes every chunk of a job no worker claims, with the bits of one call', async () => {
  const lib = await load();
  for (const [m, n, k] of [[100, 784, 256], [300, 64, 100], [5, 1030, 7]] as const) {
    const a = lib.tensor([m, k], seeded(m * k, 1)), b = lib.tensor([k, n], seeded(k * n, 2));
    const want = lib.tensor([m, n]), got = lib.tensor([m, n]);
    lib.gemm(want, a, b);
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const job = new JobView(control, lib.kernels as unknown as ChunkKernels, 0);
    const ctl = job.ctl, A = CTL.ARGS, len = Math.max(m, n), chunk = gemmChunk(m, n, 4), chunks = Math.ceil(len / chunk);
    ctl[CTL.OP] = OP_GEMM;
    ctl.set([0, m, n, k, a.ptr, b.ptr, got.ptr], A);
    new Float32Array(control, 0, ctl.length).set([1, 0], A + 7);
    ctl[CTL.CHUNK] = chunk; ctl[CTL.CHUNKS] = chunks; ctl[CTL.TICKET] = 7 << 8; ctl[CTL.GEN] = 7;
    job.drain(6); // a stale job number claims nothing
    assert.is(ctl[CTL.DONE], 0, 'a thread late for an earlier job claims no chunk of this one');
    job.drain(7);
    assert.is(ctl[CTL.DONE], chunks, `${m}x${n}x${k}: all ${chunks} chunks done`);
    assert.is(ctl[CTL.FAIL], 0);
    assert.ok(got.data.every((x, i) => Object.is(x, want.data[i])), `${m}x${n}x${k}: bit-identical`);
    for (const t of [a, b, want, got]) t.dispose();
  }
});

test("a finished job's ticket is closed: a worker late with its spent ticket claims nothing of the next job, even one cut into more chunks", async () => {
  const lib = await load({ threads: 2 }), pool = poolOf(lib.kernels)!;
  pool.rowMinWork = 0;
  pool.adaptive = false;
  const rows = 3, n = 5, t = (k: number) => lib.tensor([rows, n], seeded(rows * n, k));
  const cur = t(1), I = t(2), m = t(3), bias = lib.tensor([n], seeded(n, 4));
  lib.readoutStep(cur, bias, I, m, null, 0.3, 0.8, 0.7); // split into 3 chunks, one row each
  const ctl = (pool as unknown as { ctl: Int32Array }).ctl, gen = Atomics.load(ctl, CTL.GEN);
  const ticket = Atomics.load(ctl, CTL.TICKET), done = Atomics.load(ctl, CTL.DONE);
  assert.is(ticket & 255, 255, 'the spent ticket is closed');
  // The next job's fields are written before its ticket: a worker still in drain() for the finished job
  // then reads a larger chunk count beside the old ticket. It must not claim a chunk.
  ctl[CTL.CHUNKS] = 8;
  const late = new JobView(ctl.buffer as SharedArrayBuffer, lib.kernels as unknown as ChunkKernels, 9);
  assert.is(late.drain(gen), 0, 'no chunk claimed');
  assert.is(Atomics.load(ctl, CTL.DONE), done);
  assert.is(Atomics.load(ctl, CTL.TICKET), ticket);
  ctl[CTL.CHUNKS] = 3;
  for (const x of [cur, I, m, bias]) x.dispose();
});

test('lostTime: a loss when a worker held the call up or never came; no verdict on a short call the caller ran alone', () => {
  // 4 chunks, the caller ran 2 of them at 1 ms each: alone it would have taken 4 ms.
  assert.is(lostTime(0, 2, 4.5, 2, 4), 'lost');
  assert.is(lostTime(0, 2, 3.5, 2, 4), 'gained');
  assert.is(lostTime(0, 0, 9, 0, 4), 'gained', 'a worker took every chunk');
  // The caller ran every chunk: long enough for a worker to have come, a loss; shorter, no evidence.
  assert.is(lostTime(0, WORKER_WAKE_MS, 9, 4, 4), 'lost');
  assert.is(lostTime(0, WORKER_WAKE_MS * 0.9, WORKER_WAKE_MS, 4, 4), null);
});

test('a kind of split call that loses time LOSSES_BEFORE_BACKOFF times in a row runs unsplit for BACKOFF_CALLS calls, then splits again; the bits are those of one thread', async () => {
  const one = await load(), lib = await load({ threads: 2 }), pool = poolOf(lib.kernels)!;
  const saved = { clock: pool.clock, parts: pool.chunksPerThread, min: pool.mapMinWork, adaptive: pool.adaptive };
  pool.adaptive = true; // the pool is shared with other tests in this process, which may have turned it off
  // 100 chunks of 10,000 weights per call, so the calling thread runs some of them itself (the loss test
  // needs its pace) rather than a polling worker claiming every one before the caller starts.
  pool.chunksPerThread = 50; pool.mapMinWork = 0;
  const n = 1_000_000, steps = 2 * LOSSES_BEFORE_BACKOFF + BACKOFF_CALLS + 200; // room for a late first back-off (a worker that takes every chunk of a call resets the count)
  const run = (l: typeof lib, afterEach: (i: number) => void = () => {}) => {
    const w = l.tensor([n], seeded(n, 1)), g = l.tensor([n], seeded(n, 2)), v = l.tensor([n]);
    for (let i = 0; i < steps; i++) { l.sgdStep(w, g, v, 0.01, 0.9, 1e-4); afterEach(i); }
    const out = w.data.slice();
    for (const t of [w, g, v]) t.dispose();
    return out;
  };
  try {
    const want = run(one);
    // A clock by which splitting never loses: nothing runs unsplit.
    pool.clock = () => 0;
    const u1 = pool.unsplitCalls;
    run(lib);
    assert.is(pool.unsplitCalls - u1, 0, 'no call unsplit while splitting pays');
    // Every split call in which the caller ran a chunk loses by this clock: its wait (1000 ms) dwarfs its
    // own chunks (1 ms). (A call whose chunks the worker took all of counts as a gain and restarts the
    // count, so where the backoff starts is not fixed, only that it follows enough losses.)
    let t = 0, calls = 0;
    pool.clock = () => (t += ++calls % 3 === 0 ? 1000 : 1);
    const u0 = pool.unsplitCalls, seen: number[] = [];
    const got = run(lib, () => seen.push(pool.unsplitCalls - u0));
    const first = seen.indexOf(1);
    assert.ok(first >= LOSSES_BEFORE_BACKOFF, `the first unsplit call (${first}) follows at least ${LOSSES_BEFORE_BACKOFF} split ones`);
    assert.is(seen[first - 1], 0);
    assert.is(seen[first + BACKOFF_CALLS - 1], BACKOFF_CALLS, `${BACKOFF_CALLS} calls in a row unsplit`);
    assert.is(seen[first + BACKOFF_CALLS], BACKOFF_CALLS, 'then split again');
    assert.ok(got.every((x, i) => Object.is(x, want[i])), 'bit-identical to one thread');
  } finally {
    pool.clock = saved.clock; pool.chunksPerThread = saved.parts; pool.mapMinWork = saved.min; pool.adaptive = saved.adaptive;
  }
});

test("the elementwise size threshold weighs n by the kernel's cost per element; PoolStats counts each call where it ran", async () => {
  const lib = await load({ threads: 2 }), pool = poolOf(lib.kernels)!;
  const saved = { min: pool.mapMinWork, adaptive: pool.adaptive };
  pool.mapMinWork = MAP_MIN_WORK; pool.adaptive = false; // the default threshold, no back-off
  // Half the threshold: a ReLU (cost 1) stays on the calling thread, a tanh (cost 4) is split.
  const n = MAP_MIN_WORK / 2, a = lib.tensor([2 * n], seeded(2 * n, 1)), post = lib.tensor([2 * n]), deriv = lib.tensor([2 * n]);
  const st = pool.stats = new PoolStats();
  try {
    lib.kernels.f32_relu_fwd(n, 0, 0, 0, a.ptr, post.ptr, deriv.ptr);
    lib.kernels.f32_tanh_fwd(n, 0, 0, 0, a.ptr, post.ptr, deriv.ptr);
    lib.kernels.f32_relu_fwd(2 * n, 0, 0, 0, a.ptr, post.ptr, deriv.ptr); // at the threshold: split
    const at = (kind: string) => SLOT_NAMES.indexOf(kind);
    const relu = at('f32_relu_fwd'), tanh = at('f32_tanh_fwd');
    assert.is(st.small[relu], 1, 'the ReLU below the threshold ran on the calling thread');
    assert.is(st.split[relu], 1, 'the ReLU at the threshold was split');
    assert.is(st.split[tanh], 1, 'the tanh of the same n was split');
    assert.is(st.small[tanh], 0);
    assert.is(st.work[relu], 3 * n);
    assert.is(st.work[tanh], 4 * n);
    assert.ok(st.split.reduce((x, y) => x + y) === 2 && st.backedOff.every((x) => x === 0), 'no other call counted');
  } finally {
    pool.stats = null; pool.mapMinWork = saved.min; pool.adaptive = saved.adaptive;
    for (const t of [a, post, deriv]) t.dispose();
  }
});

/** Runs `body` (an async function body with lib, pool and a 256x1024x1024 GEMM `big()`) in a child process. */
function child(body: string): { stdout: string; stderr: string; status: number | null; error?: Error } {
  const index = fileURLToPath(new URL('../../src/index.js', import.meta.url));
  const threads = fileURLToPath(new URL('../../src/wasm/threads.js', import.meta.url));
  const script = `
    import { load } from ${JSON.stringify(index)};
    import { poolOf } from ${JSON.stringify(threads)};
    const lib = await load({ threads: 3 });
    const pool = poolOf(lib.kernels);
    const a = lib.tensor([256, 1024]), b = lib.tensor([1024, 1024]), c = lib.tensor([256, 1024]);
    const big = () => lib.gemm(c, a, b);
    ${body}
  `;
  // A hang fails the test by the timeout instead of hanging the runner.
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
}

test('a worker that dies while the pool is idle: the next split call fails naming it, the pool is shut down, the process exits', () => {
  const r = child(`
    big();
    pool.kill(2);
    await new Promise((ok) => setTimeout(ok, 500));
    try { big(); console.log('no error'); } catch (e) { console.log('error: ' + e.message); }
    try { big(); console.log('no error'); } catch (e) { console.log('then: ' + e.message); }
    console.log('closed: ' + pool.closed);
  `);
  assert.is(r.error, undefined, `child: ${r.error?.message}`);
  assert.is(r.status, 0, `exit status ${r.status}, stderr: ${r.stderr}`);
  assert.match(r.stdout, /^error: gemm: worker thread 2 failed: it exited \(code 1\) \(the thread pool is shut down\)$/m);
  assert.match(r.stdout, /^then: gemm: the thread pool is shut down \(worker thread 2 failed: it exited \(code 1\)\)$/m);
  assert.match(r.stdout, /^closed: true$/m);
});

test('a worker that dies in the middle of a job: the calling thread wakes with an error naming it, never hangs', () => {
  // The kill lands while the calling thread runs GEMMs back to back (blocked, its event loop idle): the
  // worker is lost holding a chunk or between two, and either way the error must come.
  const r = child(`
    big();
    pool.kill(1);
    let i = 0;
    try { for (; i < 400; i++) big(); console.log('no error'); } catch (e) { console.log('error: ' + e.message); }
    console.log('calls: ' + i);
  `);
  assert.is(r.error, undefined, `child: ${r.error?.message}`);
  assert.is(r.status, 0, `exit status ${r.status}, stderr: ${r.stderr}`);
  assert.match(r.stdout, /^error: gemm: worker thread 1 failed: it exited \(code 1\) \(the thread pool is shut down\)$/m);
});

test.run();
