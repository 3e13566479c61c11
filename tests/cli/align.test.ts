// `bioprop train --align-every N`: alignment angles in the epoch summary and in the --out history.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));

test('train --align-every: per-layer angles in the epoch line and the JSON history', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-align-'));
  const out = join(dir, 'run.json');
  const r = spawnSync(process.execPath, [BIN, 'train', '--rule', 'fa', '--hidden', '32,16', '--epochs', '2', '--limit', '1000', '--align-every', '5', '--out', out],
    { encoding: 'utf8', timeout: 120_000 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /epoch 2\/2 .*angle\(dW,bp\) \d+\/\d+\/0°  angle\(B,W\) \d+\/\d+\/-°  \|dW\|\/\|W\| \S+\/\S+\/\S+/);
  const rec = JSON.parse(readFileSync(out, 'utf8'));
  const a = rec.history[1].alignment;
  assert.is(a.length, 3);
  assert.equal(Object.keys(a[0]).sort(), ['layer', 'normRatio', 'updateAngleDeg', 'weightAngleDeg']);
  assert.ok(a[0].updateAngleDeg > 0 && a[0].updateAngleDeg < 180);
  assert.is(a[2].weightAngleDeg, null);
  const bad = spawnSync(process.execPath, [BIN, 'train', '--align-every', '0'], { encoding: 'utf8' });
  assert.is.not(bad.status, 0);
  assert.match(bad.stderr, /--align-every/);
});

test.run();
