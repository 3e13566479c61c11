// The README's answer (headline and table) says what docs/report.json says: it is generated from it
// (`npm run readme`), and this test fails when either changes without the other.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readmeAnswer, replaceReadmeAnswer, README_START, README_END, type ReportData } from '../../src/report/readme.js';

const file = (f: string) => readFileSync(fileURLToPath(new URL(`../../../${f}`, import.meta.url)), 'utf8');

test('README.md carries the answer generated from docs/report.json, unchanged (run `npm run readme` after regenerating the report)', () => {
  const readme = file('README.md');
  const report = JSON.parse(file('docs/report.json')) as ReportData;
  assert.is(readme.split(README_START).length, 2, 'one start marker');
  assert.is(readme.split(README_END).length, 2, 'one end marker');
  assert.fixture(readme, replaceReadmeAnswer(readme, readmeAnswer(report)));
});

test('the block names every rule of the report with its MNIST accuracy, and a changed cell changes it', () => {
  const report = JSON.parse(file('docs/report.json')) as ReportData;
  const block = readmeAnswer(report);
  for (const r of report.answer) assert.match(block, new RegExp(`^\\| ${r.rule} \\|`, 'm'), r.rule);
  const bp = report.answer.find((r) => r.rule === 'bp')!;
  const mean = bp.accuracy.mnist!.rate!.stat.mean;
  assert.ok(block.includes(`bp ${(100 * mean).toFixed(2)}%`));
  bp.accuracy.mnist!.rate!.stat.mean = mean - 0.01;
  assert.not.ok(readmeAnswer(report) === block);
  assert.throws(() => replaceReadmeAnswer('no markers here', block), /README\.md: the generated answer's markers are missing/);
});

test.run();
