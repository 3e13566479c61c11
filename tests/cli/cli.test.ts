// The CLI as a user runs it: child processes of bin/bioprop.js.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rules } from '../../src/rules/index.js';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const noStack = (s: string) => assert.not.match(s, /\n\s+at /, 'no stack trace');

test('bad input: unknown command, rule, flag and values exit non-zero with one clear line', () => {
  for (const [args, re] of [
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['train', '--rule', 'nope'], /unknown rule 'nope' \(registered: bp/],
    [['train', '--epochs', 'ten'], /--epochs must be an integer/],
    [['train', '--hidden', '256,x'], /--hidden must be a comma-separated list/],
    [['train', '--dataset', 'cifar'], /--dataset must be one of mnist, fashion-mnist/],
    [['train', '--lr', '0'], /--lr must be a positive number/],
    [['train', '--bogus'], /Unknown option '--bogus'/],
    [['train', '--param', 'beta=1'], /rule 'bp' has no parameter 'beta'/],
    [['eval'], /--load FILE is required/],
    [['train', '--rule', 'dendrites', '--spiking', '--steps', '10'], /--steps does not apply to 'dendrites'/],
    // a negative value after a space gets the value's own message, as with '='
    [['train', '--lr', '-1'], /--lr must be a positive number, got '-1'/],
    [['train', '--lr=-1'], /--lr must be a positive number, got '-1'/],
    [['train', '--momentum', '-0.5'], /--momentum must be in \[0, 1\), got '-0.5'/],
    [['train', '--epochs', '-3'], /--epochs must be an integer in \[1, 100000\], got '-3'/],
    [['compare', '--preset', 'quick', '--workers', '-1'], /--workers must be an integer in \[0, 256\], got '-1'/],
    [['eval', '--load', 'x', '--batch', '-5'], /--batch must be an integer in \[1, 65536\], got '-5'/],
    // an empty hidden list is refused; 'none' spells no hidden layer
    [['train', '--hidden', ''], /--hidden is empty; give sizes such as 256,256,256 \(or 'none' for no hidden layer\)/],
    [['train', '--hidden', ' '], /--hidden is empty/],
  ] as const) {
    const r = run(...args);
    assert.ok(r.code === 2, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.err, re);
    noStack(r.err);
  }
});

test('missing files: eval of a missing network and Fashion-MNIST from an empty folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-cli-'));
  const a = run('eval', '--load', join(dir, 'none.bioprop'));
  assert.is(a.code, 1);
  assert.match(a.err, /network file not found/);
  noStack(a.err);
  const b = run('train', '--dataset', 'fashion-mnist', '--data-dir', dir, '--epochs', '1');
  assert.is(b.code, 1);
  assert.match(b.err, /Fashion-MNIST not found in .*dataset-fashion-mnist/s);
  noStack(b.err);
});

test('rules lists bp with its paper and the objection table; --json parses', () => {
  const r = run('rules');
  assert.is(r.code, 0);
  assert.match(r.out, /bp\s+Backpropagation/);
  assert.match(r.out, /Rumelhart/);
  const j = JSON.parse(run('rules', '--json').out) as { id: string; objections: Record<string, string> }[];
  const bp = j.find((x) => x.id === 'bp')!;
  assert.equal(bp.objections, { weightTransport: 'required', derivativeTransport: 'required', linearFeedback: 'required', spiking: 'required', timing: 'required', target: 'required' });
  const fa = j.find((x) => x.id === 'fa') as unknown as { spikingParts: Record<string, string> };
  assert.equal(Object.keys(fa.spikingParts), ['forward', 'feedback', 'error', 'update']);
  const q = j.find((x) => x.id === 'qagrel') as unknown as { convDefaults: unknown };
  assert.equal(q.convDefaults, JSON.parse(JSON.stringify(rules.qagrel!.convDefaults)), 'what --arch with convolutions changes');
});

test('rules --spiking says, per rule, what is spiking in each part of learning', () => {
  const r = run('rules', '--spiking');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^erbp — .*\n  forward +LIF spikes.*\n  feedback .*\n  error +Graded.*\n  update +Event-driven/m);
});

test("spiking runs take the rule's spiking training defaults, however spiking is asked for (dendrites: batch 5)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-cli-'));
  const batchOf = (name: string, ...args: string[]) => {
    const out = join(dir, `${name}.json`);
    const r = run('train', '--rule', 'dendrites', '--hidden', '8', '--limit', '40', '--test-limit', '10', '--epochs', '1', '--param', 'testTime=20', '--param', 'testWindow=10', ...args, '--out', out, '--quiet');
    assert.is(r.code, 0, r.err);
    return (JSON.parse(readFileSync(out, 'utf8')) as { batch: number }).batch;
  };
  assert.is(batchOf('rate'), 20);
  assert.is(batchOf('flag', '--spiking'), 5);
  assert.is(batchOf('param', '--param', 'spiking=true'), 5);
  assert.is(batchOf('explicit', '--spiking', '--batch', '7'), 7);
});

test('train on real MNIST (small slice) → --out record and --save file; eval reloads it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-cli-'));
  const out = join(dir, 'run.json'), save = join(dir, 'net.bioprop');
  const r = run('train', '--rule', 'bp', '--hidden', '64', '--epochs', '2', '--limit', '3000', '--seed', '1', '--out', out, '--save', save);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /epoch 1\/2 .*test \d+\.\d+%/);
  const rec = JSON.parse(readFileSync(out, 'utf8'));
  for (const key of ['rule', 'dataset', 'hidden', 'activation', 'spiking', 'epochs', 'batch', 'lr', 'seed', 'testAccuracy', 'trainAccuracy', 'seconds', 'history', 'version']) {
    assert.ok(key in rec, `record has ${key}`);
  }
  assert.is(rec.history.length, 2);
  assert.ok(rec.testAccuracy > 0.8, `accuracy after 2 epochs on 3000 examples: ${rec.testAccuracy}`);
  assert.ok(existsSync(save));
  const e = run('eval', '--load', save, '--json');
  assert.is(e.code, 0, e.err);
  const ev = JSON.parse(e.out);
  assert.is(ev.examples, 10000);
  // the same weights on the same test set: the same accuracy as the run reported
  assert.is(ev.testAccuracy, rec.testAccuracy);
  const steps = run('eval', '--load', save, '--steps', '50');
  assert.is(steps.code, 2);
  assert.match(steps.err, /--steps sets a spiking network's window, and .*net\.bioprop holds a rate network/);
  const enc = run('eval', '--load', save, '--encoder', 'rate');
  assert.is(enc.code, 2);
  assert.match(enc.err, /--encoder sets a spiking network's input code, and .*net\.bioprop holds a rate network/);
  noStack(steps.err + enc.err);
});

test('eval of a spiking run: rebuilt spiking (--rate: the same weights as rate); a rule with its own neurons is a clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-cli-'));
  const save = join(dir, 'spk.bioprop'), own = join(dir, 'dend.bioprop');
  const r = run('train', '--rule', 'dfa', '--spiking', '--steps', '20', '--max-rate', '200', '--hidden', '16', '--epochs', '1', '--limit', '500', '--test-limit', '100', '--save', save, '--quiet');
  assert.is(r.code, 0, r.err);
  const spk = run('eval', '--load', save);
  assert.is(spk.code, 0, spk.err);
  assert.match(spk.out, /dfa 784-16-10 spiking \(lif, 20 steps of 0\.001 s, poisson at 200 Hz\)/);
  const rate = run('eval', '--load', save, '--json', '--rate');
  assert.is(rate.code, 0, rate.err);
  assert.is(JSON.parse(rate.out).spiking, false);
  const d = run('train', '--rule', 'dendrites', '--spiking', '--hidden', '8', '--epochs', '1', '--limit', '40', '--test-limit', '10', '--save', own, '--quiet');
  assert.is(d.code, 0, d.err);
  const e = run('eval', '--load', own);
  assert.is(e.code, 2);
  assert.match(e.err, /trained with dendrites's own spiking neurons.*pass --rate/);
  noStack(e.err);
});

test("eval --rate of nef runs nef's own rate network (soft-LIF on a shifted, scaled input): the accuracy the run reported for it", () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-cli-'));
  const save = join(dir, 'nef.bioprop'), out = join(dir, 'nef.json');
  // the whole test set, as eval reads it, and eval's rows per pass equal to the run's batch
  const r = run('train', '--rule', 'nef', '--hidden', '16', '--epochs', '1', '--limit', '500', '--seed', '1', '--save', save, '--out', out, '--quiet');
  assert.is(r.code, 0, r.err);
  const rec = JSON.parse(readFileSync(out, 'utf8'));
  const e = run('eval', '--load', save, '--json', '--rate', '--batch', String(rec.batch));
  assert.is(e.code, 0, e.err);
  const ev = JSON.parse(e.out);
  assert.is(ev.spiking, false);
  assert.is(ev.testAccuracy, rec.rateTestAccuracy);
  const text = run('eval', '--load', save, '--rate', '--batch', String(rec.batch));
  assert.match(text.out, /nef 784-16-10 rate \(nef's own rate network\)/);
  // --steps: the same spiking network given another window; refused where it cannot apply, before any work
  const longer = run('eval', '--load', save, '--steps', '150');
  assert.is(longer.code, 0, longer.err);
  assert.match(longer.out, /nef 784-16-10 spiking \(lif, 150 steps of 0\.001 s, poisson at 200 Hz\)/);
  const short = run('eval', '--load', save, '--steps', '20');
  assert.is(short.code, 2);
  assert.match(short.err, /--steps must be more than the step the readout starts at \(20, as .*nef\.bioprop was trained\), got 20/);
  const both = run('eval', '--load', save, '--steps', '150', '--rate');
  assert.is(both.code, 2);
  assert.match(both.err, /--steps sets a spiking network's window; --rate runs the network without one/);
  noStack(short.err + both.err);
  // --encoder and --readout-start: the same weights, another input code or readout; a deterministic input
  // code gives the same accuracy on every pass
  const det = [1, 2].map(() => run('eval', '--load', save, '--json', '--encoder', 'rate', '--readout-start', '40'));
  for (const d of det) assert.is(d.code, 0, d.err);
  assert.is(JSON.parse(det[0]!.out).testAccuracy, JSON.parse(det[1]!.out).testAccuracy);
  const named = run('eval', '--load', save, '--encoder', 'rate', '--steps', '150');
  assert.match(named.out, /nef 784-16-10 spiking \(lif, 150 steps of 0\.001 s, rate at 200 Hz\)/);
  const late = run('eval', '--load', save, '--readout-start', '100');
  assert.is(late.code, 2);
  assert.match(late.err, /--readout-start must be less than the window \(100 steps, as .*nef\.bioprop was trained\), got 100/);
  const crossed = run('eval', '--load', save, '--steps', '60', '--readout-start', '60');
  assert.is(crossed.code, 2);
  assert.match(crossed.err, /--steps must be more than --readout-start \(60\), got 60/);
  const code = run('eval', '--load', save, '--encoder', 'morse');
  assert.is(code.code, 2);
  assert.match(code.err, /--encoder/);
  const rateEnc = run('eval', '--load', save, '--encoder', 'rate', '--rate');
  assert.is(rateEnc.code, 2);
  assert.match(rateEnc.err, /--encoder sets a spiking network's input code; --rate runs the network without one/);
  noStack(late.err + crossed.err + code.err + rateEnc.err);
});

test.run();
