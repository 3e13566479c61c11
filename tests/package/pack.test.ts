// The package as a user gets it: `npm pack`, unpacked into a fresh project's node_modules (its
// dependencies linked from this checkout's node_modules, so no network is needed), then
// - type-checked: an import of 'bioprop' under strict, target ES2022, module NodeNext, no skipLibCheck
//   and no extra `lib` entries (TypeScript from this checkout's devDependencies), with the custom-rule
//   guide's example (examples/custom-rule.ts) as the user's own file;
// - imported: `import` works, the exported wasm path resolves to a file, and `require('bioprop')` fails
//   with a message that shows the import to use.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSC = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');

function sh(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Packs the checkout and unpacks it as `proj/node_modules/bioprop`, as `npm install bioprop-x.tgz` would. */
function installPacked(): string {
  const tmp = mkdtempSync(join(tmpdir(), 'bioprop-pack-'));
  const packed = sh('npm', ['pack', '--json', '--pack-destination', tmp], ROOT);
  assert.is(packed.code, 0, packed.err);
  const tgz = join(tmp, (JSON.parse(packed.out) as { filename: string }[])[0]!.filename);
  const proj = join(tmp, 'proj');
  const pkgDir = join(proj, 'node_modules', 'bioprop');
  mkdirSync(pkgDir, { recursive: true });
  const untar = sh('tar', ['xzf', tgz, '-C', pkgDir, '--strip-components=1'], tmp);
  assert.is(untar.code, 0, untar.err);
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of Object.keys(manifest.dependencies)) {
    mkdirSync(dirname(join(proj, 'node_modules', dep)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', dep), join(proj, 'node_modules', dep), 'dir');
  }
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  return proj;
}

const proj = installPacked();

test('the published types compile in a strict ES2022 / NodeNext project without skipLibCheck or extra libs', () => {
  writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, skipLibCheck: false },
    include: ['main.ts', 'drtp.ts'],
  }));
  // The custom-rule guide's example, as a user's own file.
  copyFileSync(join(ROOT, 'examples', 'custom-rule.ts'), join(proj, 'drtp.ts'));
  writeFileSync(join(proj, 'main.ts'), [
    "import { load, Network, Trainer, loadDataset, defineRule, chain, localGrads, type Tensor, type Rule } from 'bioprop';",
    'const k = await load();',
    'const a: Tensor = k.tensor([2, 2], [1, 2, 3, 4]);',
    "const net = new Network(k, { sizes: [4, 3, 2], activation: 'tanh', batch: 2, seed: 1 });",
    "const rule: Rule<{ scale: number }, null> = defineRule({ ...(await import('bioprop')).getRule('bp'), id: 'mine', defaults: { scale: 1 }, init: () => null, teach: (ctx) => chain(ctx, (l) => ctx.net.layers[l]!.W), update: (ctx) => localGrads(ctx) });",
    "const trainer = new Trainer(k, net, rule, { epochs: 1 });",
    'void trainer; void loadDataset;',
    'a.dispose(); net.dispose();',
    '',
  ].join('\n'));
  const r = sh(process.execPath, [TSC, '-p', '.'], proj);
  assert.is(r.code, 0, `tsc in the consumer project:\n${r.out}${r.err}`);
});

test("import works, 'bioprop/wasm/release.wasm' resolves to the shipped file, and require() says to import", () => {
  writeFileSync(join(proj, 'use.mjs'), [
    "import { load } from 'bioprop';",
    "import { statSync } from 'node:fs';",
    "import { fileURLToPath } from 'node:url';",
    'const k = await load();',
    'const a = k.tensor([1, 2], [3, 4]), b = k.tensor([1, 2], [5, 6]), c = k.tensor([1, 1]);',
    'k.gemm(c, a, b, { transB: true });',
    "const wasm = fileURLToPath(import.meta.resolve('bioprop/wasm/release.wasm'));",
    'console.log(JSON.stringify({ dot: c.data[0], wasmBytes: statSync(wasm).size }));',
    '',
  ].join('\n'));
  const r = sh(process.execPath, ['use.mjs'], proj);
  assert.is(r.code, 0, r.err);
  const got = JSON.parse(r.out) as { dot: number; wasmBytes: number };
  assert.is(got.dot, 3 * 5 + 4 * 6);
  assert.ok(got.wasmBytes > 1000, 'the exported wasm file is there');
  const cjs = sh(process.execPath, ['-e', "require('bioprop')"], proj);
  assert.is.not(cjs.code, 0);
  assert.match(cjs.err, /bioprop is an ES module and cannot be loaded with require\(\)/);
  assert.match(cjs.err, /import \{ load \} from 'bioprop';/);
  assert.match(cjs.err, /await import\('bioprop'\)/);
});

test.after(() => rmSync(dirname(proj), { recursive: true, force: true }));

test.run();
