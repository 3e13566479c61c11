// `bioprop train --checkpoint FILE --resume` as a user runs it: a run killed after its first checkpoint
// and resumed ends with the record of a run that was never interrupted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeTrainingState } from '../../src/io/training-state.js';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A run record without its wall-clock times, the resume marker and the event-driven fraction (which path
 *  propagated the spikes follows a crossover measured per process; both give the same sums). */
function comparable(file: string): Record<string, unknown> {
  const { seconds: _s, simSeconds: _ss, eventFraction: _ef, resumedFrom: _r, history, ...rec } = JSON.parse(readFileSync(file, 'utf8'));
  return { ...rec, history: (history as Record<string, unknown>[]).map(({ seconds: _hs, cpuSeconds: _hc, ...h }) => h) };
}

// Spiking DFA (the simulator's counters feed the record's firing rates), alignment measured every 7 of
// the 30 batches of an epoch (the cadence crosses epochs), 3 epochs of about half a second each.
const ARGS = ['train', '--rule', 'dfa', '--spiking', '--steps', '20', '--hidden', '32', '--epochs', '3', '--limit', '3000', '--test-limit', '300', '--seed', '3', '--align-every', '7'];

test('killed after its first checkpoint and resumed, a run ends with the uninterrupted run\'s record; resuming a finished run reports it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-resume-cli-'));
  const ref = run(...ARGS, '--checkpoint', join(dir, 'ref.ckpt'), '--out', join(dir, 'ref.json'), '--quiet');
  assert.is(ref.code, 0, ref.err);
  assert.equal(readdirSync(dir).sort(), ['ref.ckpt', 'ref.json'], 'no temp files left behind');

  // The interrupted run: SIGKILL (a session that dies, no chance to clean up) once the first checkpoint is there.
  const ck = join(dir, 'run.ckpt');
  const child = spawn(process.execPath, [BIN, ...ARGS, '--checkpoint', ck, '--resume', '--quiet'], { stdio: 'ignore' });
  const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  while (!existsSync(ck) && child.exitCode === null) await sleep(5);
  child.kill('SIGKILL');
  const ex = await exited;
  assert.is(ex.signal, 'SIGKILL', `the run was killed before it finished (exit ${ex.code})`);
  const k = decodeTrainingState(new Uint8Array(readFileSync(ck)), ck).state.epoch;
  assert.ok(k >= 1 && k < 3, `the checkpoint holds ${k} epochs`);

  const r = run(...ARGS, '--checkpoint', ck, '--resume', '--out', join(dir, 'run.json'));
  assert.is(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`resuming at epoch ${k + 1}/3 from ${escape(ck)}`));
  assert.not.match(r.out, new RegExp(`epoch ${k}/3 `), 'the finished epochs are not trained again');
  const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.is(rec.resumedFrom, k);
  assert.is(rec.history.length, 3, 'the history covers every epoch');
  assert.equal(comparable(join(dir, 'run.json')), comparable(join(dir, 'ref.json')), 'the same record (accuracies, losses, firing rates, alignment, raster)');

  // The checkpoint of a finished run, resumed again: nothing to train, the same report.
  const again = run(...ARGS, '--checkpoint', ck, '--resume', '--out', join(dir, 'again.json'));
  assert.is(again.code, 0, again.err);
  assert.match(again.out, /the run finished all 3 epochs; reporting it/);
  assert.not.match(again.out, /epoch \d\/3 /);
  assert.equal(comparable(join(dir, 'again.json')), comparable(join(dir, 'ref.json')));
});

test('--resume refuses a checkpoint of another command (listing the differences), a damaged file, and needs --checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-resume-cli-'));
  const small = ['train', '--rule', 'bp', '--hidden', '16', '--epochs', '2', '--limit', '300', '--test-limit', '100', '--seed', '2', '--quiet'];
  const ck = join(dir, 'bp.ckpt');
  assert.is(run(...small, '--checkpoint', ck).code, 0);
  const other = run(...small, '--lr', '0.2', '--hidden', '8', '--checkpoint', ck, '--resume');
  assert.is(other.code, 2);
  assert.match(other.err, new RegExp(`--resume: ${escape(ck)} was saved by a different command.*--hidden \\[8\\] now, \\[16\\] in the checkpoint; --lr 0\\.2 now, 0\\.05 in the checkpoint`));
  assert.not.match(other.err, /\n\s+at /, 'no stack trace');
  const bytes = readFileSync(ck);
  bytes[bytes.length >> 1]! ^= 0x01;
  writeFileSync(ck, bytes);
  const bad = run(...small, '--checkpoint', ck, '--resume');
  assert.is(bad.code, 1);
  assert.match(bad.err, new RegExp(`${escape(ck)}: not a valid bioprop network file: checksum mismatch`));
  const none = run(...small, '--resume');
  assert.is(none.code, 2);
  assert.match(none.err, /--resume needs --checkpoint FILE/);
  assert.match(run(...small, '--resume-or-restart').err, /--resume-or-restart needs --checkpoint FILE/);
  // No file yet: --resume starts the run (and leaves its checkpoint).
  const fresh = join(dir, 'new.ckpt');
  const r = run(...small, '--checkpoint', fresh, '--resume');
  assert.is(r.code, 0, r.err);
  assert.is(decodeTrainingState(new Uint8Array(readFileSync(fresh)), fresh).state.epoch, 2);
});

test('--resume-or-restart continues a checkpoint of the same command, and starts a changed one afresh instead of refusing it (what a sweep does with its own)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-resume-cli-'));
  const small = ['train', '--rule', 'bp', '--hidden', '16', '--epochs', '2', '--limit', '300', '--test-limit', '100', '--seed', '2'];
  const ck = join(dir, 'bp.ckpt');
  assert.is(run(...small, '--epochs', '1', '--checkpoint', ck, '--quiet').code, 0);
  // A changed setting (as a changed default would be): started afresh, said so, and the checkpoint overwritten.
  const other = run(...small, '--lr', '0.2', '--checkpoint', ck, '--resume-or-restart', '--out', join(dir, 'other.json'));
  assert.is(other.code, 0, other.err);
  assert.match(other.out, new RegExp(`note: ${escape(ck)} was saved by a different command \\(--epochs 2 now, 1 in the checkpoint; --lr 0\\.2 now, 0\\.05 in the checkpoint\\); the run starts afresh`));
  assert.match(other.out, /epoch 1\/2 /);
  assert.is(JSON.parse(readFileSync(join(dir, 'other.json'), 'utf8')).resumedFrom, null);
  assert.is(run(...small, '--lr', '0.2', '--out', join(dir, 'fresh.json'), '--quiet').code, 0);
  assert.equal(comparable(join(dir, 'other.json')), comparable(join(dir, 'fresh.json')), 'the same result as a run that never saw the old checkpoint');
  // The same command again: it continues (here: the run had finished, so it is reported).
  const same = run(...small, '--lr', '0.2', '--checkpoint', ck, '--resume-or-restart');
  assert.is(same.code, 0, same.err);
  assert.match(same.out, /the run finished all 2 epochs; reporting it/);
});

test.run();
