// The Node versions bioprop supports (package.json engines) agree with every dependency's own engines
// field, the suite runs on one of them, and the README names the majors .ci/run tests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const ROOT = new URL('../../../', import.meta.url);
const read = (f: string) => readFileSync(fileURLToPath(new URL(f, ROOT)), 'utf8');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
const SUPPORTED = pkg.engines.node;

/** The oldest `major.minor.0` of each major from 18 to 26 that the range allows. */
function oldestPerMajor(range: string): string[] {
  const out: string[] = [];
  for (let major = 18; major <= 26; major++) {
    for (let minor = 0; minor <= 40; minor++) {
      if (semver.satisfies(`${major}.${minor}.0`, range)) {
        out.push(`${major}.${minor}.0`);
        break;
      }
    }
  }
  return out;
}

test('engines: every dependency installed from the lockfile supports each Node version bioprop supports', () => {
  const versions = oldestPerMajor(SUPPORTED);
  const clashes: string[] = [];
  for (const [path, p] of Object.entries(lock.packages)) {
    const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
    if (!path || !range) continue;
    for (const v of versions) if (!semver.satisfies(v, range)) clashes.push(`${path.replace(/^node_modules\//, '')} wants node ${range}, bioprop supports ${v}`);
  }
  assert.equal(clashes, [], clashes.join('\n'));
  assert.equal(versions, ['20.19.0', '22.12.0', '23.0.0', '24.0.0', '25.0.0', '26.0.0'], `supported: ${SUPPORTED}`);
});

test('the suite runs on a supported Node; the README names the majors .ci/run tests', () => {
  assert.ok(semver.satisfies(process.versions.node, SUPPORTED), `node ${process.versions.node} in ${SUPPORTED}`);
  const majors = /NODE_MAJORS="([\d ]+)"/.exec(read('.ci/run'))?.[1]?.trim().split(/\s+/);
  assert.ok(majors && majors.length > 0, '.ci/run lists NODE_MAJORS');
  const readme = read('README.md');
  const tested = /Tested on Node ([\d, and]+)\s\(/.exec(readme)?.[1];
  assert.ok(tested, 'the README says which Node majors were tested');
  for (const m of majors) assert.match(tested, new RegExp(`\\b${m}\\b`), `README names Node ${m}`);
  assert.ok(readme.includes(`\`${SUPPORTED}\``), `the README gives the supported range ${SUPPORTED}`);
});

test.run();
