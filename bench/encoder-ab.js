#!/usr/bin/env node
// The Poisson encoder's step as the spiking simulator runs it (poissonSparseStep: draws for a window's
// lit pixels only) on the first 100 MNIST images at fa's input rate, this build against another build's
// release.wasm (`node bench/encoder-ab.js --old FILE`, e.g. a copy of build/release.wasm made before a
// change): both in one process, first checked to give the same spike lists for 300 steps, then timed
// alternately (fastest of 20 rounds of 100 steps each), reported as ns per draw and the ratio.
// --new-stream: the builds draw different random streams (an intended change of generator); instead of the
// same lists, the two builds' spike totals over the 300 steps must agree within 5 sd of their difference
// (each a sum of independent Bernoulli draws of the same probabilities).
import { loadavg } from 'node:os';
import { load, loadDataset } from '../dist/src/index.js';

const argv = process.argv.slice(2);
const val = (f, d) => { const i = argv.indexOf(`--${f}`); return i >= 0 && argv[i + 1] ? argv[i + 1] : d; };
const oldFile = val('old', null);
if (!oldFile) throw new Error('bench:encoder-ab: --old FILE (a release.wasm of the build to compare with) is required');
const rows = 100, n = 784, scale = (800 / 3) * 1e-3;
const sides = [{ name: 'this build', lib: await load({ build: 'release' }) }, { name: oldFile, lib: await load({ source: oldFile }) }];
for (const s of sides) {
  const lib = s.lib;
  s.data = await loadDataset(lib, 'mnist', { limit: { train: rows, test: 1 } });
  s.lit = { idx: lib.ints('i32', rows * n), q: lib.tensor([rows * n]), counts: lib.ints('i32', rows) };
  s.lists = { list: lib.ints('i32', rows * n), counts: lib.ints('i32', rows) };
  s.draws = lib.poissonPrepare(s.data.train.images.head(rows), scale, s.lit);
  s.step = (t) => lib.poissonSparseStep(rows, n, s.lit, 1, 7, t, 0, s.lists);
}
const [a, b] = sides;
const newStream = argv.includes('--new-stream');
if (newStream) {
  let ca = 0, cb = 0, v = 0;
  for (let t = 0; t < 300; t++) { ca += a.step(t); cb += b.step(t); }
  for (let e = 0; e < rows * n; e++) { const q = Math.min(1, a.lit.q.data[e]); if (e % n < a.lit.counts.data[Math.floor(e / n)]) v += q * (1 - q); }
  const sd = Math.sqrt(2 * 300 * v); // of the difference of the two totals
  if (Math.abs(ca - cb) > 5 * sd) throw new Error(`bench:encoder-ab: spike totals ${ca} and ${cb} differ by more than 5 sd (${(5 * sd).toFixed(0)})`);
  console.log(`spikes over 300 steps: ${ca} (this build), ${cb} (the other); difference within 5 sd = ${(5 * sd).toFixed(0)}`);
}
for (let t = 0; t < 300 && !newStream; t++) {
  if (a.step(t) !== b.step(t)) throw new Error(`bench:encoder-ab: spike counts differ at step ${t}`);
  const la = a.lists, lb = b.lists;
  for (let r = 0; r < rows; r++) {
    const c = la.counts.data[r];
    if (c !== lb.counts.data[r] || la.list.data.subarray(r * n, r * n + c).some((x, e) => x !== lb.list.data[r * n + e])) throw new Error(`bench:encoder-ab: lists differ at step ${t}, row ${r}`);
  }
}
const best = [Infinity, Infinity];
for (let round = 0; round < 20; round++) {
  sides.forEach((s, j) => {
    const t0 = performance.now();
    for (let t = 0; t < 100; t++) s.step(t);
    best[j] = Math.min(best[j], (performance.now() - t0) / 100);
  });
}
const ns = (j) => (best[j] * 1e6) / a.draws;
console.log(`poissonSparseStep ${rows}x${n}, ${a.draws} lit pixels per step, ${newStream ? 'different streams' : 'same lists for 300 steps'}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`${a.name}: ${ns(0).toFixed(2)} ns per draw; ${b.name}: ${ns(1).toFixed(2)} ns per draw; old/new ${(best[1] / best[0]).toFixed(2)}x`);
