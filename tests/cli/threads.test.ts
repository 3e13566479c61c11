// Whole training runs at 1 and 2 threads: the saved networks are byte-identical (backprop, feedback
// alignment, a phase rule, a spiking rule), and the run record says how many threads ran.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bioprop-threads-'));

function train(name: string, threads: number, args: string[]): { net: Buffer; record: { threads: number; testAccuracy: number } } {
  const save = join(dir, `${name}-${threads}.bpn`), out = join(dir, `${name}-${threads}.json`);
  // 784-64-10 on 300 examples: the first layer's GEMMs (100x64x784 and 64x784x100) are split.
  const r = spawnSync(process.execPath, [BIN, 'train', ...args, '--hidden', '64', '--epochs', '1', '--limit', '300', '--test-limit', '100',
    '--threads', String(threads), '--save', save, '--out', out, '--quiet'], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, BIOPROP_THREADS: '' } });
  assert.is(r.status, 0, `${name} at ${threads} threads: ${r.stderr}`);
  return { net: readFileSync(save), record: JSON.parse(readFileSync(out, 'utf8')) };
}

for (const [name, args] of [['bp', ['--rule', 'bp']], ['fa', ['--rule', 'fa']], ['eqprop', ['--rule', 'eqprop']], ['fa-spiking', ['--rule', 'fa', '--spiking']]] as const) {
  test(`${name}: the network saved after a run at 2 threads is byte-identical to 1 thread's`, () => {
    const one = train(name, 1, [...args]), two = train(name, 2, [...args]);
    assert.is(one.record.threads, 1);
    assert.is(two.record.threads, 2);
    assert.ok(one.net.equals(two.net), `${name}: the saved networks differ`);
    assert.is(two.record.testAccuracy, one.record.testAccuracy);
  });
}

test('--threads and BIOPROP_THREADS are checked', () => {
  const bad = spawnSync(process.execPath, [BIN, 'train', '--threads', '0'], { encoding: 'utf8', timeout: 60_000 });
  assert.is(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--threads must be an integer in \[1, 64\], got '0'/);
  const env = spawnSync(process.execPath, [BIN, 'train'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, BIOPROP_THREADS: 'two' } });
  assert.is(env.status, 2, env.stderr);
  assert.match(env.stderr, /BIOPROP_THREADS must be an integer in \[1, 64\], got 'two'/);
});

test.run();
