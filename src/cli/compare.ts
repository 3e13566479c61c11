// `bioprop compare`: run a sweep (a JSON config or a preset) as child `bioprop train` runs, appending each
// finished run to a results file (re-running resumes), then render report.md, report.json and SVG charts.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { usage, int, oneOf, UsageError } from './args.js';
import { rules } from '../rules/index.js';
import { quickPreset, fullPreset, validateConfig, expandConfig, ruleMeta, runLabel, PRESETS, type SweepConfig } from '../report/config.js';
import { readResults } from '../report/results.js';
import { runSweep } from '../report/sweep.js';
import { writeReport } from '../report/render.js';
import { VERSION } from '../version.js';

export const COMPARE_HELP = `bioprop compare — sweep rules × depths × rate/spiking × datasets × seeds and write the report

  --preset NAME        ${PRESETS.join(' | ')}: quick = every rule, MNIST, 1 and 3 hidden layers, one seed, a small
                       budget (under 10 minutes on 2 cores); full = 1, 2, 3, 5 hidden layers, MNIST and
                       Fashion-MNIST, 3 seeds, each rule's default epochs, one worker per core (hours)
  --config FILE        a sweep config (JSON; see src/report/config.ts SweepConfig) instead of a preset
  --results FILE       results file, one JSON line per finished run (default runs/<name>/results.jsonl);
                       re-running the same command resumes, skipping the runs already there
  --out DIR            report folder: report.md, report.json, charts/*.svg (default: the results file's folder)
  --workers N          concurrent runs (default: the config's; 0 = one per core)
  --retry-failed       run again the runs recorded as failed
  --report-only        do not run anything: render the report from the results file
  --dry-run            list the planned runs and exit
`;

export async function compare(argv: string[]): Promise<void> {
  const { values: f } = usage('compare', () => parseArgs({ args: argv, strict: true, allowPositionals: false, options: {
    preset: { type: 'string' }, config: { type: 'string' }, results: { type: 'string' }, out: { type: 'string' }, workers: { type: 'string' },
    'retry-failed': { type: 'boolean' }, 'report-only': { type: 'boolean' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  } }));
  if (f.help) {
    process.stdout.write(COMPARE_HELP);
    return;
  }
  if (f.preset && f.config) throw new UsageError('give --preset or --config, not both');
  const preset = oneOf('preset', f.preset, PRESETS);
  const cores = availableParallelism();
  let config: SweepConfig;
  let source: string;
  if (f.config) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(f.config, 'utf8'));
    } catch (e) {
      throw new Error(`${f.config}: cannot read the sweep config (${(e as Error).message})`);
    }
    config = validateConfig(raw, rules);
    config.name ??= f.config.replace(/^.*\//, '').replace(/\.json$/, '');
    source = `--config ${f.config}`;
  } else if (preset) {
    config = preset === 'quick' ? quickPreset(Object.values(rules), cores) : fullPreset();
    source = `--preset ${preset}`;
  } else {
    throw new UsageError("give --preset quick|full or --config FILE (see 'bioprop compare --help')");
  }
  const workersFlag = int('workers', f.workers, 0, 256);
  const w = workersFlag ?? config.workers ?? 1;
  const workers = w === 0 ? cores : w;
  const resultsPath = f.results ?? join('runs', config.name ?? 'sweep', 'results.jsonl');
  const outDir = f.out ?? dirname(resultsPath);
  const plan = expandConfig(config, rules);

  if (f['dry-run']) {
    process.stdout.write(`${plan.length} runs (${workers} worker${workers > 1 ? 's' : ''}):\n`);
    for (const r of plan) process.stdout.write(`  ${runLabel(r).padEnd(44)} bioprop train ${r.key}\n`);
    return;
  }

  if (!f['report-only']) {
    process.stderr.write(`compare: ${plan.length} runs, ${workers} worker${workers > 1 ? 's' : ''}, results in ${resultsPath}\n`);
    const ac = new AbortController();
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigint);
    let s;
    try {
      s = await runSweep(plan, { resultsPath, workers, timeoutSeconds: config.timeoutSeconds, retryFailed: !!f['retry-failed'], meta: (id) => (rules[id] ? ruleMeta(rules[id]!) : undefined), signal: ac.signal });
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
    if (s.interrupted) {
      process.stderr.write(`compare: interrupted; ${s.ran} runs finished this time. Run the same command again to resume.\n`);
      process.exitCode = 130;
      return;
    }
    process.stderr.write(`compare: ${s.ran} ran (${s.failed} failed), ${s.skipped} already done\n`);
  }

  // The report covers the runs of this config that are in the results file.
  const keys = new Set(plan.map((r) => r.key));
  const lines = readResults(resultsPath).lines.filter((l) => keys.has(l.key));
  if (lines.length === 0) throw new Error(`${resultsPath}: no results for this sweep yet (run without --report-only)`);
  const cmd = `bioprop compare ${source}${f.results ? ` --results ${f.results}` : ''}${f.out ? ` --out ${f.out}` : ''}`;
  const provenance = [
    `Generated by \`${cmd}\` with bioprop ${VERSION} on ${new Date().toISOString().slice(0, 10)}, from ${lines.length} of ${plan.length} planned runs in \`${relative(outDir, resultsPath) || resultsPath}\`.`,
    `Sweep \`${config.name ?? 'sweep'}\`: rules ${config.rules === '*' ? `every registered rule (${Object.keys(rules).join(', ')})` : config.rules.join(', ')}; ` +
      `${config.datasets.join(', ')}; hidden layers ${config.depths.join(', ')} × ${config.width ?? 256} units; ${(config.modes ?? ['rate', 'spiking']).join(' and ')} (spiking for spiking rules only); ` +
      `seeds ${config.seeds.join(', ')}; epochs ${config.epochs ?? "each rule's default"}; training examples ${config.limit ?? 'all'}${config.spikingLimit ? ` (spiking ${config.spikingLimit})` : ''}; ` +
      `test examples ${config.testLimit ?? 'all'}${config.args?.length ? `; extra args \`${config.args.join(' ')}\`` : ''}${config.ruleArgs ? `; per-rule args \`${JSON.stringify(config.ruleArgs)}\`` : ''}.`,
  ];
  const note = (config as { $comment?: unknown }).$comment;
  if (typeof note === 'string') provenance.push(note);
  const rep = await writeReport(outDir, lines, { provenance, referenceDepth: config.referenceDepth, works: config.works, config, meta: (id) => (rules[id] ? ruleMeta(rules[id]!) : undefined) });
  process.stdout.write(`wrote ${join(outDir, 'report.md')}, report.json and charts/ (${rep.runs.ok} runs, ${rep.runs.failed} failed)\n`);
}
