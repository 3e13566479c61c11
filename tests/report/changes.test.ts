// A regenerated report set against an earlier one: which cells moved by more than their seed spread.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cellChanges, changesMarkdown } from '../../src/report/changes.js';
import { stat, type Group } from '../../src/report/summary.js';
import type { ResultLine } from '../../src/report/results.js';

function group(rule: string, depth: number, mode: 'rate' | 'spiking', accs: number[], dataset: 'mnist' | 'fashion-mnist' = 'mnist'): Group {
  return { rule, dataset, depth, width: 256, mode, accuracy: stat(accs), failed: 0, epochSeconds: 1, trainExamples: 60000, spiking: mode === 'spiking', works: true };
}

test('a cell moves when its mean changes by more than the larger seed sd of the two cells, and not otherwise', () => {
  // sd of [0.97, 0.98, 0.99] is 0.01: a change of 0.011 is more than one sd, 0.009 is not.
  const before = [group('fa', 3, 'rate', [0.97, 0.98, 0.99]), group('dfa', 3, 'rate', [0.97, 0.98, 0.99])];
  const after = [group('fa', 3, 'rate', [0.981, 0.991, 1.001]), group('dfa', 3, 'rate', [0.979, 0.989, 0.999])];
  const ch = cellChanges(before, after);
  const fa = ch.cells.find((c) => c.rule === 'fa')!, dfa = ch.cells.find((c) => c.rule === 'dfa')!;
  assert.ok(Math.abs(fa.delta - 0.011) < 1e-12 && Math.abs(fa.sd! - 0.01) < 1e-12, `fa delta ${fa.delta}, sd ${fa.sd}`);
  assert.is(fa.changed, true);
  assert.is(fa.sdFrom, 'cell');
  assert.is(dfa.changed, false);
  // The larger spread of the two sides counts: a noisier new cell absorbs the same change.
  const noisy = cellChanges([group('fa', 3, 'rate', [0.97, 0.98, 0.99])], [group('fa', 3, 'rate', [0.961, 0.991, 1.021])]);
  assert.is(noisy.cells[0]!.changed, false);
  assert.ok(Math.abs(noisy.cells[0]!.sd! - 0.03) < 1e-12);
});

test('a cell of one seed is judged by the spread of the same rule and mode at another depth; with none it is not judged', () => {
  const before = [group('bp', 3, 'rate', [0.98, 0.982, 0.984]), group('bp', 1, 'rate', [0.975]), group('chl', 1, 'rate', [0.97])];
  const after = [group('bp', 3, 'rate', [0.98, 0.982, 0.984]), group('bp', 1, 'rate', [0.97]), group('chl', 1, 'rate', [0.90]), group('bp', 1, 'spiking', [0.96])];
  const ch = cellChanges(before, after);
  const bp1 = ch.cells.find((c) => c.rule === 'bp' && c.depth === 1)!;
  assert.is(bp1.sdFrom, 'rule');
  assert.ok(Math.abs(bp1.sd! - 0.002) < 1e-12);
  assert.is(bp1.changed, true, 'a 0.5-point drop against a 0.2-point seed spread');
  const chl = ch.cells.find((c) => c.rule === 'chl')!;
  assert.is(chl.sd, null);
  assert.is(chl.changed, false);
  assert.equal(ch.added, [{ rule: 'bp', dataset: 'mnist', depth: 1, width: 256, mode: 'spiking' }]);
  assert.equal(ch.dropped, []);
  const md = changesMarkdown(ch, 'old.jsonl');
  assert.match(md, /## Changes from old\.jsonl/);
  assert.match(md, /3 cells are in both reports: 1 moved by more than one standard deviation of their seeds, 1 did not, 1 could not be judged/);
  assert.match(md, /\| bp mnist 1×256 rate \| 97\.50 \(1\) \| 97\.00 \(1\) \| -0\.50 \| 0\.20 \| the rule's seeds at another depth \|/);
  assert.match(md, /Not judged: chl mnist 1×256 rate \(-7\.00\)/);
  assert.match(md, /1 cells are new, 0 are no longer in the report/);
});

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
function okLine(rule: string, seed: number, acc: number): ResultLine {
  const argv = ['--rule', rule, '--dataset', 'mnist', '--hidden', '8', '--seed', String(seed)];
  return {
    key: argv.join(' '), status: 'ok', run: { rule, dataset: 'mnist', depth: 1, width: 8, mode: 'rate', seed, argv },
    meta: { id: rule, title: rule, cite: '', removes: [], partly: [], spiking: false }, wallSeconds: 1, finishedAt: '2025-01-01T00:00:00Z',
    record: { rule, dataset: 'mnist', hidden: [8], spiking: false, epochs: 1, seed, testAccuracy: acc, trainAccuracy: acc, seconds: 1, cancelled: false,
      history: [{ epoch: 1, trainLoss: 1, trainAccuracy: acc, testAccuracy: acc, testLoss: 1, lr: 0.1, seconds: 1 }] },
  } as ResultLine;
}

test('compare --changes-from writes the section and report.json changes; a missing file is refused before anything is written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-changes-'));
  const jsonl = (ls: ResultLine[]) => ls.map((l) => JSON.stringify(l)).join('\n') + '\n';
  writeFileSync(join(dir, 'old.jsonl'), jsonl([okLine('bp', 1, 0.90), okLine('bp', 2, 0.91)]));
  writeFileSync(join(dir, 'new.jsonl'), jsonl([okLine('bp', 1, 0.95), okLine('bp', 2, 0.96)]));
  const run = (args: string[]) => spawnSync(process.execPath, [cli, 'compare', '--report-only', '--results', join(dir, 'new.jsonl'), ...args], { encoding: 'utf8' });
  const bad = run(['--out', join(dir, 'never'), '--changes-from', join(dir, 'missing.jsonl')]);
  assert.is(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--changes-from .*missing\.jsonl: no such results file/);
  assert.not.match(bad.stderr, /\n\s+at /, 'no stack trace');
  const good = run(['--out', join(dir, 'rep'), '--changes-from', join(dir, 'old.jsonl')]);
  assert.is(good.status, 0, good.stderr);
  const md = readFileSync(join(dir, 'rep', 'report.md'), 'utf8');
  assert.match(md, /## Changes from old\.jsonl/);
  assert.match(md, /\| bp mnist 1×8 rate \| 90\.50 \(2\) \| 95\.50 \(2\) \| \+5\.00 \| 0\.71 \| the cell's seeds \|/);
  const json = JSON.parse(readFileSync(join(dir, 'rep', 'report.json'), 'utf8'));
  assert.is(json.changes.from, 'old.jsonl');
  assert.is(json.changes.cells.length, 1);
  assert.is(json.changes.cells[0].changed, true);
});

test.run();
