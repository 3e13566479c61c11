#!/usr/bin/env node
// The computation fingerprint's probe per rule and form (src/train/fingerprint.ts), not a test: each
// form's digest and what it cost, at --threads N (default 1). Two runs at different thread counts must print
// the same digests. Build first (npm run build).
//   node bench/fingerprint.js [--threads N]
import { parseArgs } from 'node:util';
import { load } from '../dist/src/index.js';
import { rules } from '../dist/src/rules/index.js';
import { computationFingerprint } from '../dist/src/train/fingerprint.js';

const { values: f } = parseArgs({ options: { threads: { type: 'string' } } });
const threads = Number(f.threads ?? 1);
if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads must be a positive integer, got ${f.threads}`);
const lib = await load({ threads });
let total = 0, worst = 0, n = 0;
for (const r of Object.values(rules)) for (const mode of ['rate', 'spiking']) for (const conv of [false, true]) {
  if ((mode === 'spiking' && !r.spiking) || (mode === 'rate' && r.spiking?.only) || (conv && !r.conv)) continue;
  const t = performance.now();
  let fp;
  try { fp = computationFingerprint(lib, r, mode, conv); } catch (e) { fp = `probe fails: ${e.message}`; }
  const ms = performance.now() - t;
  total += ms; worst = Math.max(worst, ms); n++;
  console.log(`${`${r.id} ${mode}${conv ? ' conv' : ''}`.padEnd(24)} ${fp.padEnd(12)}  ${ms.toFixed(1).padStart(6)} ms`);
}
console.log(`${n} forms at ${threads} thread${threads > 1 ? 's' : ''}: ${total.toFixed(0)} ms in all, the slowest ${worst.toFixed(0)} ms`);
process.exit(0);
