// The README's answer — its headline paragraph and table — generated from a report's data (docs/report.json),
// so the README cannot say something the report does not (`npm run readme` rewrites it; a test checks it).
// Browser-safe.
import { answerTable, hasUnverified, OBJECTION_LEGEND, UNVERIFIED_MARK, VERIFY_LEGEND, type Report } from './summary.js';
import type { Mode } from './config.js';

export const README_START = '<!-- answer: generated from docs/report.json by `npm run readme`, checked by tests/package/readme.test.ts -->';
export const README_END = '<!-- end of the generated answer -->';

/** The report data the README block reads (report.json, parsed). */
export type ReportData = Pick<Report, 'answer' | 'published' | 'referenceDepth' | 'runs' | 'datasets' | 'budget' | 'width'> & { provenance?: readonly string[] };

/** Where the report's runs came from, from its header: a planned sweep's share, imported runs, or both. */
function origin(rep: ReportData): string {
  const head = rep.provenance?.[0] ?? '';
  const planned = /from (\d+) of (\d+) planned runs/.exec(head);
  if (planned) return `${planned[1]} of the ${planned[2]} runs its sweep plans`;
  const mixed = /: (\d+) imported.* and (\d+) recorded by sweeps, not one planned sweep/.exec(head);
  if (mixed) return `${rep.runs.ok} runs (${mixed[1]} imported from earlier measurements, ${mixed[2]} recorded by sweeps), not one planned sweep: an interim answer`;
  if (/imported/.test(head)) return `${rep.runs.ok} runs imported from earlier measurements, not one planned sweep: an interim answer`;
  return `${rep.runs.ok} finished runs`;
}

function ranked(rep: ReportData, mode: Mode): string {
  const cells = rep.answer.flatMap((r) => {
    const c = r.accuracy.mnist?.[mode];
    if (!c || c.stat.n === 0) return [];
    const sd = c.stat.n > 1 ? ` ± ${(100 * c.stat.sd).toFixed(2)}` : '';
    return [{ rule: r.rule, mean: c.stat.mean, text: `${r.rule} ${(100 * c.stat.mean).toFixed(2)}%${sd}${c.unverified ? UNVERIFIED_MARK : ''}${c.note ? ` (${c.note})` : ''}` }];
  });
  return cells.sort((a, b) => b.mean - a.mean).map((c) => c.text).join(', ');
}

/** The block between README_START and README_END. */
export function readmeAnswer(rep: ReportData): string {
  const verdicts = (v: string) => rep.published.filter((p) => p.verdict === v).map((p) => p.rule);
  const against = (['beats', 'matches', 'misses'] as const).flatMap((v) => (verdicts(v).length ? [`${v === 'matches' ? 'match' : v === 'beats' ? 'beat' : 'miss'} it: ${verdicts(v).join(', ')}`] : []));
  const spiking = ranked(rep, 'spiking');
  const lines = [
    README_START,
    `**The answer, as measured:** [docs/report.md](docs/report.md), from ${origin(rep)}. Mean MNIST test accuracy at ` +
      `${rep.referenceDepth} hidden layers of ${rep.width} units (± sd over seeds where there are several), on rate neurons: ${ranked(rep, 'rate')}.` +
      (spiking ? ` On spiking neurons: ${spiking}.` : '') +
      (against.length ? ` Of the rules whose paper gives a fully connected MNIST figure, these ${against.join('; these ')} (within 0.3 points is a match; see the report).` : ''),
    '',
    answerTable(rep as Report).trimEnd(),
    '',
    OBJECTION_LEGEND,
    // Cells with runs not verified on the build that made the report are marked in the table: say what the mark means.
    ...(hasUnverified(rep) ? ['', VERIFY_LEGEND] : []),
    README_END,
  ];
  return lines.join('\n');
}

/** `readme` with its generated block replaced by `block`; an error when the markers are missing. */
export function replaceReadmeAnswer(readme: string, block: string): string {
  const a = readme.indexOf(README_START), b = readme.indexOf(README_END);
  if (a < 0 || b < a) throw new Error(`README.md: the generated answer's markers are missing (expected a line '${README_START}' and, after it, '${README_END}')`);
  return readme.slice(0, a) + block + readme.slice(b + README_END.length);
}
