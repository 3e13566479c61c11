// The browser page: choose a rule, a dense network (depth, width) or LeNet-5, and a budget, train in a Web Worker (worker.ts), and watch
// the live learning curve, the test accuracy, the per-layer alignment angle (for rules and builds that
// record it), a few test digits with their predictions and, in spiking mode, a spike raster. Charts are
// the report's Vega-Lite specs (src/report/charts.ts), drawn by vega / vega-lite loaded as page scripts.
import { rules, noConvReason } from '../rules/index.js';
import { maxPoolInSpiking, parseArch } from '../net/arch.js';
import { curvesSpec, alignmentSpec, rasterSpec, type VlSpec } from '../report/charts.js';
import type { CurvePoint, AlignPoint } from '../report/summary.js';
import type { StartMessage, WorkerMessage } from './worker.js';

interface VegaGlobal {
  View: new (runtime: unknown, o: { renderer: string; container: HTMLElement; hover?: boolean }) => { runAsync(): Promise<unknown>; finalize(): void };
  parse(spec: unknown): unknown;
}
const g = globalThis as unknown as { vega?: VegaGlobal; vegaLite?: { compile(spec: unknown): { spec: unknown } } };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = {
  rule: $<HTMLSelectElement>('rule'), arch: $<HTMLSelectElement>('arch'), depth: $<HTMLSelectElement>('depth'), width: $<HTMLSelectElement>('width'),
  limit: $<HTMLInputElement>('limit'), epochs: $<HTMLInputElement>('epochs'), spiking: $<HTMLInputElement>('spiking'),
  start: $<HTMLButtonElement>('start'), stop: $<HTMLButtonElement>('stop'),
};
const status = $('status'), accuracy = $('accuracy');

for (const r of Object.values(rules)) form.rule.add(new Option(`${r.id} — ${r.title}`, r.id));
const syncSpiking = () => {
  const r = rules[form.rule.value], conv = form.arch.value !== '';
  const only = !!r?.spiking?.only; // superspike, erbp, nef: spiking neurons always
  // Spiking layers cannot max-pool: the max-pooled LeNet-5 runs on rate neurons only.
  const maxPool = conv ? maxPoolInSpiking(parseArch(form.arch.value), 'network') : null;
  const noConvSpiking = conv ? r?.spiking?.noConv : undefined; // a conv form on rate neurons only
  form.spiking.disabled = !r?.spiking || only || !!maxPool || !!noConvSpiking;
  if (!r?.spiking || maxPool || noConvSpiking) form.spiking.checked = false;
  if (only && !maxPool) form.spiking.checked = true;
  $('spiking-note').textContent = !r?.spiking ? '(this rule runs on rate neurons only)' : only ? '(this rule always runs spiking)' : maxPool ? '(spiking layers need average pooling: LeNet-5, average pooling)'
    : noConvSpiking ? `(not on LeNet-5: ${noConvSpiking})` : '';
  form.depth.disabled = form.width.disabled = conv; // LeNet-5 fixes its layers
  // A rule without a convolutional form cannot train LeNet-5, nor a spiking-only rule a max-pooled one: say why and keep Train off.
  const refused = conv && !!r && (!r.conv || (only && !!maxPool));
  $('arch-note').textContent = !refused ? '' : !r.conv ? `${r.id} has no convolutional form: ${noConvReason(r)}` : maxPool!;
  if (!worker) form.start.disabled = refused;
};
form.rule.addEventListener('change', syncSpiking);
form.arch.addEventListener('change', syncSpiking);

const views = new Map<string, { finalize(): void }>();
const pending = new Map<string, VlSpec>();
let drawTimer: number | undefined;
/** Draws (or redraws) a chart, at most a few times a second. */
function chart(id: string, spec: VlSpec): void {
  pending.set(id, spec);
  drawTimer ??= window.setTimeout(() => {
    drawTimer = undefined;
    for (const [cid, s] of pending) {
      const { vega, vegaLite } = g;
      if (!vega || !vegaLite) { $(cid).textContent = 'charts need vega and vega-lite (node_modules/vega, vega-lite)'; continue; }
      views.get(cid)?.finalize();
      const view = new vega.View(vega.parse(vegaLite.compile(s).spec), { renderer: 'svg', container: $(cid), hover: false });
      views.set(cid, view);
      void view.runAsync();
    }
    pending.clear();
  }, 200);
}

let worker: Worker | undefined;
let loss: CurvePoint[] = [], curve: CurvePoint[] = [], align: AlignPoint[] = [];

function stop(text?: string) {
  worker?.terminate();
  worker = undefined;
  form.stop.disabled = true;
  syncSpiking();
  if (text) status.textContent = text;
}
syncSpiking();

function start() {
  stop();
  const m: StartMessage = {
    type: 'start', rule: form.rule.value, arch: form.arch.value || null, depth: Number(form.depth.value), width: Number(form.width.value),
    limit: Math.max(100, Math.min(60000, Number(form.limit.value) || 5000)), epochs: Math.max(1, Math.min(50, Number(form.epochs.value) || 3)),
    testLimit: 2000, spiking: form.spiking.checked, seed: 1, threads: Math.max(1, Math.min(64, navigator.hardwareConcurrency || 1)),
  };
  loss = []; curve = []; align = [];
  accuracy.textContent = '—';
  accuracy.dataset.value = '';
  $('digits').replaceChildren();
  $('alignment').textContent = 'No alignment angles recorded for this rule/build.';
  $('raster').textContent = m.spiking ? 'Waiting for spikes…' : 'Rate neurons: no spikes.';
  const mode = m.spiking ? 'spiking' : 'rate';
  // The charts' depth: LeNet-5's four hidden weight layers.
  const base = { rule: m.rule, dataset: 'mnist' as const, mode: mode as 'rate' | 'spiking', depth: m.arch ? 4 : m.depth };
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onerror = (e) => stop(`error: ${e.message}`);
  worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
    const msg = e.data;
    switch (msg.type) {
      case 'status': status.textContent = msg.text; break;
      case 'threads': {
        const el = $('threads');
        el.dataset.value = String(msg.threads);
        el.textContent = msg.threads > 1 ? `training on ${msg.threads} threads`
          : `training on 1 thread${msg.isolated ? '' : ' (this page is not cross-origin isolated, so its workers cannot share memory)'}`;
        break;
      }
      case 'batch': {
        loss.push({ ...base, epoch: msg.epoch + (msg.batch + 1) / msg.batches, testAccuracy: NaN, trainLoss: msg.loss });
        status.textContent = `epoch ${msg.epoch + 1}/${m.epochs}, batch ${msg.batch + 1}/${msg.batches}, loss ${msg.loss.toFixed(4)}`;
        chart('loss', lossSpec(loss));
        break;
      }
      case 'epoch': {
        const r = msg.record;
        curve.push({ ...base, epoch: r.epoch, testAccuracy: r.testAccuracy, trainLoss: r.trainLoss });
        accuracy.textContent = `${(100 * r.testAccuracy).toFixed(2)}%`;
        accuracy.dataset.value = String(r.testAccuracy);
        accuracy.dataset.epoch = String(r.epoch);
        chart('curve', curvesSpec(curve, 'Test accuracy per epoch'));
        for (const a of r.alignment ?? []) if (a.updateAngleDeg !== null) align.push({ ...base, epoch: r.epoch, layer: a.layer, updateAngleDeg: a.updateAngleDeg });
        if (align.length) chart('alignment', alignmentSpec(align));
        break;
      }
      case 'digits': showDigits(msg.images, msg.labels, msg.predictions); break;
      case 'raster': chart('raster', rasterSpec(msg.raster)); break;
      case 'done': stop(`done: test accuracy ${(100 * msg.testAccuracy).toFixed(2)}% in ${msg.seconds.toFixed(1)} s`); status.dataset.done = '1'; break;
      case 'error': stop(`error: ${msg.message}`); break;
    }
  };
  delete status.dataset.done;
  delete $('threads').dataset.value; // set again once this run's worker has loaded
  form.start.disabled = true;
  form.stop.disabled = false;
  worker.postMessage(m);
}

/** Training loss per batch against (fractional) epoch. */
function lossSpec(points: CurvePoint[]): VlSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: 'Training loss', width: 420, height: 200, background: 'white',
    data: { values: points.map((p) => ({ epoch: p.epoch, loss: p.trainLoss })) },
    mark: 'line',
    encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch' }, y: { field: 'loss', type: 'quantitative', title: 'loss (cross-entropy)', scale: { type: 'log' } } },
  };
}

function showDigits(images: Float32Array, labels: number[], predictions: number[]) {
  const box = $('digits');
  box.replaceChildren();
  const side = 28;
  labels.forEach((label, i) => {
    const c = document.createElement('canvas');
    c.width = c.height = side;
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(side, side);
    for (let p = 0; p < side * side; p++) {
      const v = 255 - Math.round(255 * images[i * side * side + p]!);
      img.data.set([v, v, v, 255], 4 * p);
    }
    ctx.putImageData(img, 0, 0);
    const fig = document.createElement('figure');
    const ok = predictions[i] === label;
    fig.className = ok ? 'ok' : 'wrong';
    const cap = document.createElement('figcaption');
    cap.textContent = `${predictions[i]} ${ok ? '✓' : `✗ (${label})`}`;
    fig.append(c, cap);
    box.append(fig);
  });
}

form.start.addEventListener('click', start);
form.stop.addEventListener('click', () => stop('stopped'));
status.textContent = `ready: ${Object.keys(rules).length} rule${Object.keys(rules).length > 1 ? 's' : ''} registered`;
document.body.dataset.ready = '1';
