#!/usr/bin/env node
// Rule benchmarks (`npm run bench:rules`): accuracy sweeps through the real CLI, with each rule's defaults.
// A family file bench/rules/<family>.js exports
//   default { title, runs: [{ rule, dataset = 'mnist', hidden: [..], epochs?, args?: [...extra CLI flags], label? }] }
// and lists backprop runs itself, so every comparison is measured in the same sweep.
// Flags: --family a,b (default all), --match REGEX (only runs whose label matches), --epochs N (override
// every run), --json FILE, --dry-run, --checkpoint-dir DIR (each run checkpoints its training state there
// after every epoch and resumes from it: re-running the same command continues a cut-off long run).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, appendFileSync, mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const val = (f, d) => { const i = argv.indexOf(`--${f}`); return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : d; };
const families = readdirSync(join(here, 'rules')).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
const wanted = val('family', families.join(',')).split(',');
for (const f of wanted) if (!families.includes(f)) { console.error(`bench:rules: unknown family '${f}' (have: ${families.join(', ')})`); process.exit(2); }
const epochsOverride = val('epochs', null);
const jsonFile = val('json', null);
const dry = argv.includes('--dry-run');
const match = val('match', null) ? new RegExp(val('match')) : null;
const ckptDir = val('checkpoint-dir', null);
if (ckptDir) mkdirSync(ckptDir, { recursive: true });
if (jsonFile) writeFileSync(jsonFile, '');
const dir = mkdtempSync(join(tmpdir(), 'bioprop-rules-'));

for (const fam of wanted) {
  const { default: spec } = await import(new URL(`./rules/${fam}.js`, import.meta.url).href);
  console.log(`\n== ${fam}: ${spec.title} ==`);
  const done = [];
  for (const [i, r] of spec.runs.entries()) {
    const dataset = r.dataset ?? 'mnist';
    const out = join(dir, `${fam}-${i}.json`);
    const args = ['train', '--rule', r.rule, '--dataset', dataset, '--hidden', r.hidden.join(','), '--seed', String(r.seed ?? 1),
      ...(epochsOverride || r.epochs ? ['--epochs', String(epochsOverride ?? r.epochs)] : []), ...(r.args ?? []), '--out', out, '--quiet'];
    const label = r.label ?? `${r.rule} ${dataset} ${r.hidden.join('-')}`;
    if (match && !match.test(label)) continue;
    if (ckptDir) args.push('--checkpoint', join(ckptDir, `${fam}-${label.replace(/[^\w.-]+/g, '_')}.bpn`), '--resume');
    if (dry) { console.log(`bioprop ${args.join(' ')}`); continue; }
    const p = spawnSync(process.execPath, [join(here, '../bin/bioprop.js'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (p.status !== 0) {
      console.log(`${label.padEnd(40)} FAILED (exit ${p.status}): ${p.stderr.trim().split('\n').pop()}`);
      continue;
    }
    const rec = JSON.parse(readFileSync(out, 'utf8'));
    const epochSec = rec.history.reduce((s, h) => s + h.seconds, 0) / rec.history.length;
    const bp = done.find((d) => d.rec.rule === 'bp' && d.rec.dataset === rec.dataset && d.rec.hidden.join() === rec.hidden.join());
    const rel = bp ? epochSec / bp.epochSec : null;
    done.push({ rec, epochSec });
    console.log(`${label.padEnd(40)} test ${(100 * rec.testAccuracy).toFixed(2)}%  train ${(100 * rec.trainAccuracy).toFixed(2)}%  ` +
      `${rec.history.length} ep  ${epochSec.toFixed(1)} s/epoch${rel ? ` (${rel.toFixed(2)}x bp)` : ''}` +
      (rec.ruleMetrics ? '  ' + Object.entries(rec.ruleMetrics).map(([k, v]) => `${k} ${(+v).toFixed(1)}`).join(' ') : ''));
    if (jsonFile) appendFileSync(jsonFile, JSON.stringify({ family: fam, label, ...rec, epochSeconds: epochSec, relativeToBp: rel }) + '\n');
  }
}
