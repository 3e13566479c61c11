// Writes a report folder from sweep results: report.md, report.json and charts/*.svg. The charts are the
// Vega-Lite specs of charts.ts compiled with vega-lite and rendered to SVG by vega's headless view
// (renderer 'none' + toSVG(): no browser, no canvas; text widths are vega's estimates). Node only.
import { mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultLine } from './results.js';
import { summarize, reportMarkdown, singleEpoch, type Report, type SummaryOptions } from './summary.js';
import { cellChanges, changesMarkdown } from './changes.js';
import { depthSpec, curvesSpec, alignmentSpec, rasterSpec, type VlSpec } from './charts.js';

/** Renders a Vega-Lite spec to an SVG string in Node. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface WriteReportOptions extends SummaryOptions {
  /** Lines for the report header (config, command, date). */
  provenance: string[];
  title?: string;
  /** Written into report.json as is (e.g. the sweep config). */
  config?: unknown;
  /** An earlier report's results: each cell is set against it (a 'Changes from NAME' section). */
  changesFrom?: { name: string; lines: readonly ResultLine[] };
}

/**
 * The chart specs a report has data for, by chart id. Curves and alignment over epochs are left out when
 * every run trained a single epoch (one point per rule draws no curve; reportMarkdown says so).
 */
export function reportSpecs(rep: Report): Partial<Record<'depth' | 'curves' | 'alignment' | 'raster', VlSpec>> {
  const specs: Partial<Record<'depth' | 'curves' | 'alignment' | 'raster', VlSpec>> = {};
  const order = rep.answer.map((r) => r.rule); // a rule keeps its colour and shape from chart to chart
  if (rep.depthPoints.length) specs.depth = depthSpec(rep.depthPoints, order);
  const curves = rep.curves.filter((c) => c.depth === rep.referenceDepth);
  if (curves.length && !singleEpoch(curves)) specs.curves = curvesSpec(curves, `Learning curves (${rep.referenceDepth} hidden layers)`, order);
  const align = rep.alignment.filter((a) => a.depth === rep.referenceDepth);
  if (align.length && !singleEpoch(align)) specs.alignment = alignmentSpec(align, order);
  if (rep.raster) specs.raster = rasterSpec(rep.raster.raster, `Spike raster: ${rep.raster.rule}, ${rep.raster.dataset}, ${rep.raster.depth} hidden, seed ${rep.raster.seed}`);
  return specs;
}

const FILES = { depth: 'accuracy-vs-depth.svg', curves: 'learning-curves.svg', alignment: 'alignment.svg', raster: 'raster.svg' } as const;

/** Writes report.md, report.json and charts/*.svg into `dir`. Returns the report data. */
export async function writeReport(dir: string, lines: readonly ResultLine[], o: WriteReportOptions): Promise<Report> {
  const rep = summarize(lines, o);
  mkdirSync(join(dir, 'charts'), { recursive: true });
  const specs = reportSpecs(rep);
  const charts: Partial<Record<keyof typeof FILES, string>> = {};
  for (const id of Object.keys(FILES) as (keyof typeof FILES)[]) {
    const path = join(dir, 'charts', FILES[id]);
    const spec = specs[id];
    if (!spec) {
      if (existsSync(path)) rmSync(path); // a stale chart from an earlier report
      continue;
    }
    writeFileSync(path, await renderSvg(spec));
    charts[id] = `charts/${FILES[id]}`;
  }
  const changes = o.changesFrom ? cellChanges(summarize(o.changesFrom.lines, o).groups, rep.groups) : undefined;
  const md = reportMarkdown(rep, { provenance: o.provenance, charts, title: o.title, ...(changes ? { changes: changesMarkdown(changes, o.changesFrom!.name) } : {}) });
  writeFileSync(join(dir, 'report.md'), md);
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ provenance: o.provenance, config: o.config, ...rep, ...(changes ? { changes: { from: o.changesFrom!.name, ...changes } } : {}), specs }, null, 1) + '\n');
  return rep;
}
