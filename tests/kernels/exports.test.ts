// The kernel registry on both sides: every function the WASM module exports is in KERNEL_NAMES (and so
// typed in src/wasm/kernels.ts), and every name there is exported, in every build.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { KERNEL_NAMES } from '../../src/wasm/kernels.js';
import { VERSION } from '../../src/version.js';

for (const build of ['release', 'scalar', 'debug', 'threads']) {
  test(`${build}.wasm exports exactly KERNEL_NAMES (+ memory)`, () => {
    const bytes = readFileSync(new URL(`../../../build/${build}.wasm`, import.meta.url));
    const exported = WebAssembly.Module.exports(new WebAssembly.Module(bytes));
    const fns = exported.filter((e) => e.kind === 'function').map((e) => e.name).sort();
    // threads: the start function is exported (the pool's main instance runs it; workers must not).
    const extra = build === 'threads' ? ['_initialize'] : [];
    assert.equal(fns, [...new Set([...KERNEL_NAMES, ...extra])].sort());
    assert.is(KERNEL_NAMES.length, new Set(KERNEL_NAMES).size, 'no name listed twice');
    assert.ok(exported.some((e) => e.kind === 'memory' && e.name === 'memory'));
  });
}

test('src/version.ts matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  assert.is(VERSION, pkg.version);
});

test.run();
