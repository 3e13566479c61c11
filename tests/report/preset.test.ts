// The `report` preset plans exactly the report's cells; sweep parts and per-rule widths; the dry run's
// cost estimate from measured epoch times (the model in src/report/estimate.ts, checked by hand).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rules } from '../../src/rules/index.js';
import { reportPreset, expandConfig, validateConfig, ruleMeta, omitted, type RunSpec } from '../../src/report/config.js';
import { reportHeader } from '../../src/report/provenance.js';
import { estimateSweep, weightCount } from '../../src/report/estimate.js';
import type { ResultLine } from '../../src/report/results.js';
import { ruleForm } from '../../src/rules/form.js';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
const PHASE = ['chl', 'eqprop', 'generec'];

test('the report preset: every rule in every mode it has, 3 hidden layers (MNIST seeds 1-3, Fashion-MNIST seed 1), depth scan 1, 2, 4 (MNIST seed 1); spiking dendrites only at 3 hidden layers, seed 1', () => {
  const plan = expandConfig(validateConfig(reportPreset(), rules), rules);
  assert.is(new Set(plan.map((r) => r.key)).size, plan.length, 'each run planned once');
  const modesOf = (id: string) => [...(rules[id]!.spiking?.only ? [] : ['rate']), ...(rules[id]!.spiking ? ['spiking'] : [])];
  const want: string[] = [];
  const cell = (dataset: string, depth: number, seed: number) => {
    for (const id of Object.keys(rules)) {
      for (const mode of modesOf(id)) {
        if (id === 'dendrites' && mode === 'spiking' && (depth !== 3 || seed !== 1)) continue;
        want.push(`${id} ${mode} ${dataset} ${depth}×${PHASE.includes(id) ? 500 : 256} seed ${seed}`);
      }
    }
  };
  cell('mnist', 3, 1);
  cell('fashion-mnist', 3, 1);
  for (const d of [1, 2, 4]) cell('mnist', d, 1);
  for (const s of [2, 3]) cell('mnist', 3, s);
  assert.equal(plan.map((r) => `${r.rule} ${r.mode} ${r.dataset} ${r.depth}×${r.width} seed ${r.seed}`), want);
  const chl = plan.find((r) => r.rule === 'chl' && r.depth === 2)!;
  assert.ok(chl.argv.join(' ').includes('--hidden 500,500'), chl.key);
  assert.not.ok(plan.some((r) => r.argv.includes('--epochs')), "each rule's default epochs");
});

test('omit: a run matching every field a pattern gives is not planned; the report header names each cut with its reason; bad patterns named', () => {
  const base = { rules: ['bp', 'fa'], datasets: ['mnist', 'fashion-mnist'], depths: [1, 3], seeds: [1, 2], modes: ['rate', 'spiking'] };
  const omit = [{ rule: 'fa', mode: 'spiking', depths: [1], why: 'too slow' }, { rule: 'bp', seeds: [2], datasets: ['fashion-mnist'], why: 'not needed' }];
  const c = validateConfig({ ...base, omit }, rules);
  const plan = expandConfig(c, rules).map((r) => `${r.rule} ${r.mode} ${r.dataset} ${r.depth} ${r.seed}`);
  const all = expandConfig(validateConfig(base, rules), rules).map((r) => `${r.rule} ${r.mode} ${r.dataset} ${r.depth} ${r.seed}`);
  const gone = all.filter((r) => !plan.includes(r));
  assert.equal([...gone].sort(), ['fa spiking mnist 1 1', 'fa spiking fashion-mnist 1 1', 'fa spiking mnist 1 2', 'fa spiking fashion-mnist 1 2',
    'bp rate fashion-mnist 1 2', 'bp spiking fashion-mnist 1 2', 'bp rate fashion-mnist 3 2', 'bp spiking fashion-mnist 3 2'].sort());
  assert.ok(omitted(c.omit, { rule: 'fa', mode: 'spiking', dataset: 'mnist', depth: 1, seed: 2 }));
  assert.not.ok(omitted(c.omit, { rule: 'fa', mode: 'rate', dataset: 'mnist', depth: 1, seed: 2 }), 'the mode must match too');
  const header = reportHeader({ cmd: 'bioprop compare', version: '0', date: 'd', resultsName: 'r.jsonl', lines: [], sweep: { config: c, planned: plan.length, allRules: ['bp', 'fa'] } });
  assert.ok(header.includes('Not planned, on purpose: fa spiking at 1 hidden layer: too slow; bp fashion-mnist seed 2: not needed.'), header.join('\n'));
  assert.throws(() => validateConfig({ ...base, omit: [{ rule: 'nope', why: 'x' }] }, rules), /omit\[0\]\.rule must be a registered rule id, got "nope"/);
  assert.throws(() => validateConfig({ ...base, omit: [{ rule: 'fa' }] }, rules), /omit\[0\]\.why must say why/);
  assert.throws(() => validateConfig({ ...base, omit: [{ rule: 'fa', depths: [4], why: 'x' }] }, rules), /omit\[0\]\.depths must be a non-empty list of the config's depths \(1, 3\), got \[4\]/);
  assert.throws(() => validateConfig({ ...base, omit: [{ rule: 'fa', mode: 'both', why: 'x' }] }, rules), /omit\[0\]\.mode must be rate or spiking/);
  assert.throws(() => validateConfig({ ...base, omit: [{ rule: 'fa', when: 1, why: 'x' }] }, rules), /omit\[0\]: unknown field 'when'/);
});

test('parts: the union in the parts\' order, a run two parts plan planned once; bad parts and widths named', () => {
  const base = { rules: ['bp'], datasets: ['mnist', 'fashion-mnist'], depths: [1, 3], seeds: [1, 2], modes: ['rate'] };
  const plan = expandConfig(validateConfig({ ...base, parts: [{ depths: [3], seeds: [1] }, { datasets: ['fashion-mnist'], depths: [1, 3], seeds: [1] }] }, rules), rules);
  assert.equal(plan.map((r) => `${r.dataset} ${r.depth} ${r.seed}`), ['mnist 3 1', 'fashion-mnist 3 1', 'fashion-mnist 1 1']);
  assert.throws(() => validateConfig({ ...base, parts: [{ depths: [4] }] }, rules), /parts\[0\]\.depths has 4, not in the config's depths \(1, 3\)/);
  assert.throws(() => validateConfig({ ...base, parts: [{ width: 5 }] }, rules), /parts\[0\]: unknown field 'width'/);
  assert.throws(() => validateConfig({ ...base, parts: [{ seeds: [] }] }, rules), /parts\[0\]\.seeds must be a non-empty list/);
  assert.throws(() => validateConfig({ ...base, parts: [] }, rules), /parts must be a non-empty list/);
  assert.throws(() => validateConfig({ ...base, ruleWidths: { nope: 3 } }, rules), /ruleWidths: unknown rule 'nope'/);
  assert.throws(() => validateConfig({ ...base, ruleWidths: { bp: 0 } }, rules), /ruleWidths\.bp must be a positive integer, got 0/);
});

/** A finished run of `argv` as a results line, `seconds` over `epochs`, with the record's network. */
function line(rule: string, mode: 'rate' | 'spiking', hidden: number[], seconds: number, epochs: number, extra: Record<string, unknown> = {}): ResultLine {
  const argv = ['--rule', rule, '--dataset', 'mnist', '--hidden', hidden.join(','), '--seed', '9', ...(mode === 'spiking' ? ['--spiking'] : [])];
  return {
    key: argv.join(' '), status: 'ok', run: { rule, dataset: 'mnist', depth: hidden.length, width: hidden[0]!, mode, seed: 9, argv },
    meta: ruleMeta(rules[rule]!), wallSeconds: seconds, finishedAt: '2026-01-01T00:00:00Z',
    record: { rule, hidden, seconds, epochs, ...extra } as never,
  } as ResultLine;
}

test('estimate: median cost per example per weight of the rule and mode, times examples × weights × epochs; done and unmeasured runs apart', () => {
  assert.is(weightCount([256, 256]), 784 * 256 + 256 * 256 + 256 * 10);
  assert.is(weightCount([]), 7840);
  const measured = [
    line('bp', 'rate', [100], 60, 10), // 6 s per epoch over 60 000 examples
    line('bp', 'rate', [100], 120, 10, { limit: 30_000 }), // 12 s per epoch over 30 000: 4× the cost
    line('bp', 'rate', [100], 90, 10, { threads: 2 }), // 9 s per epoch on 2 threads: 18 core-seconds
    line('fa', 'spiking', [50], 100, 1),
  ];
  const c = (s: number, n: number) => s / (n * weightCount([100]));
  const median = c(18, 60_000); // median of 6, 18 and 24 core-seconds per 60 000-example epoch
  assert.ok(Math.abs(c(12, 30_000) - c(24, 60_000)) < 1e-18);
  const spec = (rule: string, hidden: number[], mode: 'rate' | 'spiking', extra: string[] = []): RunSpec => {
    const argv = ['--rule', rule, '--dataset', 'mnist', '--hidden', hidden.join(','), '--seed', '1', ...extra, ...(mode === 'spiking' ? ['--spiking'] : [])];
    return { key: argv.join(' '), rule, dataset: 'mnist', depth: hidden.length, width: hidden[0]!, mode, seed: 1, argv };
  };
  const plan = [spec('bp', [200, 200], 'rate', ['--epochs', '5', '--limit', '1000']), spec('bp', [100], 'rate'), spec('sign', [100], 'rate'), spec('fa', [50], 'spiking')];
  const own = [line('fa', 'spiking', [50], 100, ruleForm(rules.fa!, true).train.epochs)]; // made under today's defaults
  own[0] = { ...own[0]!, key: plan[3]!.key };
  const e = estimateSweep(plan, own, rules, measured);
  const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) <= 1e-9 * b, `${a} vs ${b}`);
  close(e.runs[0]!.coreSeconds, median * 1000 * weightCount([200, 200]) * 5);
  close(e.runs[1]!.coreSeconds, 18 * rules.bp!.train.epochs);
  assert.is(e.runs[2]!.coreSeconds, null, 'sign was never measured');
  assert.ok(e.runs[3]!.done, "a planned run in the sweep's own results is done");
  assert.is(e.done, 1);
  close(e.coreSeconds, e.runs[0]!.coreSeconds! + e.runs[1]!.coreSeconds!);
  assert.equal(e.unmeasured, ['sign rate']);
  // Earlier sweeps' runs give epoch times but are not this sweep's: the same key there is not done.
  assert.is(estimateSweep([plan[1]!], [], rules, [line('bp', 'rate', [100], 60, 10)]).done, 0);
  // CPU seconds per epoch, where every epoch recorded them, are the cost as they are (all threads counted):
  // a run that took 90 wall seconds on a busy machine but 20 CPU seconds in each of 2 epochs costs 20 per epoch.
  const busy = line('bp', 'rate', [100], 90, 2, { threads: 2, history: [{ cpuSeconds: 20 }, { cpuSeconds: 20 }] });
  close(estimateSweep([plan[1]!], [], rules, [busy]).runs[0]!.coreSeconds, 20 * rules.bp!.train.epochs);
  const partly = line('bp', 'rate', [100], 90, 2, { history: [{ cpuSeconds: 20 }, {}] }); // wall time then
  close(estimateSweep([plan[1]!], [], rules, [partly]).runs[0]!.coreSeconds, 45 * rules.bp!.train.epochs);
});

test("estimate: a network's own measured runs when there are any, else scaled; today's computation's runs over stale ones", () => {
  const spec = (rule: string, hidden: number[]): RunSpec => {
    const argv = ['--rule', rule, '--dataset', 'fashion-mnist', '--hidden', hidden.join(','), '--seed', '1'];
    return { key: argv.join(' '), rule, dataset: 'fashion-mnist', depth: hidden.length, width: hidden[0]!, mode: 'rate', seed: 1, argv };
  };
  const epochs = rules.bp!.train.epochs;
  const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) <= 1e-9 * b, `${a} vs ${b}`);
  // 6 core-seconds per epoch at 784-100-10, 90 at 784-200-200-10: per weight, the deeper one costs more.
  const small = line('bp', 'rate', [100], 60, 10), deep = line('bp', 'rate', [200, 200], 900, 10);
  const c = (s: number, h: number[]) => s / (60_000 * weightCount(h));
  const e = estimateSweep([spec('bp', [200, 200]), spec('bp', [100]), spec('bp', [300])], [], rules, [small, deep]);
  close(e.runs[0]!.coreSeconds, 90 * epochs); // its twin's epoch, not the median over both networks
  close(e.runs[1]!.coreSeconds, 6 * epochs);
  close(e.runs[2]!.coreSeconds, ((c(6, [100]) + c(90, [200, 200])) / 2) * 60_000 * weightCount([300]) * epochs);
  // A run whose computation has changed since (stale) counts only where no current run of the rule and mode
  // exists: here the current 784-100-10 run is scaled rather than the stale twin used.
  const old = line('bp', 'rate', [200, 200], 3000, 10, { fingerprint: 'old' });
  const stale = (l: ResultLine) => (l.status === 'ok' && (l.record as { fingerprint?: string }).fingerprint === 'old' ? ['computation changed'] : []);
  close(estimateSweep([spec('bp', [200, 200])], [], rules, [small, old], { stale }).runs[0]!.coreSeconds, c(6, [100]) * 60_000 * weightCount([200, 200]) * epochs);
  close(estimateSweep([spec('bp', [200, 200])], [], rules, [old], { stale }).runs[0]!.coreSeconds, 300 * epochs);
});

test('compare --preset report --dry-run lists every run with its estimate and the total; --estimate-from needs --dry-run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-preset-'));
  const earlier = join(dir, 'earlier.jsonl');
  writeFileSync(earlier, JSON.stringify(line('bp', 'rate', [256, 256, 256], 120, 20)) + '\n');
  const run = (...a: string[]) => spawnSync(process.execPath, [BIN, 'compare', '--preset', 'report', '--results', join(dir, 'r.jsonl'), ...a], { encoding: 'utf8' });
  const r = run('--dry-run', '--workers', '2', '--estimate-from', earlier);
  assert.is(r.status, 0, r.stderr);
  const n = expandConfig(reportPreset(), rules).length;
  assert.match(r.stdout, new RegExp(`^${n} runs \\(2 workers\\):`));
  assert.match(r.stdout, /bp mnist 3×256 rate seed 1 +0\.03 h  bioprop train --rule bp --dataset mnist --hidden 256,256,256 --seed 1\n/);
  assert.match(r.stdout, /chl mnist 3×500 rate seed 1 +\?  bioprop train/);
  assert.match(r.stdout, new RegExp(`estimate: 0\\.\\d core-hours for 7 of the ${n} runs not yet done \\(0 done\\)`));
  assert.match(r.stdout, /not estimated \(never measured here, so not in the total\): bp spiking, fa rate, fa spiking, /);
  const bad = run('--estimate-from', earlier);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /--estimate-from is for --dry-run/);
});

test.run();
