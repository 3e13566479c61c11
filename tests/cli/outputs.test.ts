// Output paths are checked before any work: a typo in --save, --out or --checkpoint (or compare's
// --results / --out) is refused at once, naming the flag, instead of after a whole training run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
// A short run: were the paths checked only at the end, it would train and then fail with exit 1.
const SMALL = ['--hidden', '8', '--epochs', '1', '--limit', '200', '--test-limit', '100'];

test('train: --save, --out and --checkpoint into a missing folder, under a file, or at a folder fail before training', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-outputs-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  for (const flag of ['save', 'out', 'checkpoint']) {
    for (const [path, re] of [
      [join(dir, 'no', 'such', 'x'), new RegExp(`^bioprop train: --${flag} \\S+: the folder \\S+no/such does not exist\\n$`)],
      [join(file, 'x'), new RegExp(`^bioprop train: --${flag} \\S+: \\S+a-file is a file, not a folder\\n$`)],
      [dir, new RegExp(`^bioprop train: --${flag} \\S+ is a folder; give a file name\\n$`)],
    ] as const) {
      const r = run('train', ...SMALL, `--${flag}`, path);
      assert.is(r.code, 2, `--${flag} ${path}: exit ${r.code} ${r.err}`);
      assert.match(r.err, re);
      assert.is(r.out, '', 'nothing was trained');
    }
  }
  assert.equal(readdirSync(dir), ['a-file'], 'nothing written');
});

test('train: the write errors name the flag they come from', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-outputs-'));
  const out = join(dir, 'r.json');
  const r = run('train', ...SMALL, '--out', out, '--save', join(dir, 'n.bpn'), '--quiet');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^done: 1 epoch in /, "one epoch is '1 epoch'");
  assert.ok(existsSync(out) && JSON.parse(readFileSync(out, 'utf8')).epochs === 1);
});

test('compare: --results under a file and --out at a file fail before any run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-outputs-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const a = run('compare', '--preset', 'quick', '--results', join(file, 'r.jsonl'));
  assert.is(a.code, 2, a.err);
  assert.match(a.err, /^bioprop compare: --results \S+: \S+a-file is a file, not a folder\n$/);
  const b = run('compare', '--preset', 'quick', '--results', join(dir, 'r.jsonl'), '--out', file);
  assert.is(b.code, 2, b.err);
  assert.match(b.err, /^bioprop compare: --out \S+: \S+a-file is a file, not a folder\n$/);
  assert.equal(readdirSync(dir), ['a-file'], 'nothing run or written');
});

test('eval --load of a folder says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-outputs-'));
  const r = run('eval', '--load', dir);
  assert.is(r.code, 1);
  assert.match(r.err, /^bioprop eval: network file \S+ is a folder; give the file inside it\n$/);
});

test.run();
