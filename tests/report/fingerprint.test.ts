// The computation fingerprint (src/train/fingerprint.ts): a digest of what a rule computes in one form on
// this build. It must be the same whenever the computation is (twice, at 1 and 2 threads, event-driven or
// dense propagation) and differ when it is not (a default, the encoder's random stream). The sweep reruns a
// finished run whose fingerprint differs from today's, keeps one that matches, and keeps but counts one
// without a fingerprint unless asked to rerun it (src/report/stale.ts, src/report/sweep.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, type Backend } from '../../src/index.js';
import { rules } from '../../src/rules/index.js';
import { ruleForm } from '../../src/rules/form.js';
import type { AnyRule } from '../../src/rules/types.js';
import { sha256Hex, Sha256 } from '../../src/core/sha256.js';
import { computationFingerprint, Fingerprints, FINGERPRINT_DIGITS } from '../../src/train/fingerprint.js';
import { staleReasons, verifyLine } from '../../src/report/stale.js';
import { pendingRuns } from '../../src/report/sweep.js';
import { estimateSweep } from '../../src/report/estimate.js';
import { ruleMeta, type RunSpec } from '../../src/report/config.js';
import type { ResultLine } from '../../src/report/results.js';

test('sha256: the FIPS 180-4 test vectors, and any split of the input gives the one-shot digest', () => {
  assert.is(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.is(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.is(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  assert.is(sha256Hex(new Uint8Array(1_000_000).fill(0x61)), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  // Every length around the padding boundaries (55, 56, 63, 64 bytes …), against node's own.
  const bytes = Uint8Array.from({ length: 200 }, (_, i) => (i * 37 + 11) & 255);
  for (let n = 0; n <= 200; n++) {
    const want = createHash('sha256').update(bytes.subarray(0, n)).digest('hex');
    assert.is(sha256Hex(bytes.subarray(0, n)), want, `${n} bytes`);
    const h = new Sha256();
    for (let i = 0; i < n; i += 7) h.update(bytes.subarray(i, Math.min(n, i + 7)));
    assert.is(h.hex(), want, `${n} bytes in pieces of 7`);
  }
});

/** Every form of every registered rule: [rule, mode, conv]. */
function forms(): [AnyRule, 'rate' | 'spiking', boolean][] {
  return Object.values(rules).flatMap((r) => (['rate', 'spiking'] as const).flatMap((mode) => [false, true].flatMap((conv) =>
    (mode === 'spiking' && !r.spiking) || (mode === 'rate' && r.spiking?.only) || (conv && !r.conv) ? [] : [[r, mode, conv] as [AnyRule, 'rate' | 'spiking', boolean]])));
}

/** The fingerprint, or the probe's error (a form that cannot train, e.g. bp's spiking convolutional BPTT). */
function fp(lib: Backend, rule: AnyRule, mode: 'rate' | 'spiking', conv: boolean, o = {}): string {
  try {
    return computationFingerprint(lib, rule, mode, conv, o);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

test('the probe: the same digest twice and at 1 and 2 threads, for every form of every rule; different forms differ', async () => {
  const one = await load({ threads: 1 }), two = await load({ threads: 2 });
  const seen = new Map<string, string>();
  for (const [rule, mode, conv] of forms()) {
    const label = `${rule.id} ${mode}${conv ? ' conv' : ''}`;
    const a = fp(one, rule, mode, conv);
    assert.is(fp(one, rule, mode, conv), a, `${label}: twice`);
    assert.is(fp(two, rule, mode, conv), a, `${label}: at 2 threads`);
    if (a.startsWith('error')) continue;
    assert.match(a, new RegExp(`^[0-9a-f]{${FINGERPRINT_DIGITS}}$`), label);
    assert.not.ok(seen.has(a), `${label} shares its digest with ${seen.get(a)}`);
    seen.set(a, label);
  }
  assert.ok(seen.size >= 40, `every form but those that cannot train has a digest (${seen.size})`);
});

test('the probe does not depend on the event/dense crossover: forced either way, the same digest', async () => {
  const lib = await load({ threads: 1 });
  // chl, eqprop and generec: their paired feedback of spike differences (two hidden layers in the probe)
  for (const [id, conv] of [['fa', false], ['bp', false], ['superspike', false], ['nef', true], ['sign', true], ['chl', false], ['eqprop', false], ['generec', false]] as const) {
    const base = fp(lib, rules[id]!, 'spiking', conv);
    assert.not.match(base, /^error/, id);
    for (const eventDensity of [0, 1]) assert.is(fp(lib, rules[id]!, 'spiking', conv, { sim: { eventDensity } }), base, `${id} eventDensity ${eventDensity}`);
  }
});

test('the probe changes when a default changes: the training recipe, a rule parameter, the spiking window', async () => {
  const lib = await load({ threads: 1 });
  const fa = rules.fa!, base = fp(lib, fa, 'rate', false), spk = fp(lib, fa, 'spiking', false);
  const copy = (over: Partial<AnyRule>): AnyRule => ({ ...fa, ...over });
  assert.is(fp(lib, copy({}), 'rate', false), base, 'a copy computes the same');
  assert.is.not(fp(lib, copy({ train: { ...fa.train, lr: fa.train.lr * 2 } }), 'rate', false), base, 'lr');
  assert.is.not(fp(lib, copy({ train: { ...fa.train, weightDecay: fa.train.weightDecay * 3 } }), 'rate', false), base, 'weight decay');
  assert.is.not(fp(lib, copy({ train: { ...fa.train, optimizer: 'sgd' } }), 'rate', false), base, 'the optimiser');
  assert.is.not(fp(lib, copy({ train: { ...fa.train, init: 'he' } }), 'rate', false), base, 'the initialisation');
  // A default the form does not read is no change of its computation (Adam has no momentum): staleSettings compares it.
  assert.is(fp(lib, copy({ train: { ...fa.train, momentum: 0.5 } }), 'rate', false), base, 'momentum under adam');
  assert.is.not(fp(lib, copy({ defaults: { ...fa.defaults, feedback: 'gaussian' } }), 'rate', false), base, 'a rule parameter');
  assert.is.not(fp(lib, fa, 'rate', false, { train: { lr: fa.train.lr * 1.001 } }), base, 'an lr a thousandth larger');
  const sim = ruleForm(fa, true).sim!;
  assert.is.not(fp(lib, copy({ spiking: { ...fa.spiking!, sim: { ...sim, maxRate: sim.maxRate! / 2 } } }), 'spiking', false), spk, 'the input rate');
  assert.is.not(fp(lib, copy({ spiking: { ...fa.spiking!, sim: { ...sim, steps: sim.steps! + 1 } } }), 'spiking', false), spk, 'the window');
  assert.is(fp(lib, copy({ spiking: { ...fa.spiking!, sim: { ...sim, maxRate: sim.maxRate! / 2 } } }), 'rate', false), base, 'a spiking default leaves the rate form alone');
  // dendrites' spiking form: its phase lengths (a presentation of hundreds of steps) reach the digest.
  const dd = rules.dendrites!, d = fp(lib, dd, 'spiking', false);
  assert.is.not(fp(lib, dd, 'spiking', false, { ruleParams: { phaseTime: dd.defaults.phaseTime + 1 } }), d, 'dendrites spiking: phaseTime');
  assert.is.not(fp(lib, dd, 'spiking', false, { ruleParams: { etaHidden: 5 } }), d, 'dendrites spiking: etaHidden');
});

test("the probe changes when the Poisson encoder's random stream does (the same kernels, another seed)", async () => {
  const lib = await load({ threads: 1 });
  // The encoder draws through these two kernels; a backend whose stream is shifted by one seed bit stands
  // for a change of the stream, made without editing the library.
  const shifted = Object.create(lib, {
    poissonStep: { value: (out: unknown, x: unknown, p: number, seed: number, w: number, t: number) => lib.poissonStep(out as never, x as never, p, seed ^ 1, w, t) },
    poissonSparseStep: { value: (rows: number, f: number, lit: unknown, seed: number, w: number, t: number, o: number, lists: unknown) => lib.poissonSparseStep(rows, f, lit as never, seed ^ 1, w, t, o, lists as never) },
  }) as Backend;
  for (const id of ['fa', 'bp', 'superspike']) {
    assert.is(ruleForm(rules[id]!, true).sim!.encoder ?? 'poisson', 'poisson', `${id} encodes with Poisson spikes`);
    assert.is.not(fp(shifted, rules[id]!, 'spiking', false), fp(lib, rules[id]!, 'spiking', false), `${id} spiking`);
  }
  assert.is(fp(shifted, rules.fa!, 'rate', false), fp(lib, rules.fa!, 'rate', false), 'a rate run draws no spikes');
});

test('Fingerprints: one probe per form however many ask; null for an unknown rule or a form it lacks', async () => {
  const f = new Fingerprints(await load({ threads: 1 }), rules);
  const a = f.of('fa', 'rate', false);
  for (let i = 0; i < 5; i++) assert.is(f.of('fa', 'rate', false), a);
  assert.is(f.probes, 1);
  assert.is(f.of('nope', 'rate', false), null);
  assert.is(f.of('bp', 'rate', true) === f.of('bp', 'rate', false), false, 'the convolutional form is its own');
  assert.is(f.of('chl', 'rate', true), null, 'chl has no convolutional form');
});

// Sweep lines: the record `bioprop train` writes, with a fingerprint or without.
function spec(rule: string, mode: 'rate' | 'spiking', seed = 1): RunSpec {
  const argv = ['--rule', rule, '--dataset', 'mnist', '--hidden', '20', '--seed', String(seed), ...(mode === 'spiking' ? ['--spiking'] : [])];
  return { key: argv.join(' '), rule, dataset: 'mnist', depth: 1, width: 20, mode, seed, argv };
}
function line(s: RunSpec, fingerprint?: string): ResultLine {
  const rule = rules[s.rule]!, form = ruleForm(rule, s.mode === 'spiking'), t = form.train;
  const record = {
    rule: s.rule, dataset: 'mnist', hidden: [20], spiking: form.spiking, activation: t.activation, epochs: t.epochs, batch: t.batch, lr: t.lr,
    optimizer: t.optimizer, momentum: t.momentum, weightDecay: t.weightDecay, schedule: t.schedule, init: t.init, ruleParams: { ...rule.defaults },
    seed: s.seed, testAccuracy: 0.9, trainAccuracy: 0.9, seconds: 10, cancelled: false, history: [{ epoch: 1, cpuSeconds: 10 }],
    ...(fingerprint !== undefined ? { fingerprint } : {}),
  };
  return { key: s.key, status: 'ok', run: { ...s }, meta: ruleMeta(rule), record: record as never, wallSeconds: 10, finishedAt: '2026-01-01T00:00:00Z' } as ResultLine;
}

test('the sweep reruns a run whose fingerprint differs, keeps one that matches, keeps one without unless asked; the estimate agrees', async () => {
  const f = new Fingerprints(await load({ threads: 1 }), rules);
  const today = (r: string, m: 'rate' | 'spiking', c: boolean) => f.of(r, m, c);
  const [right, wrong, none] = [spec('fa', 'rate', 1), spec('fa', 'rate', 2), spec('fa', 'spiking', 3)];
  const now = f.of('fa', 'rate', false)!;
  const lines = [line(right, now), line(wrong, 'a1b2c3d4e5f6'), line(none)];
  assert.equal(lines.map((l) => verifyLine(l, today).status), ['verified', 'changed', 'unfingerprinted']);
  const results = join(mkdtempSync(join(tmpdir(), 'bioprop-fp-')), 'r.jsonl');
  writeFileSync(results, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  for (const rerunUnfingerprinted of [false, true]) {
    let said = '';
    const stream = { write: (s: string) => { said += s; return true; } } as unknown as NodeJS.WriteStream;
    const stale = (l: ResultLine) => staleReasons(l, rules, { today, rerunUnfingerprinted });
    const { todo } = pendingRuns([right, wrong, none], { resultsPath: results, stream, stale });
    assert.equal(todo.map((r) => r.seed), rerunUnfingerprinted ? [2, 3] : [2]);
    assert.match(said, `fa mnist 1×20 rate seed 2: computation changed (fingerprint a1b2c3d4e5f6 -> ${now})`);
    assert.is(said.includes('made before fingerprints (--rerun-unfingerprinted)'), rerunUnfingerprinted);
    const e = estimateSweep([right, wrong, none], lines, rules, [], { stale });
    assert.equal(e.runs.filter((r) => !r.done).map((r) => r.key), todo.map((r) => r.key), 'the estimate counts what the sweep runs');
  }
  // Probed once per form, not per line.
  assert.is(f.probes, 1);
});

test.run();
