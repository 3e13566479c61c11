#!/usr/bin/env node
// bioprop's benchmark runner: `npm run bench [-- --suite gemm,act] [--json FILE] [--quick]`.
// Each suite in bench/suites/<name>.js exports `default async (ctx) => cases`, where a case is
//   { name, shape, ours: () => void, peers?: { [peer]: () => void }, flops?, bytes?, updates?, teardown? }
// Every function of a case is timed with benchmark.js in the same process, so ratios compare like
// with like. Printed: ops/s ± rme, GFLOP/s (flops), GB/s (bytes) or updates/s, the ratio ours/peer,
// and for GEMM-like cases the fraction of this machine's measured WebAssembly SIMD mul+add peak.
import { readdirSync, appendFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import Benchmark from 'benchmark';
import { load } from '../dist/src/index.js';

const argv = process.argv.slice(2);
function flag(name) {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) return true;
  return v;
}
const suitesDir = fileURLToPath(new URL('./suites/', import.meta.url));
const available = readdirSync(suitesDir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
const wanted = typeof flag('suite') === 'string' ? flag('suite').split(',') : available;
for (const s of wanted) {
  if (!available.includes(s)) {
    console.error(`bench: unknown suite '${s}' (available: ${available.join(', ')})`);
    process.exit(2);
  }
}
const jsonFile = typeof flag('json') === 'string' ? flag('json') : null;
const quick = flag('quick') === true;
const maxTime = quick ? 0.5 : Number(flag('max-time') ?? 2);
if (jsonFile) writeFileSync(jsonFile, '');

// The bench build (npm run asbuild:bench) is the release build plus the SIMD peak probe.
const lib = await load({ source: new URL('../build/bench.wasm', import.meta.url) });
const ctx = { Benchmark, lib, k: lib.kernels, heap: lib.heap, quick };
console.log(`bioprop bench | node ${process.version} | ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length} | build bench = release (SIMD) + peak probe`);

function time(fn) {
  const b = new Benchmark({ fn, maxTime, minSamples: 5, initCount: 1 });
  b.run({ async: false });
  if (b.error) throw b.error;
  return { hz: b.hz, rme: b.stats.rme, mean: b.stats.mean, samples: b.stats.sample.length };
}

function rate(c, mean) {
  if (c.flops) return { key: 'gflops', value: c.flops / mean / 1e9, unit: 'GFLOP/s' };
  if (c.bytes) return { key: 'gbps', value: c.bytes / mean / 1e9, unit: 'GB/s' };
  if (c.updates) return { key: 'updatesPerSec', value: c.updates / mean, unit: 'updates/s' };
  return { key: 'opsPerSec', value: 1 / mean, unit: 'ops/s' };
}
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(3));

// The machine's WebAssembly SIMD peak, measured once per run.
const peakIters = 1 << 16;
const flopsPerPeakCall = peakIters * 12 * 4 * 2; // 12 f32x4 accumulators, mul + add per lane
const peak = flopsPerPeakCall / time(() => lib.kernels.bench_simd_peak(peakIters)).mean / 1e9;
console.log(`wasm SIMD peak (f32x4.mul + f32x4.add, 12 accumulators): ${fmt(peak)} GFLOP/s`);
if (jsonFile) appendFileSync(jsonFile, JSON.stringify({ suite: 'peak', name: 'simd_peak', shape: [12, 4], gflops: peak }) + '\n');

for (const suiteName of wanted) {
  const mod = await import(new URL(`./suites/${suiteName}.js`, import.meta.url).href);
  const cases = await mod.default(ctx);
  console.log(`\n== ${suiteName} ==`);
  for (const c of cases) {
    const ours = time(c.ours);
    const r = rate(c, ours.mean);
    let line = `${c.name.padEnd(40)} ${fmt(r.value).padStart(8)} ${r.unit} ±${ours.rme.toFixed(1)}%`;
    if (peak && r.key === 'gflops') line += `  (${(r.value / peak).toFixed(2)} of peak)`;
    const rec = { suite: suiteName, name: c.name, shape: c.shape, [r.key]: r.value, rme: ours.rme, samples: ours.samples };
    if (peak && r.key === 'gflops') rec.peakFraction = r.value / peak;
    const peerRecs = [];
    for (const [peer, fn] of Object.entries(c.peers ?? {})) {
      const t = time(fn);
      const pr = rate(c, t.mean);
      const ratio = t.mean / ours.mean; // ours / peer in throughput = peer time / our time
      line += `\n${''.padEnd(4)}vs ${peer.padEnd(34)} ${fmt(pr.value).padStart(8)} ${pr.unit} ±${t.rme.toFixed(1)}%  ratio ours/${peer} = ${ratio.toFixed(2)}x`;
      peerRecs.push({ ...rec, peer, [`peer_${r.key}`]: pr.value, ratio });
    }
    console.log(line);
    if (jsonFile) {
      if (peerRecs.length === 0) appendFileSync(jsonFile, JSON.stringify(rec) + '\n');
      for (const p of peerRecs) appendFileSync(jsonFile, JSON.stringify(p) + '\n');
    }
    c.teardown?.();
  }
}
