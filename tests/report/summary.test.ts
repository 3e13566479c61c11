// The report from a fixed small results file: the answer table's values, ordering and formatting, the
// chart data, and the SVG rendering of every chart kind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResults, type ResultLine, type AlignmentEntry, type Raster } from '../../src/report/results.js';
import { summarize, answerTable, fmtAcc, stat } from '../../src/report/summary.js';
import { writeReport, renderSvg } from '../../src/report/render.js';
import { alignmentSpec, depthSpec, ruleStyles, type VlSpec } from '../../src/report/charts.js';
import { rules } from '../../src/rules/index.js';
import type { RuleMeta } from '../../src/report/config.js';

const META: Record<string, RuleMeta> = {
  bp: { id: 'bp', title: 'Backpropagation', cite: '', removes: [], partly: [], spiking: false },
  fa: { id: 'fa', title: 'Feedback alignment', cite: '', removes: ['weightTransport'], partly: [], spiking: false },
  spk: { id: 'spk', title: 'A spiking rule', cite: '', removes: ['weightTransport', 'spiking'], partly: ['derivativeTransport'], spiking: true },
};

// One result line. `acc` is the final test accuracy; `secs` the seconds of each epoch; limit 60000 unless given.
function line(rule: string, dataset: 'mnist' | 'fashion-mnist', depth: number, mode: 'rate' | 'spiking', seed: number, acc: number | null, secs = 1, extra: Record<string, unknown> = {}): ResultLine {
  const argv = ['--rule', rule, '--dataset', dataset, '--hidden', String(depth), '--seed', String(seed), ...(mode === 'spiking' ? ['--spiking'] : [])];
  const run = { rule, dataset, depth, width: 8, mode, seed, argv };
  const base = { key: argv.join(' '), run, meta: META[rule], wallSeconds: 2, finishedAt: '2025-01-01T00:00:00Z' };
  if (acc === null) return { ...base, status: 'error', error: `${rule} diverged at epoch 1, batch 3: the loss is NaN. Lower the learning rate` };
  return {
    ...base, status: 'ok',
    record: {
      rule, dataset, hidden: Array(depth).fill(8), spiking: mode === 'spiking', epochs: 2, seed, testAccuracy: acc, trainAccuracy: acc, seconds: 2 * secs, cancelled: false,
      history: [
        { epoch: 1, trainLoss: 1, trainAccuracy: acc - 0.1, testAccuracy: acc - 0.1, testLoss: 1, lr: 0.1, seconds: secs, ...(extra.alignment ? { alignment: extra.alignment as AlignmentEntry[] } : {}) },
        { epoch: 2, trainLoss: 0.5, trainAccuracy: acc, testAccuracy: acc, testLoss: 0.5, lr: 0.1, seconds: secs, ...(extra.alignment ? { alignment: extra.alignment as AlignmentEntry[] } : {}) },
      ],
      ...(extra.raster ? { raster: extra.raster as Raster } : {}),
    },
  };
}

const align = [{ layer: 1, updateAngleDeg: 40, weightAngleDeg: 50, normRatio: 1 }, { layer: 2, updateAngleDeg: 20, weightAngleDeg: 30, normRatio: 1 }];
const raster = { layer: 1, steps: 10, neurons: 3, spikes: [[0, 0], [3, 1], [7, 2], [9, 0]] };
const FIXTURE: ResultLine[] = [
  line('bp', 'mnist', 1, 'rate', 1, 0.97), line('bp', 'mnist', 1, 'rate', 2, 0.99),
  line('bp', 'mnist', 3, 'rate', 1, 0.975), line('bp', 'mnist', 3, 'rate', 2, 0.985),
  line('bp', 'fashion-mnist', 3, 'rate', 1, 0.88), line('bp', 'fashion-mnist', 3, 'rate', 2, 0.9),
  line('fa', 'mnist', 1, 'rate', 1, 0.96, 1.5, { alignment: align }), line('fa', 'mnist', 1, 'rate', 2, 0.94, 1.5),
  line('fa', 'mnist', 3, 'rate', 1, 0.95, 1.5, { alignment: align }), line('fa', 'mnist', 3, 'rate', 2, null),
  line('fa', 'fashion-mnist', 3, 'rate', 1, 0.85, 1.5), line('fa', 'fashion-mnist', 3, 'rate', 2, 0.83, 1.5),
  line('spk', 'mnist', 1, 'rate', 1, 0.92, 2), line('spk', 'mnist', 3, 'rate', 1, 0.96, 2),
  line('spk', 'mnist', 1, 'spiking', 1, 0.91, 10), line('spk', 'mnist', 3, 'spiking', 1, 0.89, 20, { raster }),
];
// The file as written: JSON lines, plus a half-written last line (killed mid-write) that must be ignored.
const TEXT = FIXTURE.map((l) => JSON.stringify(l)).join('\n') + '\n' + JSON.stringify(line('fa', 'mnist', 5, 'rate', 1, 0.5)).slice(0, 70);

const EXPECTED = `| rule | spiking? | deepest depth that works (MNIST, rate / spiking) | MNIST accuracy % (3 hidden, rate / spiking) | Fashion-MNIST accuracy % (3 hidden, rate / spiking) | epoch time vs bp (rate / spiking) | objections removed |
| --- | --- | --- | --- | --- | --- | --- |
| bp | no | 3 / — | 98.00 ± 0.71 / — | 89.00 ± 1.41 / — | 1.00× / — | none |
| spk | yes | 3 / 1 | 96.00 / 89.00 | — / — | 2.00× / 14.14× | WT DT◐ SP |
| fa | no | 1 / — | 95.00 (1 failed) / — | 84.00 ± 1.41 / — | 1.50× / — | WT |
`;

test('a truncated last line is ignored; every other line is read', () => {
  const r = parseResults(TEXT);
  assert.is(r.lines.length, FIXTURE.length);
  assert.ok(r.truncatedBytes === 70);
  assert.throws(() => parseResults('{"key":1}\n'), /line 1 is not a sweep result/);
  assert.throws(() => parseResults('{"key"\n{}\n'), /line 1 is not valid JSON/);
});

test('the answer table from a fixed results file: values, ordering, formatting', () => {
  const rep = summarize(parseResults(TEXT).lines);
  assert.is(rep.referenceDepth, 3);
  assert.equal(rep.datasets, ['mnist', 'fashion-mnist']);
  assert.equal(rep.runs, { ok: 15, failed: 1 });
  assert.fixture(answerTable(rep), EXPECTED);
});

test('chart data: depth points, curves, alignment per layer, the raster at the reference depth', () => {
  const rep = summarize(FIXTURE);
  const fa1 = rep.depthPoints.find((p) => p.rule === 'fa' && p.depth === 1 && p.dataset === 'mnist')!;
  assert.ok(Math.abs(fa1.accuracy - 0.95) < 1e-12 && fa1.n === 2);
  const bpCurve = rep.curves.filter((c) => c.rule === 'bp' && c.dataset === 'mnist' && c.depth === 3).map((c) => +c.testAccuracy.toFixed(6));
  assert.equal(bpCurve, [0.88, 0.98]);
  assert.equal(rep.alignment.filter((a) => a.depth === 3).map((a) => [a.rule, a.epoch, a.layer, a.updateAngleDeg]), [['fa', 1, 1, 40], ['fa', 1, 2, 20], ['fa', 2, 1, 40], ['fa', 2, 2, 20]]);
  assert.is(rep.raster?.rule, 'spk');
  assert.is(rep.raster?.depth, 3);
  assert.is(rep.failures.length, 1);
});

test('alignment chart: 0-90° axis, up to 180° once an update points against backprop', () => {
  const pt = (rule: string, updateAngleDeg: number) => ({ rule, dataset: 'mnist' as const, mode: 'rate' as const, depth: 3, epoch: 1, layer: 0, updateAngleDeg });
  const y = (spec: ReturnType<typeof alignmentSpec>) => (spec.spec as { encoding: { y: { scale: { domain: number[] } } } }).encoding;
  assert.equal(y(alignmentSpec([pt('fa', 40), pt('dfa', 89.9)])).y.scale.domain, [0, 90]);
  assert.equal(y(alignmentSpec([pt('fa', 40), pt('superspike', 103)])).y.scale.domain, [0, 180]);
});

type Enc = { field?: string; title?: string; scale?: { domain: string[]; range: string[] } };
type Layer = { mark: { type: string; filled?: boolean }; transform?: unknown[]; encoding?: Record<string, Enc> };

test('rules are told apart by colour and shape: 19 rules, 19 different pairs, the same in every chart, the legend lists the rules drawn', () => {
  const ids = Object.keys(rules);
  assert.ok(ids.length >= 19);
  const styles = ruleStyles(ids, ids);
  const pairs = new Set([...styles.values()].map((st) => `${st.color} ${st.shape}`));
  assert.is(pairs.size, ids.length, 'no two rules share a colour and a shape');
  assert.is(new Set([...styles.values()].map((st) => st.color)).size, 10, 'ten colours');
  const dp = (rule: string, depth: number) => ({ rule, dataset: 'mnist' as const, mode: 'rate' as const, depth, accuracy: 0.9, sd: 0, n: 1 });
  const ap = (rule: string, epoch: number) => ({ rule, dataset: 'mnist' as const, mode: 'rate' as const, depth: 3, epoch, layer: 0, updateAngleDeg: 40 });
  const depth = depthSpec(ids.flatMap((r) => [dp(r, 1), dp(r, 3)]), ids);
  const align = alignmentSpec(['fa', 'dfa'].flatMap((r) => [ap(r, 1), ap(r, 2)]), ids);
  const enc = (spec: VlSpec) => ((spec.spec ?? spec) as { encoding: Record<string, Enc>; layer: Layer[] });
  const colorOf = (spec: VlSpec, rule: string) => { const c = enc(spec).encoding.color!.scale!; return c.range[c.domain.indexOf(rule)]; };
  const shapeOf = (spec: VlSpec, rule: string) => { const c = enc(spec).layer[1]!.encoding!.shape!.scale!; return c.range[c.domain.indexOf(rule)]; };
  for (const r of ['fa', 'dfa']) {
    assert.is(colorOf(align, r), colorOf(depth, r), `${r}: same colour in both charts`);
    assert.is(shapeOf(align, r), shapeOf(depth, r), `${r}: same shape in both charts`);
  }
  assert.equal(enc(align).encoding.color!.scale!.domain, ['fa', 'dfa'], 'the alignment legend lists only the rules it draws');
  // colour and shape share field and title: one legend whose symbols carry both
  assert.equal([enc(depth).encoding.color!.title, enc(depth).layer[1]!.encoding!.shape!.title], ['rule', 'rule']);
});

test('charts: rate and spiking runs differ by dash and by hollow points; one mode has neither', () => {
  const pt = (mode: 'rate' | 'spiking', depth: number) => ({ rule: 'fa', dataset: 'mnist' as const, mode, depth, accuracy: 0.9, sd: 0, n: 1 });
  const layers = (spec: ReturnType<typeof depthSpec>) => spec.layer as Layer[];
  const [line, rate, spiking] = layers(depthSpec([pt('rate', 1), pt('spiking', 1)]));
  assert.is(line!.mark.type, 'line');
  assert.equal(line!.encoding?.strokeDash, { field: 'mode', type: 'nominal', title: 'neurons' } as Enc);
  assert.equal([rate!.mark.type, rate!.mark.filled, spiking!.mark.type, spiking!.mark.filled], ['point', true, 'point', false]);
  const one = layers(depthSpec([pt('rate', 1), pt('rate', 2)]));
  assert.is(one.length, 2);
  assert.is(one[0]!.encoding, undefined, 'no dash with one mode');
});

test('alignment chart with two datasets: a row of panels per dataset, so no line joins two datasets; the rendered legend lists the rules drawn, once', async () => {
  const ap = (rule: string, dataset: 'mnist' | 'fashion-mnist', epoch: number, layer: number) => ({ rule, dataset, mode: 'rate' as const, depth: 3, epoch, layer, updateAngleDeg: 30 + epoch });
  const pts = ['fa', 'dfa', 'sign'].flatMap((r) => (['mnist', 'fashion-mnist'] as const).flatMap((d) => [1, 2, 3].flatMap((e) => [ap(r, d, e, 0), ap(r, d, e, 1)])));
  const spec = alignmentSpec(pts, ['bp', 'fa', 'dfa', 'sign']);
  assert.equal((spec.facet as { row: { field: string } }).row.field, 'dataset');
  assert.equal((spec.facet as { column: { field: string } }).column.field, 'layerName');
  const svg = await renderSvg(spec);
  const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  for (const r of ['fa', 'dfa', 'sign']) assert.is(labels.filter((t) => t === r).length, 1, `'${r}' once in the legend`);
  assert.not.ok(labels.includes('bp'), 'a rule that is not drawn is not in the legend');
  assert.is(labels.filter((t) => t === 'rule').length, 1, 'one rule legend (colour and shape merged)');
});

test('accuracy formatting: one seed has no sd, all failed says so', () => {
  assert.is(fmtAcc({ stat: stat([0.5]), failed: 0 }), '50.00');
  assert.is(fmtAcc({ stat: stat([]), failed: 2 }), 'failed');
  assert.is(fmtAcc(undefined), '—');
});

test('writeReport: report.md with the table and every chart as SVG, report.json parses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-report-'));
  await writeReport(dir, FIXTURE, { provenance: ['fixture'] });
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.ok(md.includes(EXPECTED), 'report.md holds the answer table');
  for (const f of ['accuracy-vs-depth', 'learning-curves', 'alignment', 'raster']) {
    const svg = readFileSync(join(dir, 'charts', `${f}.svg`), 'utf8');
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(md.includes(`(charts/${f}.svg)`), `report.md links ${f}`);
  }
  assert.match(readFileSync(join(dir, 'charts', 'accuracy-vs-depth.svg'), 'utf8'), />fa</);
  const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  assert.is(json.answer[0].rule, 'bp');
  // Without alignment or raster data those charts are left out.
  const dir2 = mkdtempSync(join(tmpdir(), 'bioprop-report-'));
  await writeReport(dir2, FIXTURE.filter((l) => l.run.rule === 'bp'), { provenance: ['fixture'] });
  assert.not.ok(existsSync(join(dir2, 'charts', 'alignment.svg')));
  assert.match(readFileSync(join(dir2, 'report.md'), 'utf8'), /No run recorded alignment angles/);
});

test('mixed widths (imported runs): the common width leads, another width is labelled, epoch time compares with bp at the same width', () => {
  const at = (l: ResultLine, width: number): ResultLine => {
    const argv = [...l.run.argv, '--width-tag', String(width)];
    return { ...l, key: argv.join(' '), run: { ...l.run, width, argv } };
  };
  const lines = [
    at(line('bp', 'mnist', 3, 'rate', 1, 0.98, 10), 8), at(line('fa', 'mnist', 3, 'rate', 1, 0.97, 12), 8),
    at(line('bp', 'mnist', 3, 'rate', 1, 0.985, 30), 500), at(line('spk', 'mnist', 3, 'rate', 1, 0.984, 300), 500),
    at(line('fa', 'mnist', 1, 'rate', 1, 0.96, 5), 8),
  ];
  const rep = summarize(lines);
  assert.is(rep.width, 8);
  const row = (id: string) => rep.answer.find((r) => r.rule === id)!;
  assert.is(fmtAcc(row('bp').accuracy.mnist!.rate), '98.00', 'bp at the common width, unlabelled');
  assert.is(fmtAcc(row('spk').accuracy.mnist!.rate), '98.40 (500 wide)');
  assert.ok(Math.abs(row('spk').relTime.rate! - 10) < 1e-9, `spk vs bp at width 500: ${row('spk').relTime.rate}`);
  assert.ok(Math.abs(row('fa').relTime.rate! - 1.2) < 1e-9, `fa vs bp at width 8: ${row('fa').relTime.rate}`);
  assert.equal(rep.depthPoints.filter((d) => d.rule === 'bp').map((d) => d.accuracy), [0.98], 'one bp point per depth (the common width)');
  assert.is(rep.curves.filter((c) => c.rule === 'bp').length, 2, 'one bp curve (2 epochs)');
});

test('a budget too small to judge: the report says so above the answer table and gives no verdict, only each rule against bp; single-epoch charts are left out with the reason', async () => {
  // The quick preset's budget: one epoch on 3 500 examples.
  const quick = (l: ResultLine): ResultLine => {
    if (l.status !== 'ok') return l;
    const argv = [...l.run.argv, '--epochs', '1', '--limit', '3500'];
    return { ...l, key: argv.join(' '), run: { ...l.run, argv }, record: { ...l.record, epochs: 1, trainExamples: 3500, history: [{ ...l.record.history[1]!, epoch: 1 }] } };
  };
  const lines = FIXTURE.map(quick);
  const rep = summarize(lines);
  assert.equal(rep.budget, { judged: false, minExamplesSeen: 3500, epochs: 1, trainExamples: 3500 });
  const table = answerTable(rep);
  assert.match(table, /\| rule \| spiking\? \| vs bp at this budget, points \(MNIST, 3 hidden, rate \/ spiking\) \|/);
  assert.not.match(table, /deepest depth that works/);
  assert.match(table, /\| fa \| no \| −3\.00 \/ — \| 95\.00 \(1 failed\)/, 'fa 95.00 vs bp 98.00 at 3 hidden');
  assert.match(table, /\| bp \| no \| \+0\.00 \/ — \|/);
  assert.equal(summarize(FIXTURE).budget.judged, true, 'two full epochs are judged');
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-report-'));
  await writeReport(dir, lines, { provenance: ['quick'] });
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.match(md, /## The answer\n\n\*\*This budget is too small to judge\.\*\* The shortest run trained 1 epoch on 3,500 examples, fewer than one pass over the 60,000 training examples/);
  assert.match(md, /\| fa \| mnist \| 1 \| rate \| 2 \| 95\.00 ± 1\.41 \| 1\.50 \| — \|/, 'no "works" verdict per cell');
  for (const f of ['learning-curves', 'alignment']) assert.not.ok(existsSync(join(dir, 'charts', `${f}.svg`)), `${f}: one point per rule, left out`);
  assert.match(md, /## Learning curves\n\nEvery run trained a single epoch: one point per rule is not a curve, so the chart is left out\./);
  assert.match(md, /## Gradient alignment\n\nAlignment was measured in a single epoch of each run: one point per rule and layer is not a curve, so the chart is left out\./);
  assert.ok(existsSync(join(dir, 'charts', 'accuracy-vs-depth.svg')), 'two depths still draw a line');
});

test.run();
