// Vega-Lite specs of the report's charts: accuracy vs depth, learning curves, alignment angles, spike
// raster. Plain data in, a spec object out; the same functions feed the Node SVG renderer
// (src/report/render.ts) and the browser page (src/web/main.ts). Browser-safe.
import type { CurvePoint, DepthPoint, AlignPoint } from './summary.js';
import type { Raster } from './results.js';

export type VlSpec = Record<string, unknown>;

const WIDTH = 360, HEIGHT = 220;
const pct = { format: '.1%' };
// Ten strong colours (no pastels) and seven point shapes: rule i gets colour i mod 10 and shape i mod 7,
// so no two of the first 70 rules look alike, and neighbours in the list differ in both.
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right'];

/** A rule's colour and point shape in every chart. */
export interface RuleStyle { color: string; shape: string }

/**
 * The style of each rule by its place in `order` (a report passes all its rules, so a rule looks the
 * same in every chart; rules missing from `order` follow it, sorted).
 */
export function ruleStyles(rules: Iterable<string>, order: readonly string[] = []): Map<string, RuleStyle> {
  const all = [...order, ...[...new Set(rules)].filter((r) => !order.includes(r)).sort()];
  return new Map(all.map((r, i) => [r, { color: COLORS[i % COLORS.length]!, shape: SHAPES[i % SHAPES.length]! }]));
}

// Lines with points, one colour and one point shape per rule; the colour and shape channels share the
// field and title, so Vega-Lite draws one "rule" legend whose symbols have both. The legend lists the
// rules drawn, no others. With rate and spiking runs, lines are dashed by mode ("neurons" legend) and
// spiking points are hollow. A line mark cannot take a shape, hence a line layer and point layers.
// `points`: 'all' marks every point; { lastOf } only each series' last one (long curves stay legible),
// a series being the points that share the `lastOf` fields.
function ruleLines(rows: readonly { mode: string; rule: string }[], encoding: Record<string, unknown>, points: 'all' | { lastOf: string[]; x: string }, order: readonly string[] = []): VlSpec {
  const styles = ruleStyles(rows.map((r) => r.rule), order);
  const domain = [...styles.keys()].filter((r) => rows.some((x) => x.rule === r));
  const color = { field: 'rule', type: 'nominal', title: 'rule', scale: { domain, range: domain.map((r) => styles.get(r)!.color) } };
  const shape = { field: 'rule', type: 'nominal', title: 'rule', scale: { domain, range: domain.map((r) => styles.get(r)!.shape) } };
  const modes = new Set(rows.map((r) => r.mode)).size > 1;
  const line = { mark: { type: 'line' }, ...(modes ? { encoding: { strokeDash: { field: 'mode', type: 'nominal', title: 'neurons' } } } : {}) };
  const last = points === 'all' ? [] : [
    { joinaggregate: [{ op: 'max', field: points.x, as: 'lastX' }], groupby: points.lastOf },
    { filter: `datum.${points.x} === datum.lastX` },
  ];
  const dots = (mode: string | null) => ({
    transform: [...last, ...(mode ? [{ filter: { field: 'mode', equal: mode } }] : [])],
    mark: { type: 'point', filled: mode !== 'spiking', size: 50, opacity: 1 }, encoding: { shape },
  });
  return { encoding: { ...encoding, color }, layer: [line, ...(modes ? [dots('rate'), dots('spiking')] : [dots(null)])] };
}
const facetByDataset = (rows: readonly { dataset: string }[]) => new Set(rows.map((r) => r.dataset)).size > 1;

function wrap(spec: VlSpec, title: string, rows: readonly { dataset: string }[]): VlSpec {
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, background: 'white', config: { font: 'sans-serif' } };
  if (!facetByDataset(rows)) return { ...base, width: WIDTH, height: HEIGHT, ...spec };
  const { data, ...inner } = spec;
  return { ...base, data, facet: { column: { field: 'dataset', type: 'nominal', title: null, sort: ['mnist', 'fashion-mnist'] } }, spec: { width: WIDTH, height: HEIGHT, ...inner } };
}

/** Mean test accuracy against the number of hidden layers, one line per rule (dashed: spiking). */
export function depthSpec(points: readonly DepthPoint[], order: readonly string[] = []): VlSpec {
  return wrap({
    data: { values: points.map((p) => ({ ...p })) },
    ...ruleLines(points, {
      x: { field: 'depth', type: 'quantitative', title: 'hidden layers', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', axis: pct, scale: { zero: false } },
      tooltip: [{ field: 'rule' }, { field: 'mode' }, { field: 'depth' }, { field: 'accuracy', format: '.2%' }, { field: 'n', title: 'seeds' }],
    }, 'all', order),
  }, 'Accuracy vs depth', points);
}

/** Test accuracy per epoch, one line per rule. */
export function curvesSpec(points: readonly CurvePoint[], title = 'Learning curves', order: readonly string[] = []): VlSpec {
  return wrap({
    data: { values: points.map((p) => ({ ...p })) },
    ...ruleLines(points, {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'testAccuracy', type: 'quantitative', title: 'test accuracy', axis: pct, scale: { zero: false } },
    }, points.length < 200 ? 'all' : { lastOf: ['rule', 'dataset', 'mode'], x: 'epoch' }, order),
  }, title, points);
}

/**
 * Angle between each rule's update and backprop's, against epoch: one panel per layer, and one row of
 * panels per dataset when there are several (a line never joins two datasets' runs).
 */
export function alignmentSpec(points: readonly AlignPoint[], order: readonly string[] = []): VlSpec {
  const layers = new Set(points.map((p) => p.layer)).size;
  // 0-90° unless an update points against backprop's (> 90°, e.g. early random feedback): then up to 180°.
  const top = points.some((p) => p.updateAngleDeg > 90) ? 180 : 90;
  const layerFacet = { field: 'layerName', type: 'ordinal', title: null };
  const byDataset = facetByDataset(points);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: 'Angle to the backprop update', background: 'white', config: { font: 'sans-serif' },
    data: { values: points.map((p) => ({ ...p, layerName: `layer ${p.layer}` })) },
    ...(byDataset
      ? { facet: { row: { field: 'dataset', type: 'nominal', title: null, sort: ['mnist', 'fashion-mnist'] }, column: layerFacet } }
      : { facet: layerFacet, columns: Math.min(4, layers) }),
    spec: {
      width: 200, height: 160,
      ...ruleLines(points, {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'updateAngleDeg', type: 'quantitative', title: 'angle (degrees)', scale: { domain: [0, top] } },
      }, points.length < 200 ? 'all' : { lastOf: ['rule', 'dataset', 'mode', 'layer'], x: 'epoch' }, order),
    },
  };
}

/** Spikes as dots: time step against neuron index. */
export function rasterSpec(r: Raster, title = 'Spike raster'): VlSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, background: 'white', config: { font: 'sans-serif' },
    width: WIDTH, height: Math.min(300, Math.max(80, 6 * r.neurons)),
    data: { values: r.spikes.map(([t, i]) => ({ t, neuron: i })) },
    mark: { type: 'tick', orient: 'vertical', thickness: 1 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time step', scale: { domain: [0, r.steps] } },
      y: { field: 'neuron', type: 'ordinal', title: `layer ${r.layer} neuron`, axis: r.neurons > 30 ? { labels: false, ticks: false } : {} },
    },
  };
}
