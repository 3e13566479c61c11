// `bioprop compare --import`: train records and bench:rules JSON lines become results lines (exact
// expected lines), re-imports add nothing, bad files fail naming the file and line, and the report header
// says the runs were imported. Also: a tiny sweep with one spiking run renders the raster chart.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { absolutePaths } from '../helpers/paths.js';
import { fileURLToPath } from 'node:url';
import { rules } from '../../src/rules/index.js';
import { recordToResult, importRecords, parseRecords, settledKeys } from '../../src/report/import.js';
import { reportHeader } from '../../src/report/provenance.js';
import { parseResults, type ResultLine } from '../../src/report/results.js';
import { ruleMeta, expandConfig, validateConfig, fullPreset, quickPreset, runKey } from '../../src/report/config.js';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bioprop-import-'));
const NOW = new Date('2025-06-01T12:00:00Z');
const history = [{ epoch: 1, trainLoss: 0.5, trainAccuracy: 0.9, testAccuracy: 0.91, testLoss: 0.4, lr: 0.01, seconds: 12 }];

// `bioprop train --out` of `--rule fa --spiking --hidden 256,256 --lr 0.01 --param feedback=gaussian --seed 3 --epochs 4`.
const FA = {
  rule: 'fa', dataset: 'mnist', hidden: [256, 256], activation: 'tanh', spiking: true, steps: rules.fa!.spiking!.sim!.steps, dt: 1e-3, encoder: 'poisson', maxRate: rules.fa!.spiking!.sim!.maxRate,
  epochs: 4, batch: 100, lr: 0.01, seed: 3, optimizer: 'adam', momentum: 0, weightDecay: 0, schedule: 'cosine', init: 'xavier',
  ruleParams: { feedback: 'gaussian', feedbackScale: 'auto' }, limit: null, testLimit: null, validation: null,
  testAccuracy: 0.9412, trainAccuracy: 0.95, seconds: 48.5, cancelled: false, history, version: '0.1.0',
};
// A bench:rules line: a train record (older: no limit fields) plus family/label/epochSeconds/relativeToBp,
// made with superspike's defaults (so its key is the full preset's).
const BENCH = {
  family: 'spiking', label: 'superspike fashion-mnist 256-256-256', rule: 'superspike', dataset: 'fashion-mnist', hidden: [256, 256, 256],
  activation: 'relu', spiking: true, steps: rules.superspike!.spiking!.sim!.steps, dt: 1e-3, encoder: 'poisson', maxRate: 200, epochs: 10, batch: 100, lr: 5e-3, seed: 1,
  optimizer: 'adam', momentum: 0, weightDecay: 0, schedule: 'cosine', init: 'he', ruleParams: { feedback: 'random', feedbackScale: 0.3 },
  testAccuracy: 0.8, trainAccuracy: 0.81, seconds: 600, cancelled: false, history, epochSeconds: 60, relativeToBp: 7.5,
};

test('a train record → the expected results line (argv = the shortest reproducing command)', () => {
  const line = recordToResult(FA, { file: 'rec.json' }, rules, NOW);
  const argv = ['--rule', 'fa', '--dataset', 'mnist', '--hidden', '256,256', '--seed', '3', '--epochs', '4', '--spiking', '--lr', '0.01', '--param', 'feedback=gaussian'];
  assert.equal(line, {
    key: argv.join(' '), status: 'ok',
    run: { rule: 'fa', dataset: 'mnist', depth: 2, width: 256, mode: 'spiking', seed: 3, argv },
    meta: ruleMeta(rules.fa!), record: FA as unknown as Extract<ResultLine, { status: 'ok' }>['record'], wallSeconds: 48.5, finishedAt: '2025-06-01T12:00:00.000Z',
    source: 'import', importedFrom: 'rec.json',
  });
});

test('a bench:rules JSON line → the expected line; default epochs and settings add no flags; mixed widths keep hidden[0]', () => {
  const text = JSON.stringify({ ...BENCH, rule: 'bp', label: 'bp', spiking: false, activation: 'relu', hidden: [256, 256, 256], lr: 0.05, optimizer: 'sgd', momentum: 0.9, weightDecay: 0, init: 'he', epochs: 20, ruleParams: {} }) + '\n' + JSON.stringify(BENCH) + '\n';
  const recs = parseRecords(text, 'out.jsonl');
  assert.is(recs.length, 2);
  const line = recordToResult(recs[1]!.record, recs[1]!.source, rules, NOW);
  const argv = ['--rule', 'superspike', '--dataset', 'fashion-mnist', '--hidden', '256,256,256', '--seed', '1', '--spiking'];
  assert.is(line.key, argv.join(' '));
  assert.equal(line.run, { rule: 'superspike', dataset: 'fashion-mnist', depth: 3, width: 256, mode: 'spiking', seed: 1, argv });
  assert.is(line.importedFrom, 'out.jsonl: line 2');
  assert.is(line.wallSeconds, 600);
  // The key a sweep of the full preset gives the same run: imported runs count as done for it (the
  // preset measures alignment, an observer flag that is not part of the key).
  const full = expandConfig(fullPreset(), rules).filter((r) => r.rule === 'superspike' && r.dataset === 'fashion-mnist' && r.depth === 3 && r.seed === 1);
  assert.equal(full.map((r) => r.key), [line.key]);
  assert.ok(full[0]!.argv.join(' ').includes('--align-every 50'), full[0]!.argv.join(' '));
  // Mixed widths (dendrites' 500-100): depth 2, width 500; the layer list stays in argv.
  const den = recordToResult({ ...BENCH, rule: 'dendrites', hidden: [500, 100], spiking: true, ruleParams: { spiking: true } }, { file: 'd.json' }, rules, NOW);
  assert.equal([den.run.depth, den.run.width, den.run.argv.slice(4, 6)], [2, 500, ['--hidden', '500,100']]);
  assert.ok(den.run.argv.includes('--spiking') && !den.run.argv.some((a) => a.startsWith('spiking=')), den.key);
  // A parameter only the spiking version reads is keyed on a spiking run that changed it, never on a rate run.
  const timing = { phaseTime: 50, window: 20 };
  const spk = recordToResult({ ...BENCH, rule: 'dendrites', hidden: [500, 100], spiking: true, ruleParams: { spiking: true, ...timing } }, { file: 'd.json' }, rules, NOW);
  assert.ok(spk.key.endsWith('--param phaseTime=50 --param window=20'), spk.key);
  const rate = recordToResult({ ...BENCH, rule: 'dendrites', hidden: [500, 100], spiking: false, ruleParams: { spiking: false, ...timing, etaHidden: 5 } }, { file: 'd.json' }, rules, NOW);
  assert.ok(rate.key.endsWith('--param etaHidden=5') && !rate.key.includes('phaseTime') && !rate.key.includes('window'), rate.key);
});

test('run keys leave out the observer flags (--align-every N, --align-every=N, --quiet) and keep every other flag', () => {
  const base = ['--rule', 'fa', '--dataset', 'mnist', '--hidden', '256', '--seed', '1'];
  const key = runKey(base);
  assert.is(key, base.join(' '));
  assert.is(runKey([...base, '--align-every', '50']), key);
  assert.is(runKey(['--align-every', '7', ...base, '--quiet']), key);
  assert.is(runKey([...base, '--align-every=5']), key);
  // Anything else still makes a new run, including a flag whose value looks like an observer.
  assert.is.not(runKey([...base, '--epochs', '3']), key);
  assert.is(runKey([...base, '--param', 'note=--quiet']), `${key} --param note=--quiet`);
  assert.is(runKey([...base, '--lr', '0.1', '--align-every', '50', '--epochs', '2']), `${key} --lr 0.1 --epochs 2`);
  // Both presets measure alignment; a record of the same run trained with alignment imports under the same key.
  for (const c of [fullPreset(), quickPreset(Object.values(rules), 2)]) assert.ok(c.args?.includes('--align-every'), c.name);
  const rec = recordToResult({ ...FA, alignEvery: 50 }, { file: 'rec.json' }, rules, NOW);
  assert.is(rec.key, recordToResult(FA, { file: 'rec.json' }, rules, NOW).key);
});

test('sweep order: seed by seed, then dataset, then the reference depth first and the rest of the scan, then rule and mode', () => {
  const plan = expandConfig(fullPreset(), rules);
  // Every registered rule once per mode it trains in, per (seed, dataset, depth).
  const perCell = Object.values(rules).reduce((n, r) => n + (r.spiking?.only ? 0 : 1) + (r.spiking ? 1 : 0), 0);
  assert.is(plan.length, perCell * 3 * 2 * 4);
  assert.is(new Set(plan.map((r) => r.key)).size, plan.length, 'keys are unique');
  const blocks: string[] = [];
  for (const r of plan) {
    const b = `${r.seed} ${r.dataset} ${r.depth}`;
    if (blocks[blocks.length - 1] !== b) blocks.push(b);
  }
  const want = [1, 2, 3].flatMap((seed) => ['mnist', 'fashion-mnist'].flatMap((d) => [3, 1, 2, 5].map((depth) => `${seed} ${d} ${depth}`)));
  assert.equal(blocks, want);
  assert.equal(plan.slice(0, 3).map((r) => [r.rule, r.mode]), [['bp', 'rate'], ['bp', 'spiking'], ['fa', 'rate']]);
  // A config without a reference depth: 3 when swept, else the deepest.
  const depthsOf = (c: object) => [...new Set(expandConfig(validateConfig({ rules: ['bp'], datasets: ['mnist'], seeds: [1], ...c }, rules), rules).map((r) => r.depth))];
  assert.equal(depthsOf({ depths: [1, 2, 3, 5] }), [3, 1, 2, 5]);
  assert.equal(depthsOf({ depths: [1, 2, 4] }), [4, 1, 2]);
  assert.equal(depthsOf({ depths: [1, 2, 3], referenceDepth: 2 }), [2, 1, 3]);
});

test('settledKeys: an import leaves a key alone only when its last line is a finished run of today\'s defaults and computation', () => {
  type Ok = Extract<ResultLine, { status: 'ok' }>;
  const ok = (rec: object) => recordToResult(rec, { file: 'rec.json' }, rules, NOW) as Ok;
  const fa = ok(FA), spike = ok({ ...FA, seed: 5 }), s2 = ok({ ...FA, seed: 6 }), s3 = ok({ ...FA, seed: 7 });
  const failed = (l: Ok): ResultLine => ({ key: l.key, run: l.run, status: 'error', error: 'exit 1', wallSeconds: 1, finishedAt: NOW.toISOString() });
  // made with batch 37 while its command (no --batch) gives the rule's default today: stale
  const old: Ok = { ...s3, record: { ...s3.record, batch: 37 } };
  const lines = [fa, spike, failed(spike), failed(s2), s2, old];
  assert.equal([...settledKeys(lines, rules)].sort(), [fa.key, s2.key].sort(), 'the failed-last key and the stale one take an import');
  // By today's fingerprints: a run whose record carries another is stale; one without a fingerprint is kept.
  const printed: Ok = { ...fa, record: { ...fa.record, fingerprint: 'aaaa' } };
  assert.equal([...settledKeys([printed], rules, () => 'bbbb')], []);
  assert.equal([...settledKeys([printed], rules, () => 'aaaa')], [fa.key]);
  assert.equal([...settledKeys([fa], rules, () => 'bbbb')], [fa.key]);
});

test('re-import dedupes: keys already in the results and repeats inside one import are skipped', () => {
  const a = join(dir, 'fa.json'), b = join(dir, 'bench.jsonl');
  writeFileSync(a, JSON.stringify(FA, null, 2));
  writeFileSync(b, JSON.stringify(BENCH) + '\n' + JSON.stringify({ ...BENCH, cancelled: true, seed: 9 }) + '\n');
  const first = importRecords([a, b, a], rules, new Set(), NOW);
  assert.is(first.lines.length, 2);
  assert.is(first.duplicates, 1);
  assert.equal(first.cancelled, [`${b}: line 2`]);
  const again = importRecords([a, b], rules, new Set(first.lines.map((l) => l.key)), NOW);
  assert.equal([again.lines.length, again.duplicates], [0, 2]);

  // Through the CLI: the second import appends nothing; the report says where the runs came from.
  const results = join(dir, 'cli', 'results.jsonl');
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'compare', ...args], { encoding: 'utf8', timeout: 60_000 });
  const r1 = run('--import', a, b, '--results', results);
  assert.is(r1.status, 0, r1.stderr);
  assert.match(r1.stderr, /imported 2 runs from 2 files/);
  const text = readFileSync(results, 'utf8');
  assert.is(parseResults(text).lines.length, 2);
  const r2 = run('--import', a, '--results', results);
  assert.is(r2.status, 0, r2.stderr);
  assert.match(r2.stderr, /imported 0 runs from 1 file .*\(1 already there\)/);
  assert.is(readFileSync(results, 'utf8'), text, 'nothing appended');
  const r3 = run('--report-only', '--results', results, '--note', 'Interim: two runs.');
  assert.is(r3.status, 0, r3.stderr);
  const md = readFileSync(join(dir, 'cli', 'report.md'), 'utf8');
  assert.match(md, /^> Interim: two runs\.$/m, '--note in the header');
  // The records lie outside the results folder: named by their names alone, never by this machine's paths.
  assert.match(md, /from 2 imported runs in `results.jsonl` \(train records from `fa.json`, `bench.jsonl`\), not from a planned sweep/);
  assert.equal(absolutePaths(md), []);
  assert.equal(absolutePaths(readFileSync(join(dir, 'cli', 'report.json'), 'utf8')), []);
  // With absolute --results and --out, and a record inside the results folder (named relative to it).
  const inside = join(dir, 'cli2', 'records', 'fa.json');
  mkdirSync(dirname(inside), { recursive: true });
  writeFileSync(inside, JSON.stringify(FA));
  const r4 = run('--import', inside, '--results', join(dir, 'cli2', 'results.jsonl'), '--out', join(dir, 'cli2', 'report'));
  assert.is(r4.status, 0, r4.stderr);
  const md4 = readFileSync(join(dir, 'cli2', 'report', 'report.md'), 'utf8');
  assert.match(md4, /^> Generated by `bioprop compare --import fa.json --results results.jsonl --out report` .* in `\.\.\/results.jsonl` \(train records from `records\/fa.json`\)/m);
  assert.equal(absolutePaths(md4), []);
  assert.equal(absolutePaths(readFileSync(join(dir, 'cli2', 'report', 'report.json'), 'utf8')), []);
  // A report folder far from the results: the results file by its name alone, not by a climb through folders.
  const r5 = run('--report-only', '--results', join(dir, 'cli2', 'results.jsonl'), '--out', join(dir, 'far', 'away', 'report'));
  assert.is(r5.status, 0, r5.stderr);
  const md5 = readFileSync(join(dir, 'far', 'away', 'report', 'report.md'), 'utf8');
  assert.match(md5, / in `results.jsonl`/);
  assert.not.match(md5, /`\.\.\//);
  assert.not.match(md, /planned runs/);
  assert.match(md, /\| superspike \| yes \|/);
});

test("an imported run takes a key whose last line is a failure (a failed run is no result), not one whose last line is a result", () => {
  const a = join(dir, 'fa-retry.json'), results = join(dir, 'failed', 'results.jsonl');
  writeFileSync(a, JSON.stringify(FA));
  const ok = recordToResult(FA, { file: 'fa-retry.json' }, rules, NOW);
  const failed = { key: ok.key, status: 'error', run: ok.run, error: 'the run stopped', wallSeconds: 3, finishedAt: NOW.toISOString() };
  mkdirSync(dirname(results), { recursive: true });
  writeFileSync(results, JSON.stringify(failed) + '\n');
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'compare', ...args], { encoding: 'utf8', timeout: 60_000 });
  const r1 = run('--import', a, '--results', results);
  assert.is(r1.status, 0, r1.stderr);
  assert.match(r1.stderr, /imported 1 run from 1 file/);
  const lines = parseResults(readFileSync(results, 'utf8')).lines;
  assert.equal(lines.map((l) => [l.key, l.status]), [[ok.key, 'error'], [ok.key, 'ok']], 'the failure kept, the import after it');
  const r2 = run('--import', a, '--results', results);
  assert.match(r2.stderr, /imported 0 runs from 1 file .*\(1 already there\)/);
});

test('bad files: a clear error naming the file and the line', () => {
  const cases: [string, string, RegExp][] = [
    ['badjson.jsonl', JSON.stringify(FA) + '\n{"rule": "fa",\n', /badjson\.jsonl: line 2 is not valid JSON/],
    ['nofield.jsonl', JSON.stringify(FA) + '\n' + JSON.stringify({ ...FA, seed: 'one' }) + '\n', /nofield\.jsonl: line 2: not a train record: 'seed' must be an integer, got "one"/],
    ['rule.json', JSON.stringify({ ...FA, rule: 'nope' }), /rule\.json: unknown rule 'nope' \(registered: bp/],
    ['results.jsonl', JSON.stringify({ key: 'k', status: 'ok', run: {} }) + '\n', /results\.jsonl: line 1: this is a results line of a sweep, not a train record/],
    ['empty.json', '', /empty\.json: empty file/],
    ['one.json', '{"rule": ', /one\.json: not valid JSON/],
  ];
  for (const [name, text, re] of cases) {
    const p = join(dir, name);
    writeFileSync(p, text);
    assert.throws(() => importRecords([p], rules, new Set(), NOW), re, name);
  }
  assert.throws(() => importRecords([join(dir, 'missing.json')], rules, new Set(), NOW), /missing\.json: cannot read/);
  // The CLI: exit 1, one line, and nothing appended (the whole import is checked before any write).
  const results = join(dir, 'bad', 'results.jsonl');
  const r = spawnSync(process.execPath, [BIN, 'compare', '--import', join(dir, 'fa.json'), join(dir, 'nofield.jsonl'), '--results', results], { encoding: 'utf8' });
  assert.is(r.status, 1);
  assert.match(r.stderr, /nofield\.jsonl: line 2: not a train record/);
  assert.not.match(r.stderr, /\n\s+at /);
  assert.not.ok(existsSync(results));
});

test('report header: imported, mixed, and a sweep with imported runs say so', () => {
  const imp = recordToResult(FA, { file: 'a.json' }, rules, NOW);
  const swept: ResultLine = { ...imp, key: 'x', source: undefined, importedFrom: undefined };
  const base = { cmd: 'bioprop compare --report-only --results r.jsonl', version: '0.1.0', date: '2025-06-01', resultsName: 'r.jsonl' };
  assert.match(reportHeader({ ...base, lines: [imp] })[0]!, /from 1 imported run in `r.jsonl` \(train records from `a.json`\), not from a planned sweep/);
  assert.match(reportHeader({ ...base, lines: [imp, swept] })[0]!, /from 2 runs in `r.jsonl`: 1 imported \(train records from `a.json`\) and 1 recorded by sweeps/);
  assert.match(reportHeader({ ...base, lines: [swept] })[0]!, /from all 1 runs in `r.jsonl` \(recorded by sweeps/);
  const config = validateConfig({ rules: ['fa'], datasets: ['mnist'], depths: [2], seeds: [3] }, rules);
  const h = reportHeader({ ...base, lines: [imp, swept], sweep: { config, planned: 4, allRules: Object.keys(rules) } });
  assert.match(h[0]!, /from 2 of 4 planned runs in `r.jsonl`; 1 of them imported \(train records from `a.json`\) rather than run by the sweep\./);
  assert.match(h[1]!, /^Sweep `sweep`: rules fa; mnist; hidden layers 2/);
  assert.match(reportHeader({ ...base, lines: [imp] })[1]!, /^Runs: rules fa; mnist; hidden layers 2; spiking; seeds 3; epochs 4; training examples all; test examples all\./);
});

test('a tiny sweep with one spiking run renders the spike raster chart in report.md', () => {
  const cfg = join(dir, 'spk.json');
  writeFileSync(cfg, JSON.stringify({ name: 'spk', rules: ['superspike'], datasets: ['mnist'], depths: [1], width: 16, modes: ['rate', 'spiking'], seeds: [1], epochs: 1, limit: 100, testLimit: 50 }));
  const results = join(dir, 'spk', 'results.jsonl');
  const dry = spawnSync(process.execPath, [BIN, 'compare', '--config', cfg, '--results', results, '--dry-run'], { encoding: 'utf8' });
  assert.is(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /^1 runs/, 'superspike has no rate run');
  assert.match(dry.stdout, /superspike mnist 1×16 spiking seed 1 .* --spiking/);
  const r = spawnSync(process.execPath, [BIN, 'compare', '--config', cfg, '--results', results], { encoding: 'utf8', timeout: 120_000 });
  assert.is(r.status, 0, r.stderr);
  const md = readFileSync(join(dir, 'spk', 'report.md'), 'utf8');
  assert.match(md, /## Spike raster\n\n!\[spikes of a few neurons in a spiking run\]\(charts\/raster\.svg\)/);
  const svg = readFileSync(join(dir, 'spk', 'charts', 'raster.svg'), 'utf8');
  assert.match(svg, /^<svg/);
  assert.match(svg, /Spike raster: superspike, mnist, 1 hidden, seed 1/);
});

test.run();
