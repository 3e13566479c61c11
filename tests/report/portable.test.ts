// The checked-in report names no file by an absolute path: docs/report.md and docs/report.json are read on
// other machines (the CLI cases are in import.test.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { absolutePaths } from '../helpers/paths.js';
import { portableName, portableText } from '../../src/report/provenance.js';
import { summarize, reportMarkdown } from '../../src/report/summary.js';
import type { ResultLine } from '../../src/report/results.js';

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

test('portableText names every absolute path in a text by its name alone, and leaves the rest', () => {
  const t = portableText("--resume: /work/main/docs/report-sweep/checkpoints/0f4e.bpn was written for 'C:\\\\runs\\\\a.bpn' (see runs/b.json, 98.1 / 97.6)");
  assert.is(t, "--resume: 0f4e.bpn was written for 'a.bpn' (see runs/b.json, 98.1 / 97.6)");
  assert.equal(absolutePaths(t), []);
});

test('a failed run whose error names a machine path is reported without it', () => {
  const line = { key: '--rule fa', status: 'error', run: { rule: 'fa', dataset: 'mnist', depth: 1, width: 8, mode: 'rate', seed: 1, argv: ['--rule', 'fa'] }, error: '--resume: /home/me/runs/checkpoints/x.bpn is not a checkpoint', wallSeconds: 1, finishedAt: '2026-01-01T00:00:00Z' } as ResultLine;
  const md = reportMarkdown(summarize([line]), { provenance: [], charts: {} });
  assert.match(md, /--resume: x\.bpn is not a checkpoint/);
  assert.equal(absolutePaths(md), []);
});

test('docs/report.md and docs/report.json name no file by an absolute path (and the report sweep\'s)', () => {
  for (const f of ['report.md', 'report.json', 'report-sweep/report.md', 'report-sweep/report.json']) assert.equal(absolutePaths(docs(f)), [], f);
});

test.run();
