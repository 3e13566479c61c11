// The checked-in report names no file by an absolute path: docs/report.md and docs/report.json are read on
// other machines (the CLI cases are in import.test.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { absolutePaths } from '../helpers/paths.js';
import { portableName } from '../../src/report/provenance.js';

const docs = (f: string) => readFileSync(fileURLToPath(new URL(`../../../docs/${f}`, import.meta.url)), 'utf8');

test('the path finder finds POSIX, Windows and UNC paths, and not fractions, ratios or relative names', () => {
  assert.equal(absolutePaths('from `/tmp/runs/a.json`, "C:\\\\Users\\\\me\\\\b.json" (\\\\\\\\srv\\\\share\\\\c.json) x=/home/u/d'), ['/tmp/runs/a.json', 'C:\\\\Users\\\\me\\\\b.json', '\\\\\\\\srv\\\\share\\\\c.json', '/home/u/d']);
  assert.equal(absolutePaths('98.1 / 97.6, rate/spiking, charts/accuracy.svg, 1.00× / —, https://example.org/a/b'), []);
});

test('portableName keeps relative names and names an absolute path by its name alone', () => {
  assert.is(portableName('runs/a.jsonl'), 'runs/a.jsonl');
  assert.is(portableName('/tmp/runs/a.jsonl'), 'a.jsonl');
  assert.is(portableName('C:\\\\runs\\\\b.json'), 'b.json');
});

test('docs/report.md and docs/report.json name no file by an absolute path', () => {
  for (const f of ['report.md', 'report.json']) assert.equal(absolutePaths(docs(f)), [], f);
});

test.run();
