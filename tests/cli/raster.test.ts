// `bioprop train --out` of a spiking run records a spike raster of the first hidden layer while the
// trained network sees the first test example (superspike, fa --spiking, dendrites' own neurons);
// deterministic under a seed; rate runs record none. Real child processes on MNIST slices.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from '../../src/report/results.js';
import { rules } from '../../src/rules/index.js';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bioprop-raster-'));
let n = 0;
function train(...args: string[]): RunRecord {
  const out = join(dir, `run-${n++}.json`);
  const r = spawnSync(process.execPath, [BIN, 'train', '--limit', '200', '--test-limit', '50', '--epochs', '1', '--quiet', '--out', out, ...args], { encoding: 'utf8', timeout: 120_000 });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(readFileSync(out, 'utf8')) as RunRecord;
}

function checkRaster(rec: RunRecord, steps: number, neurons: number) {
  const r = rec.raster;
  assert.ok(r, `${rec.rule}: the record has a raster`);
  assert.is(r!.layer, 1);
  assert.is(r!.steps, steps);
  assert.is(r!.neurons, neurons);
  assert.ok(r!.spikes.length > 0, `${rec.rule}: some spikes`);
  assert.ok(r!.spikes.length <= 2000, 'capped');
  for (const [t, i] of r!.spikes) assert.ok(Number.isInteger(t) && t >= 0 && t < steps && Number.isInteger(i) && i >= 0 && i < neurons, `${rec.rule}: pair [${t}, ${i}]`);
}

test('superspike: a raster of 64 of the first hidden layer\'s 96 neurons over its default window, the same under the same seed', () => {
  const a = train('--rule', 'superspike', '--hidden', '96,32', '--seed', '7');
  checkRaster(a, rules.superspike!.spiking!.sim!.steps!, 64);
  const b = train('--rule', 'superspike', '--hidden', '96,32', '--seed', '7');
  assert.equal(b.raster, a.raster, 'deterministic under a seed');
  assert.equal(b.firingRates, a.firingRates);
});

test('fa --spiking and dendrites --spiking (its own neurons) record rasters; a rate run records none', () => {
  checkRaster(train('--rule', 'fa', '--spiking', '--hidden', '16', '--steps', '20'), 20, 16);
  checkRaster(train('--rule', 'dendrites', '--spiking', '--hidden', '16,8'), 250, 16);
  const rate = train('--rule', 'bp', '--hidden', '16');
  assert.is(rate.raster, undefined);
  assert.is(rate.limit, 200);
  assert.is(rate.trainExamples, 200);
});

test.run();
