// The kernel registry on both sides: every function the WASM module exports is in KERNEL_ARITY (which
// scripts/kernel-types.js derives from asc's declarations of the release build) with the same number
// of arguments, and every name there is exported, in every build. The bench build adds the peak probe,
// the threads build its start function.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { KERNEL_ARITY, KERNEL_NAMES, THREADS_START } from '../../src/wasm/kernels.js';
import { VERSION } from '../../src/version.js';

/** name → argument count of every exported function of a build (imports stubbed: nothing runs). */
async function exportedArity(build: string): Promise<Record<string, number>> {
  const module = new WebAssembly.Module(readFileSync(new URL(`../../../build/${build}.wasm`, import.meta.url)));
  const imports: Record<string, Record<string, unknown>> = {};
  for (const i of WebAssembly.Module.imports(module)) {
    // the threads build imports its shared memory (and re-exports it)
    (imports[i.module] ??= {})[i.name] = i.kind === 'memory' ? new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true }) : () => {};
  }
  const { exports } = await WebAssembly.instantiate(module, imports as WebAssembly.Imports);
  assert.ok(exports.memory instanceof WebAssembly.Memory, `${build}: exports its memory`);
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(exports)) if (typeof v === 'function') out[name] = v.length;
  return out;
}

const sorted = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));

for (const build of ['release', 'scalar', 'debug', 'threads']) {
  test(`${build}.wasm exports exactly the kernels of KERNEL_ARITY, with their argument counts`, async () => {
    // threads: its start function is exported too (the pool's calling thread runs it; workers must not).
    const extra: Record<string, number> = build === 'threads' ? { [THREADS_START]: 0 } : {};
    assert.equal(sorted(await exportedArity(build)), sorted({ ...KERNEL_ARITY, ...extra }));
  });
}

test('KERNEL_NAMES lists every kernel once, and the probe of the bench build is not among them', () => {
  assert.is(KERNEL_NAMES.length, new Set(KERNEL_NAMES).size);
  assert.ok(KERNEL_NAMES.length > 40);
  assert.not.ok((KERNEL_NAMES as readonly string[]).includes('bench_simd_peak'));
});

test('src/version.ts matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  assert.is(VERSION, pkg.version);
});

test.run();
