// The computation fingerprint as a user meets it: `bioprop train` records it (its rule's form at the
// defaults, whatever the flags), a checkpoint made by a build that computes differently is not continued,
// and `bioprop compare` reruns a changed run, keeps and counts one made before fingerprints, and marks the
// report's cells that are not verified on this build.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../../src/index.js';
import { rules } from '../../src/rules/index.js';
import { ruleForm } from '../../src/rules/form.js';
import { Fingerprints } from '../../src/train/fingerprint.js';
import { crc32 } from '../../src/io/checkpoint.js';
import { ruleMeta, type RunSpec } from '../../src/report/config.js';
import type { ResultLine } from '../../src/report/results.js';
import { absolutePaths } from '../helpers/paths.js';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const fingerprints = load({ threads: 1 }).then((lib) => new Fingerprints(lib, rules));

test("train records its rule's fingerprint at the defaults of its form, whatever the command's flags", async () => {
  const f = await fingerprints;
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-fp-cli-'));
  const quick = ['--hidden', '20', '--epochs', '1', '--limit', '200', '--test-limit', '100', '--quiet'];
  const a = run('train', '--rule', 'fa', ...quick, '--out', join(dir, 'a.json'));
  assert.is(a.code, 0, a.err);
  assert.is(JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')).fingerprint, f.of('fa', 'rate', false));
  const b = run('train', '--rule', 'fa', '--spiking', '--steps', '8', '--lr', '0.01', ...quick, '--out', join(dir, 'b.json'));
  assert.is(b.code, 0, b.err);
  const fb = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')).fingerprint;
  assert.is(fb, f.of('fa', 'spiking', false), 'the spiking form, at its defaults (the flags are the record\'s settings)');
  assert.is.not(fb, f.of('fa', 'rate', false));
});

/** `file` with `from` replaced by `to` (same length) in its header, and its checksum redone. */
function patchCheckpoint(file: string, from: string, to: string): void {
  assert.is(from.length, to.length);
  const bytes = new Uint8Array(readFileSync(file));
  const text = Buffer.from(bytes).toString('latin1'), at = text.indexOf(from);
  assert.ok(at >= 0, `${from} is in the checkpoint`);
  bytes.set(Buffer.from(to, 'latin1'), at);
  new DataView(bytes.buffer).setUint32(bytes.length - 4, crc32(bytes, bytes.length - 4), true);
  writeFileSync(file, bytes);
}

test('--resume does not continue a checkpoint of another computation; one made before fingerprints continues, and its record has none', async () => {
  const f = await fingerprints, now = f.of('fa', 'rate', false)!;
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-fp-cli-'));
  const ck = join(dir, 'run.ckpt'), out = join(dir, 'rec.json');
  const args = ['train', '--rule', 'fa', '--hidden', '20', '--epochs', '1', '--limit', '200', '--test-limit', '100', '--checkpoint', ck, '--out', out];
  let r = run(...args);
  assert.is(r.code, 0, r.err);
  patchCheckpoint(ck, `"fingerprint":"${now}"`, `"fingerprint":"${'0'.repeat(now.length)}"`);
  r = run(...args, '--resume');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, `computes this rule differently (fingerprint ${'0'.repeat(now.length)} -> ${now}); the run starts afresh`);
  let rec = JSON.parse(readFileSync(out, 'utf8'));
  assert.is(rec.resumedFrom, null);
  assert.is(rec.fingerprint, now);
  // A checkpoint without a fingerprint (an older build's): continued, and the record cannot vouch for its epochs.
  patchCheckpoint(ck, `"fingerprint":"${now}"`, `"fingerprinX":"${now}"`);
  r = run(...args, '--resume');
  assert.is(r.code, 0, r.err);
  rec = JSON.parse(readFileSync(out, 'utf8'));
  assert.is(rec.resumedFrom, 1);
  assert.is(rec.fingerprint, undefined);
});

function spec(rule: string, seed: number): RunSpec {
  const argv = ['--rule', rule, '--dataset', 'mnist', '--hidden', '20', '--seed', String(seed)];
  return { key: argv.join(' '), rule, dataset: 'mnist', depth: 1, width: 20, mode: 'rate', seed, argv };
}
function line(s: RunSpec, accuracy: number, fingerprint?: string): ResultLine {
  const rule = rules[s.rule]!, t = ruleForm(rule, false).train;
  const record = {
    rule: s.rule, dataset: 'mnist', hidden: [20], spiking: false, activation: t.activation, epochs: t.epochs, batch: t.batch, lr: t.lr,
    optimizer: t.optimizer, momentum: t.momentum, weightDecay: t.weightDecay, schedule: t.schedule, init: t.init, ruleParams: { ...rule.defaults },
    seed: s.seed, testAccuracy: accuracy, trainAccuracy: accuracy, seconds: 10, cancelled: false,
    history: [{ epoch: 1, trainLoss: 0.1, trainAccuracy: accuracy, testAccuracy: accuracy, testLoss: 0.1, lr: t.lr, seconds: 10, cpuSeconds: 10 }],
    ...(fingerprint !== undefined ? { fingerprint } : {}),
  };
  return { key: s.key, status: 'ok', run: { ...s }, meta: ruleMeta(rule), record: record as never, wallSeconds: 10, finishedAt: '2026-01-01T00:00:00Z' } as ResultLine;
}

test('compare: the dry run counts verified, unfingerprinted and changed runs apart; the report leaves out the changed one and marks the unverified cell', async () => {
  const f = await fingerprints;
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-fp-cli-'));
  const results = join(dir, 'results.jsonl'), config = join(dir, 'c.json');
  writeFileSync(config, JSON.stringify({ name: 't', rules: ['bp', 'fa'], datasets: ['mnist'], depths: [1], width: 20, seeds: [1, 2], modes: ['rate'] }));
  const bp = f.of('bp', 'rate', false)!, fa = f.of('fa', 'rate', false)!;
  writeFileSync(results, [line(spec('bp', 1), 0.91, bp), line(spec('bp', 2), 0.93), line(spec('fa', 1), 0.81, 'a1b2c3d4e5f6'), line(spec('fa', 2), 0.83, fa)]
    .map((l) => JSON.stringify(l)).join('\n') + '\n');

  let r = run('compare', '--config', config, '--results', results, '--dry-run');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, 'fingerprints: of the 4 finished planned runs, 2 verified on this build, 1 made before fingerprints (kept; --rerun-unfingerprinted runs them again), 1 made by a computation that has changed since (run again)');
  assert.match(r.out, /\(3 done\)/);
  r = run('compare', '--config', config, '--results', results, '--dry-run', '--rerun-unfingerprinted');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /\(2 done\)/);
  assert.match(r.out, '1 made before fingerprints (run again: --rerun-unfingerprinted)');

  r = run('compare', '--config', config, '--results', results, '--report-only', '--out', dir);
  assert.is(r.code, 0, r.err);
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.match(md, 'Verified on this build: 2 of 3 runs');
  assert.match(md, '1 run made before fingerprints (kept; `bioprop compare --rerun-unfingerprinted` runs them again)');
  assert.match(md, /Left out: 1 finished run made by a computation that has changed since .*`--rule fa [^`]*--seed 1` \(computation changed \(fingerprint a1b2c3d4e5f6 -> [0-9a-f]+\)\)/);
  assert.match(md, /\| bp \| yes \| [^|]* \| 92\.00 ± 1\.41° \/ — \|/, 'the bp cell has an unverified run: marked');
  assert.match(md, /\| fa \| yes \| [^|]* \| 83\.00 \/ — \|/, "fa's one current run is verified: no mark");
  assert.match(md, /\| bp \| [^|]* \| [^|]* \| [^|]* \| 92\.00 ± 1\.41° \(rate\) \|/, 'and against the published figure');
  assert.match(md, /\| bp \| mnist \| 1 \| rate \| 2 \| 92\.00 ± 1\.41° \| [^|]* \| [^|]* \| 1 of 2 \|/);
  assert.match(md, /° not verified on this build/);
  const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  assert.equal(json.verification, { verified: 2, changed: 0, unfingerprinted: 1, unchecked: 0 });
  assert.equal(json.groups.map((g: { rule: string; verified: number; unverified: number }) => [g.rule, g.verified, g.unverified]), [['bp', 1, 1], ['fa', 1, 0]]);
  assert.equal(absolutePaths(md), []);
  assert.equal(absolutePaths(readFileSync(join(dir, 'report.json'), 'utf8')), []);

  r = run('compare', '--config', config, '--results', results, '--report-only', '--rerun-unfingerprinted');
  assert.is(r.code, 2);
  assert.match(r.err, '--rerun-unfingerprinted runs finished runs again; --report-only runs nothing');
  r = run('compare', '--help');
  assert.match(r.out, '--rerun-unfingerprinted');
});

test.run();
