// Resumable training: a run saved after epoch k and resumed on a brand-new network and trainer ends
// bit-identical to the run that was never interrupted, for every registered rule (rate and spiking
// forms); a state that does not fit, or a damaged file, is refused with a clear error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../../src/backend.js';
import { backend } from '../helpers/setup.js';
import { blobs } from '../helpers/synthetic.js';
import { rules } from '../../src/rules/index.js';
import { ruleCases as cases, buildCase, params, type RuleCase as Case } from '../helpers/rule-cases.js';
import { Network } from '../../src/net/network.js';
import { Trainer, type TrainerOptions } from '../../src/train/trainer.js';
import type { TrainingState } from '../../src/train/resume.js';
import type { EpochRecord } from '../../src/train/history.js';
import { encodeTrainingState, decodeTrainingState } from '../../src/io/training-state.js';
import { encodeCheckpoint, networkFromCheckpoint } from '../../src/io/checkpoint.js';
import { writeFileAtomicSync } from '../../src/io/file.js';
import type { Dataset } from '../../src/data/dataset.js';

const EPOCHS = 3;

function build(lib: Backend, c: Case, o: TrainerOptions = {}) {
  // alignEvery 3 with 5 batches per epoch: the measurement cadence runs across epoch boundaries.
  return buildCase(lib, c, EPOCHS, { alignEvery: 3, ...o });
}

const noSeconds = (h: EpochRecord[]) => h.map(({ seconds: _s, cpuSeconds: _c, ...r }) => r);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Asserts two states are the same run at the same point (everything but wall-clock times). */
function assertSameState(a: TrainingState, b: TrainingState, what: string): void {
  assert.is(a.epoch, b.epoch, `${what}: epoch`);
  assert.is(a.tensors.length, b.tensors.length, `${what}: workspace tensors`);
  a.tensors.forEach((t, i) => assert.ok(sameBytes(t.bytes, b.tensors[i]!.bytes), `${what}: workspace tensor ${i} [${t.shape.join(', ')}] differs`));
  assert.equal(a.rng, b.rng, `${what}: trainer Rng`);
  assert.is(a.optimizerSteps, b.optimizerSteps, `${what}: optimiser steps`);
  assert.is(a.alignSteps, b.alignSteps, `${what}: alignment steps`);
  assert.is(a.batcherSeed, b.batcherSeed, `${what}: batcher seed`);
  assert.equal(noSeconds(a.history), noSeconds(b.history), `${what}: history`);
  const counters = (s: TrainingState) => (s.sim ? { ...s.sim, simSeconds: 0 } : null);
  assert.equal(counters(a), counters(b), `${what}: simulator counters`);
  const rule = (v: unknown) => (v && typeof v === 'object' && 'simSeconds' in v ? { ...v, simSeconds: 0 } : v);
  assert.equal(rule(a.rule), rule(b.rule), `${what}: rule's JS-side state`);
}


let data: { train: Dataset; test: Dataset } | null = null;
async function setup() {
  const lib = await backend();
  // 90 examples in batches of 20: a partial last batch every epoch.
  data ??= { train: blobs(lib, 90, 1), test: blobs(lib, 40, 2) };
  return { lib, ...data };
}

for (const c of cases()) {
  test(`${c.name}: ${EPOCHS} epochs straight = 1 epoch, saved to bytes, restored on a new network and trainer, ${EPOCHS - 1} more`, async () => {
    const { lib, train, test: testSet } = await setup();
    const straight = build(lib, c);
    const rs = straight.trainer.fit(train, { epochs: EPOCHS, test: testSet });
    const end = straight.trainer.snapshot();
    const w = params(straight.net);
    const metrics = c.rule.record?.metrics?.(straight.trainer.state);
    straight.net.dispose();

    const first = build(lib, c);
    first.trainer.fit(train, { epochs: 1, test: testSet });
    const bytes = encodeTrainingState(first.trainer);
    first.net.dispose();

    const second = build(lib, c);
    second.trainer.restore(decodeTrainingState(bytes, 'state.bin').state, 'state.bin');
    const r = second.trainer.fit(train, { epochs: EPOCHS, test: testSet });
    assert.is(r.resumedFrom, 1);
    assert.is(r.history.length, EPOCHS);
    assert.equal(noSeconds(r.history), noSeconds(rs.history), 'the returned history covers every epoch, the same');
    assert.equal(params(second.net), w, 'final weights bit-identical');
    assertSameState(second.trainer.snapshot(), end, c.name);
    assert.equal(c.rule.record?.metrics?.(second.trainer.state), metrics, 'rule metrics');
    second.net.dispose();
  });
}

test('a state taken in onEpoch equals the state after fit() of that many epochs; resuming at 0 and at the end', async () => {
  const { lib, train, test: testSet } = await setup();
  const c: Case = { name: 'qagrel', rule: rules.qagrel!, spiking: null, ruleParams: {} };
  const a = build(lib, c);
  const at: TrainingState[] = [];
  a.trainer.fit(train, { epochs: EPOCHS, test: testSet, onEpoch: () => at.push(a.trainer.snapshot()) });
  const end = a.trainer.snapshot();
  a.net.dispose();
  const b = build(lib, c);
  const before = b.trainer.snapshot(); // before any fit: a fresh run, the batcher seed still to draw
  assert.is(before.epoch, 0);
  assert.is(before.batcherSeed, null);
  b.trainer.fit(train, { epochs: 2, test: testSet });
  assertSameState(b.trainer.snapshot(), at[1]!, 'after fit(2)');
  b.net.dispose();
  // Resumed from the state taken before fit: the whole run, the same.
  const fresh = build(lib, c);
  const start = encodeTrainingState(fresh.trainer);
  fresh.net.dispose();
  const c0 = build(lib, c);
  c0.trainer.restore(decodeTrainingState(start).state);
  c0.trainer.fit(train, { epochs: EPOCHS, test: testSet });
  assertSameState(c0.trainer.snapshot(), end, 'resumed at epoch 0');
  c0.net.dispose();
  // A finished run resumed again: nothing left to train, the history is reported as it was.
  const d = build(lib, c);
  d.trainer.restore(end);
  const r = d.trainer.fit(train, { epochs: EPOCHS, test: testSet });
  assert.is(r.resumedFrom, EPOCHS);
  assert.equal(noSeconds(r.history), noSeconds(end.history));
  assertSameState(d.trainer.snapshot(), end, 'finished run');
  d.net.dispose();
});

test('the comparison can fail: each piece of the state is needed (Rng, optimiser steps, tensors, batcher seed)', async () => {
  const { lib, train, test: testSet } = await setup();
  // qagrel draws its actions from the trainer's Rng; fa trains with Adam (bias correction reads t).
  const run = (id: string, tamper: (s: TrainingState) => void) => {
    const c: Case = { name: id, rule: rules[id]!, spiking: null, ruleParams: {} };
    const a = build(lib, c);
    a.trainer.fit(train, { epochs: EPOCHS, test: testSet });
    const w = params(a.net);
    a.net.dispose();
    const b = build(lib, c);
    b.trainer.fit(train, { epochs: 1, test: testSet });
    const s = b.trainer.snapshot();
    b.net.dispose();
    const good = build(lib, c), bad = build(lib, c);
    good.trainer.restore(s);
    const t = structuredClone(s);
    tamper(t);
    bad.trainer.restore(t);
    good.trainer.fit(train, { epochs: EPOCHS, test: testSet });
    bad.trainer.fit(train, { epochs: EPOCHS, test: testSet });
    assert.equal(params(good.net), w, `${id}: the untampered state resumes exactly`);
    assert.not.equal(params(bad.net), w, `${id}: the tampered state must not`);
    good.net.dispose();
    bad.net.dispose();
  };
  run('qagrel', (s) => { s.rng = [1, 2, 3, 4]; });
  run('fa', (s) => { s.optimizerSteps = 0; });
  run('bp', (s) => { s.batcherSeed = (s.batcherSeed! + 1) | 0; });
  // The workspace as a fresh network has it (what a restore that skipped the tensors would leave).
  const fresh = build(lib, { name: 'bp', rule: rules.bp!, spiking: null, ruleParams: {} });
  const freshTensors = fresh.trainer.snapshot().tensors;
  const weightIndex = new Set(fresh.net.layers.flatMap((l) => [l.W, l.b]).map((t) => fresh.net.ws.tensors.indexOf(t)));
  fresh.net.dispose();
  run('bp', (s) => { s.tensors = freshTensors; });
  // Only the weights and biases restored (what a network file holds): SGD's velocity is missing.
  run('bp', (s) => { s.tensors = s.tensors.map((t, i) => (weightIndex.has(i) ? t : freshTensors[i]!)); });
});

test('restoring onto another configuration is a clear error listing what differs, and changes nothing', async () => {
  const { lib, train } = await setup();
  const c: Case = { name: 'bp', rule: rules.bp!, spiking: null, ruleParams: {} };
  const a = build(lib, c);
  a.trainer.fit(train, { epochs: 1 });
  const s = a.trainer.snapshot();
  a.net.dispose();
  const other = (o: TrainerOptions, re: RegExp) => {
    const b = build(lib, c, o);
    const w = params(b.net);
    assert.throws(() => b.trainer.restore(s, 'run.state'), re);
    assert.equal(params(b.net), w, 'weights untouched by a refused restore');
    b.net.dispose();
  };
  other({ lr: 0.1 }, /run\.state: cannot resume: it was saved by a run with other settings: lr 0\.1 here, 0\.05 in the state/);
  other({ seed: 99 }, /seed 99 here, 7 in the state/);
  other({ optimizer: 'adam', schedule: 'constant' }, /optimizer "adam" here, "sgd" in the state; schedule "constant" here, "cosine" in the state/);
  other({ epochs: 5 }, /epochs 5 here, 3 in the state/);
  const fa = build(lib, { ...c, rule: rules.fa! });
  assert.throws(() => fa.trainer.restore(s, 'run.state'), /rule "fa" here, "bp" in the state/);
  fa.net.dispose();
  const wide = new Network(lib, { sizes: [20, 16, 8, 4], activation: 'relu', init: 'he', batch: 20, seed: 7 });
  assert.throws(() => new Trainer(lib, wide, 'bp', { epochs: EPOCHS, alignEvery: 3 }).restore(s), /network\.sizes \[20,16,8,4\] here, \[20,12,8,4\] in the state/);
  wide.dispose();
  // The same settings but another workspace layout (a different build): count and shapes are checked.
  const b = build(lib, c);
  const fewer = { ...s, tensors: s.tensors.slice(1) };
  assert.throws(() => b.trainer.restore(fewer, 'run.state'), /holds \d+ workspace tensors, this network, rule and optimiser have \d+/);
  const reshaped = { ...s, tensors: s.tensors.map((t, i) => (i === 0 ? { shape: [400], bytes: t.bytes } : t)) };
  assert.throws(() => b.trainer.restore(reshaped, 'run.state'), /run\.state: cannot resume: workspace tensor 0 is \[400\] in the state, \[20, 20\] here/);
  assert.throws(() => b.trainer.restore({ ...s, rng: [0, 0, 0, 0] }, 'run.state'), /run\.state: cannot resume: rng\.setState: the state must not be all zero/);
  b.net.dispose();
});

test('a state saved before the rule had a parameter resumes when this run holds its neutral value, and only then; a rate run ignores spiking-only parameters', async () => {
  const { lib, train } = await setup();
  const saveOld = (c: Case, drop: string[]) => {
    const a = build(lib, c);
    a.trainer.fit(train, { epochs: 1 });
    const s = a.trainer.snapshot();
    a.net.dispose();
    // The state as an older build wrote it: the parameters absent from its settings.
    const older = { ...s.config.ruleParams };
    for (const k of drop) delete older[k];
    return { ...s, config: { ...s.config, ruleParams: older } };
  };
  const q: Case = { name: 'qagrel', rule: rules.qagrel!, spiking: null, ruleParams: {} };
  const [k, v] = Object.entries(rules.qagrel!.neutralParams ?? {})[0] ?? [];
  assert.ok(k !== undefined, 'qagrel declares a neutral parameter');
  const old = saveOld(q, [k!]);
  const same = build(lib, q);
  same.trainer.restore(old, 'old.state');
  assert.is(same.trainer.snapshot().epoch, 1);
  same.net.dispose();
  const moved = build(lib, { ...q, ruleParams: { [k!]: (v as number) + 1 } });
  assert.throws(() => moved.trainer.restore(old, 'old.state'), new RegExp(`ruleParams\\.${k} ${(v as number) + 1} here, unset in the state`));
  moved.net.dispose();
  // chl's rate form never reads spikeGain: a rate state without it, or with another value, is the same run.
  const c: Case = { name: 'chl', rule: rules.chl!, spiking: null, ruleParams: {} };
  assert.ok(rules.chl!.spikingParams?.includes('spikeGain'));
  const chlOld = saveOld(c, ['spikeGain']);
  for (const gain of [undefined, 7]) {
    const b = build(lib, gain === undefined ? c : { ...c, ruleParams: { spikeGain: gain } });
    b.trainer.restore(chlOld, 'old.state');
    b.net.dispose();
  }
});

test('damaged, truncated and network-only files are refused with clear errors', async () => {
  const { lib, train } = await setup();
  const c: Case = { name: 'fa', rule: rules.fa!, spiking: null, ruleParams: {} };
  const a = build(lib, c);
  a.trainer.fit(train, { epochs: 1 });
  const bytes = encodeTrainingState(a.trainer, { note: 'x' });
  const flipped = bytes.slice();
  flipped[bytes.length >> 1]! ^= 0x04;
  assert.throws(() => decodeTrainingState(flipped, 'ck.bin'), /ck\.bin: not a valid bioprop network file: checksum mismatch/);
  assert.throws(() => decodeTrainingState(bytes.subarray(0, bytes.length - 100), 'ck.bin'), /ck\.bin: not a valid bioprop network file: (checksum mismatch|.*truncated)/);
  assert.throws(() => decodeTrainingState(bytes.subarray(0, 12), 'ck.bin'), /truncated/);
  assert.throws(() => decodeTrainingState(encodeCheckpoint(a.net, 'fa'), 'net.bioprop'), /net\.bioprop: not a usable training-state file: it holds a network only/);
  // The caller's meta comes back beside the state; a network reader sees the weights (W/b are aliases).
  const d = decodeTrainingState(bytes, 'ck.bin');
  assert.equal(d.meta, { note: 'x' });
  const { net } = networkFromCheckpoint(lib, bytes, 5, 'ck.bin');
  assert.equal(params(net), params(a.net));
  net.dispose();
  a.net.dispose();
});

test('every bit of a workspace tensor survives the file: RNG state words that read as signalling NaNs too', async () => {
  const { lib } = await setup();
  const c: Case = { name: 'fa spiking', rule: rules.fa!, spiking: { steps: 8 }, ruleParams: {} };
  const a = build(lib, c);
  // The Poisson encoder's xoshiro128** state: 16 bytes in a [4] float32 tensor. A float32 round trip
  // through a JS number would set the quiet bit of 0x7f800001 (the network file used to go that way).
  const rngTensors = a.net.ws.tensors.filter((t) => t.shape.length === 1 && t.shape[0] === 4);
  assert.ok(rngTensors.length >= 2, 'the encoder and the initial membranes keep their RNG states in the workspace');
  const words = [0x7f800001, 0xffa00001, 0x12345678, 0x7fc00000];
  new Uint32Array(lib.heap.memory.buffer, rngTensors[0]!.ptr, 4).set(words);
  const { state } = decodeTrainingState(encodeTrainingState(a.trainer));
  const i = a.net.ws.tensors.indexOf(rngTensors[0]!);
  assert.equal(Array.from(new Uint32Array(state.tensors[i]!.bytes.buffer, state.tensors[i]!.bytes.byteOffset, 4)), words);
  a.net.dispose();
});

test('snapshots are taken between epochs: mid-epoch and after a cancelled epoch they are refused', async () => {
  const { lib, train } = await setup();
  const a = build(lib, { name: 'bp', rule: rules.bp!, spiking: null, ruleParams: {} });
  let err: unknown;
  a.trainer.fit(train, { epochs: 2, onBatch: (b) => { if (b.epoch === 1 && b.batch === 2 && !err) { try { a.trainer.snapshot(); } catch (e) { err = e; } } } });
  assert.match(String(err), /trainer\.snapshot: epoch 2 was interrupted or is under way/);
  const ac = new AbortController();
  const r = a.trainer.fit(train, { epochs: 2, signal: ac.signal, onBatch: (b) => { if (b.epoch === 1 && b.batch === 1) ac.abort(); } });
  assert.ok(r.cancelled);
  assert.throws(() => a.trainer.snapshot(), /epoch 2 was interrupted/);
  a.net.dispose();
});

test('the synchronous atomic write leaves the target whole and no temp file behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-resume-'));
  const file = join(dir, 'run.state');
  writeFileAtomicSync(file, new TextEncoder().encode('first'));
  writeFileAtomicSync(file, new TextEncoder().encode('second, longer'));
  assert.is(readFileSync(file, 'utf8'), 'second, longer');
  assert.equal(readdirSync(dir), ['run.state']);
  writeFileSync(join(dir, 'keep'), 'x');
  assert.throws(() => writeFileAtomicSync(join(dir, 'missing', 'run.state'), new Uint8Array(4)), /save: could not write .*missing/);
  assert.equal(readdirSync(dir).sort(), ['keep', 'run.state']);
});

test.run();
