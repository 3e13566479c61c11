// The API reference (`npm run docs`: TypeDoc over src/index.ts, typedoc.json) builds without a single
// warning: every type the public API mentions is exported and documented where it is used.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('npm run docs: TypeDoc builds the API reference with no warnings', () => {
  const out = mkdtempSync(join(tmpdir(), 'bioprop-docs-'));
  try {
    const typedoc = join(dirname(createRequire(join(ROOT, 'package.json')).resolve('typedoc/package.json')), 'bin', 'typedoc');
    // typedoc.json sets treatWarningsAsErrors, so a warning also fails the exit code.
    const r = spawnSync(process.execPath, [typedoc, '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    const log = `${r.stdout}${r.stderr}`;
    assert.is(r.status, 0, log);
    assert.not.match(log, /\[warning\]|\[error\]/, log);
    for (const page of ['index.html', 'functions/load.html', 'functions/defineRule.html', 'functions/registerRule.html', 'classes/Trainer.html', 'interfaces/Rule.html']) {
      assert.ok(existsSync(join(out, page)), `${page} generated`);
    }
    assert.match(readFileSync(join(out, 'functions/registerRule.html'), 'utf8'), /Adds a rule of your own to the registry/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
