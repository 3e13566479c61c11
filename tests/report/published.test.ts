// Each rule against its published MNIST figure: the verdict's arithmetic at its boundaries, the cell it is
// held against (the figure's form), an entry for every registered rule, and the report section.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rules } from '../../src/rules/index.js';
import { PUBLISHED, MATCH_POINTS, verdict, publishedRows, type PublishedFigure } from '../../src/report/published.js';
import { publishedTable, type AnswerRow, type Report } from '../../src/report/summary.js';

const FIG: PublishedFigure = { accuracy: 98, network: 'n', mlp: true, spiking: false, source: 's', checked: true };
const at = (pct: number) => ({ n: 3, mean: pct / 100, sd: 0.001 });

test('verdict: within ±0.3 points matches, beyond beats or misses; conv figures, no figure and no cell said so', () => {
  assert.is(MATCH_POINTS, 0.3);
  assert.is(verdict(FIG, at(98.3 - 1e-9)), 'matches');
  assert.is(verdict(FIG, at(97.7 + 1e-9)), 'matches');
  assert.is(verdict(FIG, at(98.31)), 'beats');
  assert.is(verdict(FIG, at(97.69)), 'misses');
  assert.is(verdict({ ...FIG, mlp: false }, at(99.9)), 'not comparable');
  assert.is(verdict({ none: 'why' }, at(98)), 'no figure');
  assert.is(verdict(undefined, at(98)), 'no figure');
  assert.is(verdict(FIG, undefined), 'not run');
  assert.is(verdict(FIG, { n: 0, mean: NaN, sd: NaN }), 'not run');
});

test('every registered rule has a published figure or the reason it has none; figures are accuracies in %', () => {
  for (const id of Object.keys(rules)) {
    const f = PUBLISHED[id];
    assert.ok(f, `${id}: no entry in src/report/published.ts`);
    if ('none' in f!) assert.ok(f.none.length > 20, id);
    else assert.ok(f!.accuracy > 50 && f!.accuracy < 100 && f!.source.length > 10, id);
  }
});

const row = (rule: string, acc: AnswerRow['accuracy']): AnswerRow => ({ rule, title: rule, spiking: true, deepest: {}, accuracy: acc, relTime: {}, vsBp: {}, removes: [], partly: [] });

test('a spiking figure is held against the spiking cell, a rate figure against the rate cell', () => {
  const cell = (p: number) => ({ stat: at(p), failed: 0 });
  const rows = publishedRows([row('erbp', { mnist: { spiking: cell(97.5) } }), row('fa', { mnist: { rate: cell(98.1), spiking: cell(94) } }), row('nef', { mnist: { spiking: cell(98) } })]);
  assert.equal(rows.map((r) => [r.rule, r.mode, r.verdict]), [['erbp', 'spiking', 'misses'], ['fa', 'rate', 'matches'], ['nef', 'spiking', 'not comparable']]);
  const md = publishedTable({ referenceDepth: 3, published: rows } as unknown as Report);
  assert.match(md, /^## Against the published figures/);
  assert.match(md, /\| erbp \| 98\.00 \(unchecked\) \| .* \| 97\.50 ± 0\.10 \(spiking\) \| misses \|/);
  assert.match(md, /\| nef \| 99\.12 \| conv net/);
});

test.run();
