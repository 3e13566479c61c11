// Vega-Lite specs of the report's charts: accuracy vs depth, learning curves, alignment angles, spike
// raster. Plain data in, a spec object out; the same functions feed the Node SVG renderer
// (src/report/render.ts) and the browser page (src/web/main.ts). Browser-safe.
import type { CurvePoint, DepthPoint, AlignPoint } from './summary.js';
import type { Raster } from './results.js';

export type VlSpec = Record<string, unknown>;

const WIDTH = 360, HEIGHT = 220;
const pct = { format: '.1%' };
// 20 colours: the report can hold all 19 registered rules without two sharing one (tableau10 repeated after 10).
const ruleColor = { field: 'rule', type: 'nominal', title: 'rule', scale: { scheme: 'tableau20' } };
// Lines with points, one colour per rule. With rate and spiking runs, the lines are dashed by mode and
// the points take a shape by mode: both channels share field and title, so Vega-Lite draws one
// "neurons" legend whose symbols differ (a dash alone left it two equal dots). A line mark cannot take
// a shape, hence a line layer and a point layer.
function ruleLines(rows: readonly { mode: string }[], encoding: Record<string, unknown>, points = true): VlSpec {
  const mode = new Set(rows.map((r) => r.mode)).size > 1 ? { field: 'mode', type: 'nominal', title: 'neurons' } : null;
  const line = { mark: { type: 'line' }, ...(mode ? { encoding: { strokeDash: mode } } : {}) };
  const dots = { mark: { type: 'point', filled: true }, ...(mode ? { encoding: { shape: mode } } : {}) };
  return { encoding: { ...encoding, color: ruleColor }, layer: points ? [line, dots] : [line] };
}
const facetByDataset = (rows: readonly { dataset: string }[]) => new Set(rows.map((r) => r.dataset)).size > 1;

function wrap(spec: VlSpec, title: string, rows: readonly { dataset: string }[]): VlSpec {
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, background: 'white', config: { font: 'sans-serif' } };
  if (!facetByDataset(rows)) return { ...base, width: WIDTH, height: HEIGHT, ...spec };
  const { data, ...inner } = spec;
  return { ...base, data, facet: { column: { field: 'dataset', type: 'nominal', title: null, sort: ['mnist', 'fashion-mnist'] } }, spec: { width: WIDTH, height: HEIGHT, ...inner } };
}

/** Mean test accuracy against the number of hidden layers, one line per rule (dashed: spiking). */
export function depthSpec(points: readonly DepthPoint[]): VlSpec {
  return wrap({
    data: { values: points.map((p) => ({ ...p })) },
    ...ruleLines(points, {
      x: { field: 'depth', type: 'quantitative', title: 'hidden layers', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', axis: pct, scale: { zero: false } },
      tooltip: [{ field: 'rule' }, { field: 'mode' }, { field: 'depth' }, { field: 'accuracy', format: '.2%' }, { field: 'n', title: 'seeds' }],
    }),
  }, 'Accuracy vs depth', points);
}

/** Test accuracy per epoch, one line per rule. */
export function curvesSpec(points: readonly CurvePoint[], title = 'Learning curves'): VlSpec {
  return wrap({
    data: { values: points.map((p) => ({ ...p })) },
    ...ruleLines(points, {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'testAccuracy', type: 'quantitative', title: 'test accuracy', axis: pct, scale: { zero: false } },
    }, points.length < 200),
  }, title, points);
}

/** Angle between each rule's update and backprop's, per layer (one panel per layer), against epoch. */
export function alignmentSpec(points: readonly AlignPoint[]): VlSpec {
  const layers = new Set(points.map((p) => p.layer)).size;
  // 0-90° unless an update points against backprop's (> 90°, e.g. early random feedback): then up to 180°.
  const top = points.some((p) => p.updateAngleDeg > 90) ? 180 : 90;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: 'Angle to the backprop update', background: 'white', config: { font: 'sans-serif' },
    data: { values: points.map((p) => ({ ...p, layerName: `layer ${p.layer}` })) },
    facet: { field: 'layerName', type: 'ordinal', title: null },
    columns: Math.min(4, layers),
    spec: {
      width: 200, height: 160,
      ...ruleLines(points, {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'updateAngleDeg', type: 'quantitative', title: 'angle (degrees)', scale: { domain: [0, top] } },
      }),
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
