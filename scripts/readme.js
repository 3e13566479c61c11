#!/usr/bin/env node
// `npm run readme`: rewrites the README's generated answer (headline and table) from docs/report.json.
// `--check` exits 1 when the README differs from what the report says, without writing.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readmeAnswer, replaceReadmeAnswer } from '../dist/src/report/readme.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const readmePath = `${root}README.md`;
const report = JSON.parse(readFileSync(`${root}docs/report.json`, 'utf8'));
const before = readFileSync(readmePath, 'utf8');
let after;
try {
  after = replaceReadmeAnswer(before, readmeAnswer(report));
} catch (e) {
  process.stderr.write(`readme: ${e.message}\n`);
  process.exit(1);
}
if (process.argv.includes('--check')) {
  if (after !== before) {
    process.stderr.write('readme: README.md does not say what docs/report.json says; run `npm run readme`\n');
    process.exit(1);
  }
} else if (after !== before) {
  writeFileSync(`${readmePath}.tmp`, after);
  renameSync(`${readmePath}.tmp`, readmePath);
  process.stdout.write('readme: README.md answer rewritten from docs/report.json\n');
}
