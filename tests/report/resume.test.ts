// Resuming a sweep: kill `bioprop compare` (and its child run) mid-sweep, leave a half-written last line,
// re-run the same command, and get the same results as an uninterrupted sweep. Real child processes on a
// tiny config (MNIST slices, an 8-unit hidden layer).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseResults, type ResultLine } from '../../src/report/results.js';
import { runCheckpointPath } from '../../src/report/sweep.js';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bioprop-resume-'));
const config = join(dir, 'tiny.json');
const RUNS = 4;
writeFileSync(config, JSON.stringify({ name: 'tiny', rules: ['bp'], modes: ['rate'], datasets: ['mnist'], depths: [1], width: 8, seeds: [1, 2, 3, 4], epochs: 1, limit: 300, testLimit: 200, workers: 1 }));

function compareSync(results: string) {
  const r = spawnSync(process.execPath, [BIN, 'compare', '--config', config, '--results', results], { encoding: 'utf8', timeout: 120_000 });
  assert.is(r.status, 0, r.stderr);
  return r;
}
const read = (p: string) => parseResults(readFileSync(p, 'utf8'), p).lines;
/** What must not depend on the interruption: everything but timings. */
function outcome(lines: ResultLine[]) {
  return Object.fromEntries(lines.map((l) => [l.key, l.status === 'ok'
    ? { acc: l.record.testAccuracy, train: l.record.trainAccuracy, history: l.record.history.map((h) => [h.trainLoss, h.testAccuracy, h.testLoss]) }
    : l.error]));
}

test('killed mid-sweep, then resumed: same results as uninterrupted; a half-written line is ignored', async () => {
  const full = join(dir, 'full.jsonl');
  compareSync(full);
  const want = read(full);
  assert.is(want.length, RUNS);
  assert.ok(want.every((l) => l.status === 'ok'));
  // Runs side by side share the cores: each child trains on one thread (BIOPROP_THREADS is not set here).
  if (!process.env.BIOPROP_THREADS) assert.ok(want.every((l) => l.status === 'ok' && (l.record as { threads?: number }).threads === 1), 'children on one thread');

  // Start the same sweep in its own process group and kill the whole group (compare and its running
  // child) as soon as the first run is recorded.
  const part = join(dir, 'part.jsonl');
  const child = spawn(process.execPath, [BIN, 'compare', '--config', config, '--results', part], { detached: true, stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', r));
  for (let i = 0; i < 6000; i++) {
    if (existsSync(part) && readFileSync(part, 'utf8').split('\n').length > 1) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
  const before = read(part);
  assert.ok(before.length >= 1 && before.length < RUNS, `killed mid-sweep (${before.length} of ${RUNS} runs recorded)`);
  // A run killed while its line was being written leaves a line without a newline.
  appendFileSync(part, '{"key":"--rule bp --dataset mnist","status":"ok","run":{"ru');

  const r = compareSync(part);
  assert.match(r.stderr, /ignored a half-written last line/);
  assert.match(r.stderr, new RegExp(`${before.length} of ${RUNS} runs already in`));
  const text = readFileSync(part, 'utf8');
  assert.ok(text.endsWith('\n'));
  const after = parseResults(text).lines;
  assert.is(after.length, RUNS, 'each run recorded once');
  assert.equal(outcome(after), outcome(want));

  // Everything done: a third call runs nothing and only re-renders the report.
  const again = compareSync(part);
  assert.match(again.stderr, new RegExp(`${RUNS} of ${RUNS} runs already in`));
  assert.is(read(part).length, RUNS);
  assert.ok(existsSync(join(dir, 'report.md')));
});

test('a run killed mid-way resumes from its last finished epoch (bit-identical), and its checkpoint is removed', async () => {
  // One run of 3 epochs; the sweep is killed once the run has checkpointed an epoch, then re-run.
  const d = mkdtempSync(join(tmpdir(), 'bioprop-resume-'));
  const cfg = join(d, 'one.json');
  writeFileSync(cfg, JSON.stringify({ name: 'one', rules: ['bp'], modes: ['rate'], datasets: ['mnist'], depths: [1], width: 8, seeds: [1], epochs: 3, limit: 2000, testLimit: 200, workers: 1 }));
  const run = (results: string) => {
    const r = spawnSync(process.execPath, [BIN, 'compare', '--config', cfg, '--results', results], { encoding: 'utf8', timeout: 120_000 });
    assert.is(r.status, 0, r.stderr);
  };
  const full = join(d, 'full', 'results.jsonl');
  run(full);
  const want = read(full);
  assert.is(want.length, 1);
  assert.not.ok(existsSync(join(d, 'full', 'checkpoints')), 'no checkpoint left behind after a finished sweep');

  const part = join(d, 'part', 'results.jsonl');
  const ckpt = runCheckpointPath(part, want[0]!.run.argv);
  const child = spawn(process.execPath, [BIN, 'compare', '--config', cfg, '--results', part], { detached: true, stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', r));
  for (let i = 0; i < 12000 && !existsSync(ckpt); i++) await new Promise((r) => setTimeout(r, 10));
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
  assert.ok(existsSync(ckpt), 'the run checkpointed an epoch before the kill');
  assert.not.ok(existsSync(part) && read(part).length > 0, 'killed before the run finished');

  run(part);
  const got = read(part);
  assert.is(got.length, 1);
  const rec = got[0]!.status === 'ok' ? got[0]!.record as { resumedFrom?: number } : {};
  assert.ok((rec.resumedFrom ?? 0) >= 1, `resumed from a checkpoint (resumedFrom ${rec.resumedFrom})`);
  assert.equal(outcome(got), outcome(want));
  assert.not.ok(existsSync(ckpt), 'checkpoint removed once the run is recorded');
});

test('a failed run gets an error line and the sweep continues', () => {
  const bad = join(dir, 'bad.json');
  // --lr 1e30 makes bp diverge at once: the first run fails, the sweep still runs (and records) the second.
  writeFileSync(bad, JSON.stringify({ name: 'bad', rules: ['bp'], modes: ['rate'], datasets: ['mnist'], depths: [1, 2], width: 8, seeds: [1], epochs: 1, limit: 200, testLimit: 100, ruleArgs: { bp: ['--lr', '1e30'] } }));
  const results = join(dir, 'bad.jsonl');
  const r = spawnSync(process.execPath, [BIN, 'compare', '--config', bad, '--results', results], { encoding: 'utf8', timeout: 120_000 });
  assert.is(r.status, 0, r.stderr);
  const lines = read(results);
  assert.is(lines.length, 2, 'both runs recorded');
  assert.ok(lines.every((l) => l.status === 'error'));
  assert.match(r.stderr, /FAILED bp mnist 1×8 rate seed 1: .*diverged/);
  assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /## Failed runs/);
});

test('bad configs are rejected with the field named', () => {
  const cfg = join(dir, 'wrong.json');
  writeFileSync(cfg, JSON.stringify({ rules: ['nope'], datasets: ['mnist'], depths: [1], seeds: [1] }));
  const r = spawnSync(process.execPath, [BIN, 'compare', '--config', cfg], { encoding: 'utf8' });
  assert.is(r.status, 1);
  assert.match(r.stderr, /sweep config: unknown rule 'nope' \(registered: bp/);
  const p = spawnSync(process.execPath, [BIN, 'compare'], { encoding: 'utf8' });
  assert.is(p.status, 2);
  assert.match(p.stderr, /--preset quick\|full or --config FILE/);
});

test.run();
