#!/usr/bin/env node
// Bit-identity check for refactors: trains every rule briefly with a fixed seed and compares the saved
// network's weights (a SHA-256 per tensor) and the --out record (per-epoch losses and accuracies, rule
// metrics, firing rates, raster) with bench/golden.json.
//   npm run golden -- --record    rewrite bench/golden.json (after an intended change of behaviour)
//   npm run golden -- --check     compare; exits 1 and names every difference
//   --only REGEX                  run the cases whose name matches
// Runs after `npm run build`, two training processes at a time. The network file is parsed here, not by
// the library, so a change of its header (or of the decoder) cannot hide a change of the weights.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const goldenFile = fileURLToPath(new URL('./golden.json', import.meta.url));
const COMMON = ['--limit', '2000', '--test-limit', '500', '--epochs', '2', '--seed', '1'];
const RATE = ['bp', 'fa', 'mirror', 'sign', 'dfa', 'synthgrad', 'chl', 'eqprop', 'dtp', 'gaitprop', 'kickback', 'twosite', 'qagrel', 'dendrites', 'nef', 'superspike', 'erbp'];
const CASES = [
  ...RATE.map((rule) => ({ name: rule, args: ['--rule', rule] })),
  { name: 'fa-spiking', args: ['--rule', 'fa', '--spiking', '--steps', '20'] },
  // Shorter phases than the defaults keep the run to seconds; every code path of the simulation still runs.
  { name: 'dendrites-spiking', args: ['--rule', 'dendrites', '--spiking', '--param', 'phaseTime=30', '--param', 'window=20', '--param', 'testTime=40', '--param', 'testWindow=30'] },
];
// threads: how the run was executed, not what it computed (results are bit-identical for every thread
// count, so a check at the CLI's default of all cores also compares threaded runs with the recording).
// eventFraction: how often propagation took the event-driven path, chosen by a crossover density measured
// per process (src/net/event-threshold.ts); either path gives the same sums.
const VOLATILE = new Set(['seconds', 'cpuSeconds', 'simSeconds', 'version', 'node', 'threads', 'eventFraction']);

function usageError(msg) {
  process.stderr.write(`bench/golden.js: ${msg}\nusage: npm run golden -- --record | --check [--only REGEX]\n`);
  process.exit(2);
}
const argv = process.argv.slice(2);
const mode = argv.includes('--record') ? 'record' : argv.includes('--check') ? 'check' : usageError('give --record or --check');
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? new RegExp(argv[onlyAt + 1] ?? usageError('--only needs a REGEX')) : null;
const cases = CASES.filter((c) => !only || only.test(c.name));

const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Every tensor of a network file (src/io/checkpoint.ts's layout) as name → SHA-256 of its float32 bytes. */
function tensorHashes(file) {
  const b = readFileSync(file);
  if (b.subarray(0, 8).toString('latin1') !== 'BIOPROP\0') throw new Error(`${file}: not a bioprop network file`);
  const headerLength = b.readUInt32LE(12);
  const header = JSON.parse(b.subarray(16, 16 + headerLength).toString('utf8'));
  const payload = 16 + Math.ceil(headerLength / 4) * 4;
  const out = {};
  for (const t of header.tensors) {
    const n = t.shape.reduce((a, x) => a * x, 1);
    out[t.name] = sha(b.subarray(payload + 4 * t.offset, payload + 4 * (t.offset + n)));
  }
  return out;
}

/** The run record without its timings and build stamps; the raster (large) as a hash. */
function stableRecord(rec) {
  const out = {};
  for (const [k, v] of Object.entries(rec)) {
    if (VOLATILE.has(k)) continue;
    if (k === 'history') out.history = v.map((h) => Object.fromEntries(Object.entries(h).filter(([hk]) => !VOLATILE.has(hk))));
    else if (k === 'raster') out.raster = sha(JSON.stringify(v));
    else out[k] = v;
  }
  return out;
}

function run(c, dir) {
  const save = join(dir, `${c.name}.bpn`), out = join(dir, `${c.name}.json`);
  const args = ['bin/bioprop.js', 'train', ...c.args, ...COMMON, '--save', save, '--out', out, '--quiet'];
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${c.name}: 'node ${args.join(' ')}' exited ${code}: ${err.trim()}`));
      const record = JSON.parse(readFileSync(out, 'utf8'));
      process.stderr.write(`  ${c.name} ${((Date.now() - t0) / 1000).toFixed(1)} s on ${record.threads ?? 1} thread(s)\n`);
      resolve({ args: [...c.args, ...COMMON], tensors: tensorHashes(save), record: stableRecord(record) });
    });
  });
}

/** Differences between two JSON values, as 'path: expected → actual' lines. */
function diff(path, want, got, out) {
  if (JSON.stringify(want) === JSON.stringify(got)) return out;
  if (want && got && typeof want === 'object' && typeof got === 'object' && Array.isArray(want) === Array.isArray(got)) {
    for (const k of new Set([...Object.keys(want), ...Object.keys(got)])) diff(`${path}.${k}`, want[k], got[k], out);
  } else {
    const show = (v) => (v === undefined ? 'absent' : JSON.stringify(v).slice(0, 80));
    out.push(`${path}: ${show(want)} recorded, ${show(got)} now`);
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'bioprop-golden-'));
const results = {};
try {
  const queue = [...cases];
  const worker = async () => { for (let c; (c = queue.shift());) results[c.name] = await run(c, dir); };
  await Promise.all([worker(), worker()]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (mode === 'record') {
  const prev = only && existsSync(goldenFile) ? JSON.parse(readFileSync(goldenFile, 'utf8')) : {};
  const all = { ...prev, ...results };
  const ordered = Object.fromEntries(CASES.filter((c) => all[c.name]).map((c) => [c.name, all[c.name]]));
  writeFileSync(goldenFile, JSON.stringify(ordered, null, 1) + '\n');
  process.stdout.write(`golden: recorded ${cases.length} case(s) in bench/golden.json\n`);
} else {
  const golden = JSON.parse(readFileSync(goldenFile, 'utf8'));
  let bad = 0;
  for (const c of cases) {
    if (!golden[c.name]) { process.stdout.write(`${c.name}: not in bench/golden.json (record it)\n`); bad++; continue; }
    const d = diff(c.name, golden[c.name], results[c.name], []);
    if (d.length) { bad++; process.stdout.write(`${c.name}: DIFFERS\n${d.slice(0, 20).map((l) => `  ${l}\n`).join('')}`); }
  }
  process.stdout.write(bad ? `golden: ${bad} of ${cases.length} case(s) differ\n` : `golden: all ${cases.length} cases bit-identical\n`);
  process.exitCode = bad ? 1 : 0;
}
