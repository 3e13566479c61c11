// Loading the core: from the package's files, from bytes, from a file URL; every build; the example runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { load, loadKernels, hasSimd } from '../src/index.js';

const wasmUrl = (b: string) => new URL(`../../build/${b}.wasm`, import.meta.url);

test('this engine has wasm SIMD, and load() picks the release build by default', async () => {
  assert.ok(hasSimd());
  assert.ok((await loadKernels()) === (await loadKernels({ build: 'release' })), 'cached per build');
});

for (const build of ['release', 'scalar', 'debug'] as const) {
  test(`${build}: loads from bytes and from a file URL, and computes`, async () => {
    for (const source of [new Uint8Array(readFileSync(wasmUrl(build))), wasmUrl(build)]) {
      const lib = await load({ source });
      const a = lib.tensor([1, 2], [1, 2]), b = lib.tensor([2, 1], [3, 4]), c = lib.tensor([1, 1]);
      lib.gemm(c, a, b);
      assert.equal(Array.from(c.data), [11]);
      [a, b, c].forEach((t) => t.dispose());
    }
  });
}

test('examples/kernels.js runs and prints the product and a clear shape error', () => {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../examples/kernels.js', import.meta.url))], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /a · bᵀ = \[\s*1,\s*2,\s*3,\s*6,\s*4,\s*5,\s*6,\s*15\s*\]/);
  assert.match(r.stdout, /error  : gemm: /);
});

test.run();
