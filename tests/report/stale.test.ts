// A finished run made under defaults that have changed since is stale (src/report/stale.ts): the sweep
// runs it again, the dry run's estimate counts it as not done, and a sweep's report leaves it out and says
// so. Settings the command line fixes never make a run stale.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rules } from '../../src/rules/index.js';
import { ruleForm } from '../../src/rules/form.js';
import { ruleMeta, type RunSpec } from '../../src/report/config.js';
import { staleSettings } from '../../src/report/stale.js';
import { pendingRuns } from '../../src/report/sweep.js';
import { estimateSweep } from '../../src/report/estimate.js';
import type { ResultLine } from '../../src/report/results.js';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));

function spec(rule: string, mode: 'rate' | 'spiking', extra: string[] = []): RunSpec {
  const argv = ['--rule', rule, '--dataset', 'mnist', '--hidden', '20', '--seed', '1', ...extra, ...(mode === 'spiking' ? ['--spiking'] : [])];
  return { key: argv.join(' '), rule, dataset: 'mnist', depth: 1, width: 20, mode, seed: 1, argv };
}

/** The record `bioprop train` writes for `s` under today's defaults, with `change` applied. */
function line(s: RunSpec, change: Record<string, unknown> = {}): ResultLine {
  const rule = rules[s.rule]!, form = ruleForm(rule, s.mode === 'spiking');
  const t = form.train;
  const record: Record<string, unknown> = {
    rule: s.rule, dataset: 'mnist', hidden: [20], spiking: form.spiking, activation: t.activation, epochs: t.epochs, batch: t.batch, lr: t.lr,
    optimizer: t.optimizer, momentum: t.momentum, weightDecay: t.weightDecay, schedule: t.schedule, init: t.init,
    ruleParams: { ...rule.defaults }, ...(form.sim ? { steps: form.sim.steps, maxRate: form.sim.maxRate } : {}),
    seed: 1, testAccuracy: 0.9, trainAccuracy: 0.9, seconds: 10, cancelled: false, history: [{ epoch: 1, cpuSeconds: 10 }],
  };
  for (const [k, v] of Object.entries(change)) {
    if (k.startsWith('param.')) (record.ruleParams as Record<string, unknown>)[k.slice(6)] = v;
    else record[k] = v;
  }
  return { key: s.key, status: 'ok', run: { ...s }, meta: ruleMeta(rule), record: record as never, wallSeconds: 10, finishedAt: '2026-01-01T00:00:00Z' } as ResultLine;
}

test('staleSettings: nothing for a run of today\'s defaults; each changed default named, old → new', () => {
  const fa = spec('fa', 'rate'), fas = spec('fa', 'spiking');
  assert.equal(staleSettings(line(fa), rules), []);
  assert.equal(staleSettings(line(fas), rules), []);
  const lr = rules.fa!.train.lr;
  assert.equal(staleSettings(line(fa, { lr: lr * 2, epochs: 999 }), rules), [`epochs 999 → ${rules.fa!.train.epochs}`, `lr ${lr * 2} → ${lr}`]);
  assert.equal(staleSettings(line(fa, { 'param.feedback': 'gaussian' }), rules), ['param feedback "gaussian" → "uniform"']);
  // A parameter the rule no longer has, or one it gained, is a change too.
  assert.equal(staleSettings(line(fa, { 'param.hold': true }), rules), ['param hold true → unset']);
  const steps = ruleForm(rules.fa!, true).sim!.steps!;
  assert.equal(staleSettings(line(fas, { steps: steps + 1 }), rules), [`steps ${steps + 1} → ${steps}`]);
  assert.equal(staleSettings(line(fa, { steps: 7 }), rules), [], 'a rate run has no simulator settings to compare');
});

test('staleSettings: what the command line sets is not a default, and what a record lacks is not compared', () => {
  const s = spec('fa', 'rate', ['--lr', '0.5', '--param', 'feedback=gaussian']);
  assert.equal(staleSettings(line(s, { lr: 0.5, 'param.feedback': 'gaussian' }), rules), []);
  const bare = line(spec('fa', 'rate'));
  const rec = (bare as Extract<ResultLine, { status: 'ok' }>).record as Record<string, unknown>;
  for (const k of ['lr', 'epochs', 'ruleParams', 'activation']) delete rec[k];
  assert.equal(staleSettings(bare, rules), []);
  // A network with convolutions takes the rule's convolutional defaults (bp: weight decay), and is compared with them.
  const lenet = spec('bp', 'rate', ['--arch', 'lenet5']);
  const conv = ruleForm(rules.bp!, false, {}, true).train.weightDecay;
  assert.ok(conv !== rules.bp!.train.weightDecay, 'bp has a convolutional weight decay');
  assert.equal(staleSettings(line(lenet, { weightDecay: conv }), rules), []);
  assert.equal(staleSettings(line(lenet, { weightDecay: rules.bp!.train.weightDecay }), rules), [`weightDecay ${rules.bp!.train.weightDecay} → ${conv}`]);
  // A parameter the rule gained since, recorded nowhere: current at its neutral value, stale at any other.
  const q = line(spec('qagrel', 'rate'));
  const qp = ((q as Extract<ResultLine, { status: 'ok' }>).record as Record<string, unknown>).ruleParams as Record<string, unknown>;
  delete qp.outputInit; delete qp.feedbackInit;
  assert.equal(rules.qagrel!.neutralParams, { feedbackInit: 1, outputInit: 1 });
  assert.equal(staleSettings(q, rules), []);
  const fa2 = line(spec('fa', 'rate'));
  delete (((fa2 as Extract<ResultLine, { status: 'ok' }>).record as Record<string, unknown>).ruleParams as Record<string, unknown>).feedback;
  assert.equal(staleSettings(fa2, rules), ['param feedback unset → "uniform"'], 'a gained parameter with no neutral value is a change');
  const qconv = line(spec('qagrel', 'rate', ['--arch', 'lenet5']));
  const qcp = ((qconv as Extract<ResultLine, { status: 'ok' }>).record as Record<string, unknown>).ruleParams as Record<string, unknown>;
  delete qcp.outputInit; delete qcp.feedbackInit;
  assert.equal(staleSettings(qconv, rules).filter((c) => c.startsWith('param')), ['param feedbackInit unset → 0', 'param outputInit unset → 0.01'], 'away from its neutral value it is a change');
  // A parameter only the spiking form reads: a rate record is current without it or at any value, a spiking one is not.
  assert.ok(rules.chl!.spikingParams?.includes('spikeGain'));
  const params = (l: ResultLine) => ((l as Extract<ResultLine, { status: 'ok' }>).record as Record<string, unknown>).ruleParams as Record<string, unknown>;
  const chlRate = line(spec('chl', 'rate'));
  delete params(chlRate).spikeGain;
  assert.equal(staleSettings(chlRate, rules), []);
  params(chlRate).spikeGain = 99;
  assert.equal(staleSettings(chlRate, rules), []);
  const chlSpiking = line(spec('chl', 'spiking'));
  delete params(chlSpiking).spikeGain;
  assert.equal(staleSettings(chlSpiking, rules).filter((c) => c.startsWith('param')), [`param spikeGain unset → ${rules.chl!.defaults.spikeGain}`]);
  const failed = { ...line(spec('fa', 'rate'), { lr: 9 }), status: 'error', error: 'x' } as unknown as ResultLine;
  assert.equal(staleSettings(failed, rules), [], 'a failed run has nothing to compare');
});

test('a stale run runs again: the sweep picks it and says why; the estimate counts it not done', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-stale-'));
  const results = join(dir, 'r.jsonl');
  const a = spec('bp', 'rate'), b = spec('fa', 'rate');
  writeFileSync(results, [line(a), line(b, { lr: 123 })].map((l) => JSON.stringify(l)).join('\n') + '\n');
  let said = '';
  const stream = { write: (s: string) => { said += s; return true; } } as unknown as NodeJS.WriteStream;
  const { todo } = pendingRuns([a, b], { resultsPath: results, stream, stale: (l) => staleSettings(l, rules) });
  assert.equal(todo.map((r) => r.rule), ['fa']);
  assert.match(said, /1 finished run made under older defaults or by another computation will run again/);
  assert.match(said, new RegExp(`lr 123 → ${rules.fa!.train.lr}`));
  assert.equal(pendingRuns([a, b], { resultsPath: results, stream }).todo, [], 'without the check both count as done');
  const e = estimateSweep([a, b], [line(a), line(b, { lr: 123 })], rules);
  assert.equal(e.runs.map((r) => r.done), [true, false]);
});

test("a sweep's report leaves a stale run out and names it with what changed", () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-stale-'));
  const results = join(dir, 'r.jsonl'), config = join(dir, 'c.json');
  writeFileSync(config, JSON.stringify({ name: 't', rules: ['bp', 'fa'], datasets: ['mnist'], depths: [1], width: 20, seeds: [1], modes: ['rate'] }));
  const [a, b] = [spec('bp', 'rate'), spec('fa', 'rate')];
  writeFileSync(results, [line(a), line(b, { 'param.feedback': 'gaussian' })].map((l) => JSON.stringify(l)).join('\n') + '\n');
  const r = spawnSync(process.execPath, [BIN, 'compare', '--config', config, '--results', results, '--report-only', '--out', dir], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.match(md, /Left out: 1 finished run made under defaults that have changed since/);
  assert.match(md, /`--rule fa [^`]*` \(param feedback "gaussian" → "uniform"\)/);
  assert.match(md, /from 1 of 2 planned runs/);
});

test('an imported run takes the place of a stale one; a current one is kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-stale-'));
  const results = join(dir, 'r.jsonl'), rec = join(dir, 'rec.json');
  const b = spec('fa', 'rate');
  const fresh = line(b) as Extract<ResultLine, { status: 'ok' }>;
  writeFileSync(rec, JSON.stringify({ ...fresh.record, testAccuracy: 0.77 }));
  const imp = () => spawnSync(process.execPath, [BIN, 'compare', '--results', results, '--import', rec, '--report-only', '--out', dir], { encoding: 'utf8' });
  writeFileSync(results, JSON.stringify(line(b, { lr: 123 })) + '\n');
  let r = imp();
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /imported 1 run /);
  const last = JSON.parse(readFileSync(results, 'utf8').trim().split('\n').pop()!);
  assert.is(last.key, b.key);
  assert.is(last.record.testAccuracy, 0.77);
  writeFileSync(results, JSON.stringify(line(b)) + '\n');
  r = imp();
  assert.match(r.stderr, /imported 0 runs .*\(1 already there\)/);
});

test.run();
