// Runs every compiled test file (dist/tests/**/*.test.js) with uvu, one process, files in sorted order.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../dist/tests/', import.meta.url));
const filter = process.argv[2] ? new RegExp(process.argv[2]) : null;
function walk(dir) {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.js') ? [p] : [];
  });
}
const files = walk(root).filter((f) => !filter || filter.test(relative(root, f)));
if (files.length === 0) {
  console.error(`tests/run.js: no test files under ${root}${filter ? ` matching ${filter}` : ''} (run 'npm run build' first)`);
  process.exit(1);
}
globalThis.UVU_DEFER = 1; // uvu's own queueing: collect all suites, then run them in order
globalThis.UVU_QUEUE = [];
for (const [i, f] of files.entries()) {
  globalThis.UVU_INDEX = i;
  globalThis.UVU_QUEUE.push([relative(root, f)]);
  await import(pathToFileURL(f).href);
}
const { exec } = await import('uvu');
await exec(false);
// Tests skipped for something npm does not install (tests/helpers/requires.ts): say what and how to get it.
const skips = globalThis.BIOPROP_SKIPS ?? [];
if (skips.length > 0) {
  console.log(`  Skipped ${skips.length} test(s) that need what this machine lacks (CI installs them and sets BIOPROP_REQUIRE=all):`);
  for (const s of skips) console.log(`    - ${s.test}\n      ${s.missing}; install: ${s.install}`);
  console.log();
}
