// The guide's example rule (examples/custom-rule.ts, docs/custom-rule.md), so the guide cannot rot: its
// teaching signals against the equations that define it, and the CLI taking it through --plugin
// (train, rules, and compare with a config that lists it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, Network, Rng, type Backend } from '../../src/index.js';
import drtp from '../../examples/custom-rule.js';

const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
const PLUGIN = fileURLToPath(new URL('../../examples/custom-rule.js', import.meta.url));
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let k: Backend;
test.before(async () => { k = await load(); });

test('drtp: δ_L = e ⊙ f′(a_L) and δ_l = (y* · B_l) ⊙ f′(a_l) for every hidden layer, on a partly filled batch', () => {
  const net = new Network(k, { sizes: [7, 5, 6, 3], activation: 'tanh', batch: 4, seed: 3 });
  try {
    const rows = 3; // the last row of the batch is not part of this step
    const data = new Rng(11);
    net.input.data.set(Array.from({ length: 4 * 7 }, () => data.uniform() * 2 - 1));
    net.target.data.set([0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0]);
    const state = drtp.init(net, drtp.defaults, net.ws, new Rng(5));
    net.forward(rows);
    net.computeLoss(rows);
    drtp.teach({ net, rows, rng: new Rng(1) }, state, drtp.defaults);
    const C = net.classes, L = net.layers.length - 1;
    const y = net.target.data, e = net.error.data;
    for (let l = 0; l <= L; l++) {
      const layer = net.layers[l]!, n = layer.outSize;
      const d = layer.delta.data, f = layer.deriv.data, B = l < L ? state.B[l]!.data : null;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < n; j++) {
          // y* is one-hot, so y* · B_l picks one row of B_l exactly; the product is one float32 rounding.
          let s = 0;
          for (let c = 0; c < C; c++) s += B ? y[r * C + c]! * B[c * n + j]! : 0;
          const want = Math.fround((B ? s : e[r * C + j]!) * f[r * n + j]!);
          assert.is(d[r * n + j], want, `layer ${l} row ${r} unit ${j}`);
        }
      }
    }
    // B_l is [classes, n_l], drawn in (−1/√n_l, 1/√n_l) by default, and the same for the same seed.
    assert.equal(state.B.map((b) => b.shape), [[3, 5], [3, 6]]);
    for (const b of state.B) assert.ok(b.data.every((v) => Math.abs(v) < 1 / Math.sqrt(b.shape[1]!)) && b.data.some((v) => v !== 0));
    const again = drtp.init(net, drtp.defaults, net.ws, new Rng(5));
    assert.equal(Array.from(again.B[1]!.data), Array.from(state.B[1]!.data));
  } finally {
    net.dispose();
  }
});

test('train --plugin: the example rule trains on MNIST well above chance; rules --plugin lists it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-plugin-'));
  const out = join(dir, 'run.json');
  const r = run('train', '--plugin', PLUGIN, '--rule', 'drtp', '--epochs', '3', '--limit', '5000', '--test-limit', '1000', '--schedule', 'constant', '--out', out, '--quiet');
  assert.is(r.code, 0, r.err);
  const rec = JSON.parse(readFileSync(out, 'utf8')) as { rule: string; hidden: number[]; testAccuracy: number };
  assert.is(rec.rule, 'drtp');
  assert.equal(rec.hidden, [256]);
  assert.ok(rec.testAccuracy > 0.6, `test accuracy ${rec.testAccuracy} > 0.6 (chance: 0.1)`);
  const list = run('rules', '--plugin', PLUGIN);
  assert.is(list.code, 0, list.err);
  assert.match(list.out, /drtp\s+Direct random target projection .*Frenkel, Lefebvre & Bol 2021/);
});

test('--plugin errors: a missing file, a module without a rule, a taken id', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-plugin-'));
  const a = run('train', '--plugin', join(dir, 'nope.js'), '--rule', 'drtp');
  assert.is(a.code, 2);
  assert.match(a.err, /--plugin \S+nope\.js: no such file/);
  writeFileSync(join(dir, 'empty.mjs'), 'export const x = 1;\n');
  const b = run('train', '--plugin', join(dir, 'empty.mjs'));
  assert.is(b.code, 2);
  assert.match(b.err, /--plugin \S+empty\.mjs exports no rule: give it 'export default defineRule/);
  writeFileSync(join(dir, 'taken.mjs'), `import { getRule } from ${JSON.stringify(PLUGIN.replace(/examples\/custom-rule\.js$/, 'src/index.js'))};\nexport default { ...getRule('fa') };\n`);
  const c = run('train', '--plugin', join(dir, 'taken.mjs'));
  assert.is(c.code, 2);
  assert.match(c.err, /--plugin \S+taken\.mjs: registerRule 'fa': the id is taken by Feedback alignment; choose another/);
  for (const x of [a, b, c]) assert.not.match(x.err, /\n\s+at /, 'no stack trace');
});

test('compare: a config listing the plugin sweeps the rule (each run loads it) and reports it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-plugin-'));
  const config = join(dir, 'sweep.json');
  writeFileSync(config, JSON.stringify({
    name: 'mine', plugins: [relative(dir, PLUGIN)], rules: ['drtp', 'bp'], datasets: ['mnist'], depths: [1], width: 32, modes: ['rate'],
    seeds: [1], epochs: 1, limit: 1000, testLimit: 500, workers: 1,
  }));
  const results = join(dir, 'results.jsonl');
  const r = run('compare', '--config', config, '--results', results);
  assert.is(r.code, 0, r.err);
  const lines = readFileSync(results, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { status: string; run: { rule: string }; key: string });
  assert.equal(lines.map((l) => [l.run.rule, l.status]).sort(), [['bp', 'ok'], ['drtp', 'ok']]);
  assert.not.match(lines.find((l) => l.run.rule === 'drtp')!.key, /plugin/, 'the plugin file is no part of a run key');
  assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /\| drtp \|/);
  const dry = run('compare', '--preset', 'quick', '--plugin', PLUGIN, '--dry-run');
  assert.is(dry.code, 0, dry.err);
  assert.match(dry.out, /bioprop train --rule drtp --dataset mnist/);
});

test.run();
