// `bioprop train --arch lenet5` with fa, dfa and sign takes each rule's convolutional defaults
// (Rule.convDefaults) for every setting the flags leave open, and the same command with dense layers
// keeps the dense defaults.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rules } from '../../src/rules/index.js';
import { ruleDefaults } from '../../src/rules/form.js';
import type { TrainDefaults } from '../../src/rules/types.js';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bioprop-conv-defaults-'));

/** The run record of a one-epoch, 100-example run of `rule` with the hidden layers `layers`. */
function record(rule: string, layers: string[]) {
  const out = join(dir, `${rule}-${layers.join('')}.json`);
  const r = spawnSync(process.execPath, [BIN, 'train', '--rule', rule, ...layers, '--limit', '100', '--test-limit', '100', '--epochs', '1', '--out', out, '--quiet'],
    { encoding: 'utf8', timeout: 300_000, env: { ...process.env, BIOPROP_THREADS: '1' } });
  assert.is(r.status, 0, `${rule} ${layers.join(' ')}: ${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
}

/** The settings a record holds that a rule's training defaults give (epochs is the flag's here). */
const KEYS = ['optimizer', 'lr', 'momentum', 'weightDecay', 'schedule', 'activation', 'init', 'batch'] as const;
const pick = (o: Partial<Record<string, unknown>>) => Object.fromEntries(KEYS.map((k) => [k, o[k]]));

for (const id of ['fa', 'dfa', 'sign']) {
  test(`${id}: --arch lenet5 trains with its convolutional defaults, --hidden with its dense ones`, () => {
    const rule = rules[id]!, cd = rule.convDefaults;
    assert.ok(cd?.train, `${id} has convolutional training defaults`);
    const want: TrainDefaults = { ...rule.train, ...cd.train };
    const conv = record(id, ['--arch', 'lenet5']);
    assert.equal(pick(conv), pick(want as unknown as Record<string, unknown>));
    assert.equal(conv.ruleParams, ruleDefaults(rule, true));
    assert.is.not(conv.lr, rule.train.lr, 'a step that differs from the dense one');
    const dense = record(id, ['--hidden', '16']);
    assert.equal(pick(dense), pick(rule.train as unknown as Record<string, unknown>));
    assert.equal(dense.ruleParams, ruleDefaults(rule, false));
  });
}

test('nef: a convolutional network is tested spiking over its convolutional window, a dense one over the dense window', () => {
  const sim = rules.nef!.convDefaults?.spiking?.sim;
  assert.ok(sim?.steps, 'nef has a convolutional window');
  assert.is.not(sim.steps, rules.nef!.spiking!.sim!.steps, 'a window that differs from the dense one');
  assert.is(record('nef', ['--arch', 'lenet5avg']).steps, sim.steps);
  assert.is(record('nef', ['--hidden', '16']).steps, rules.nef!.spiking!.sim!.steps);
});

test.run();
