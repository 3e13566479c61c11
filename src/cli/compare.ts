// `bioprop compare`: run a sweep (a JSON config or a preset) as child `bioprop train` runs, appending each
// finished run to a results file (re-running resumes), then render report.md, report.json and SVG charts.
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { usage, int, oneOf, joinNegativeValues, UsageError } from './args.js';
import { checkOutputFile, checkOutputDir } from './paths.js';
import { loadPlugins } from './plugins.js';
import { rules } from '../rules/index.js';
import { quickPreset, fullPreset, reportPreset, validateConfig, expandConfig, ruleMeta, runLabel, PRESETS, type SweepConfig } from '../report/config.js';
import { readResults, repairResults, appendResult, latestByKey, type ResultLine } from '../report/results.js';
import { importRecords, settledKeys } from '../report/import.js';
import { estimateSweep, describeEstimate } from '../report/estimate.js';
import { staleReasons, verifyLine, type Verification } from '../report/stale.js';
import { reportHeader, verificationSentence } from '../report/provenance.js';
import { UNVERIFIED_MARK } from '../report/summary.js';
import { Fingerprints } from '../train/fingerprint.js';
import { load } from '../index.js';
import { runSweep } from '../report/sweep.js';
import { writeReport } from '../report/render.js';
import { VERSION } from '../version.js';
import { parseRedisUrl } from '../queue/redis.js';
import { runQueuedSweep, recordFinishedRuns, describeTimes } from '../queue/coordinator.js';

export const COMPARE_HELP = `bioprop compare — sweep rules × depths × rate/spiking × datasets × seeds and write the report

  --preset NAME        ${PRESETS.join(' | ')}: quick = every rule, MNIST, 1 and 3 hidden layers, one seed, a small
                       budget (under 10 minutes on 2 cores); full = 1, 2, 3, 5 hidden layers, MNIST and
                       Fashion-MNIST, 3 seeds, each rule's default epochs, one worker per core (hours);
                       report = the cells of docs/report.md: every rule at its default width and epochs,
                       rate and spiking, 3 hidden layers (MNIST seeds 1-3, Fashion-MNIST seed 1) and
                       the depth scan 1, 2, 4 (MNIST, seed 1)
  --config FILE        a sweep config (JSON; see src/report/config.ts SweepConfig) instead of a preset
  --results FILE       results file, one JSON line per finished run (default runs/<name>/results.jsonl);
                       re-running the same command resumes, skipping the runs already there; a run
                       cut off mid-way continues from its last finished epoch (checkpoints/ beside it)
  --out DIR            report folder: report.md, report.json, charts/*.svg (default: the results file's folder)
  --workers N          concurrent runs (default: the config's; 0 = one per core)
  --retry-failed       run again the runs recorded as failed
  --rerun-unfingerprinted
                       run again the finished runs whose record carries no computation fingerprint (made
                       before records carried one, or imported from such records). Without it they are
                       kept and counted apart, and their report cells are marked as not verified on this
                       build. A finished run whose fingerprint differs from this build's (its rule, a
                       default, the encoder or the simulator computes differently now) always runs again.
  --queue URL          run the sweep on 'bioprop worker' processes on any machines instead of here: its
                       runs go on a queue in this Redis (redis://[[user]:password@]host[:port][/db] or
                       rediss://), finished runs are appended as they come; with --report-only, the runs
                       finished so far are appended and the report rendered (see the README)
  --report-only        do not run anything: render the report from the results file
  --dry-run            list the planned runs with each one's estimated core-hours and the total, and exit:
                       estimated from the epoch times of the finished runs in --results and in
                       --estimate-from FILE... (results files of earlier sweeps, e.g. docs/report-results.jsonl),
                       per rule and mode (the current computation's runs of the same network where there
                       are any), else scaled by training examples x weights x epochs; runs never measured
                       are listed. It counts exactly the runs the sweep would run, and says how many
                       finished ones are verified on this build, made before fingerprints, or changed
  --changes-from FILE  set every cell against the same cell of an earlier report's results file (e.g. the
                       results an older build gave): a 'Changes from FILE' section lists the cells that
                       moved by more than one standard deviation of their seeds, and report.json gets
                       'changes'
  --note TEXT          a sentence added to the report's header (e.g. what the runs were for)
  --plugin FILE        load rules of your own from FILE (as 'bioprop train --plugin'; repeatable); a
                       config can list them instead: "plugins": ["my-rule.js"] (relative to the config)
  --import FILE...     add runs measured outside a sweep to the results file: train records
                       ('bioprop train --out rec.json', one record per file) and JSON lines of them
                       ('npm run bench:rules -- --json out.jsonl'). Each becomes an ok results line keyed as
                       a sweep keys its runs (the shortest 'bioprop train' command reproducing the record), so
                       importing again adds nothing. Without --preset/--config, --results defaults to
                       runs/imported/results.jsonl and the report covers every run in that file; with a
                       preset or config, imported runs count as done for the sweep when their key matches
                       a planned run, and the sweep then runs the rest (unless --report-only). The report
                       is rendered last.

  Without --preset or --config, '--report-only --results FILE' renders every run in FILE; the header says
  how many were imported and from which files.
`;

export async function compare(argv: string[]): Promise<void> {
  const { values: f, positionals } = usage('compare', () => parseArgs({ args: joinNegativeValues(argv), strict: true, allowPositionals: true, options: {
    preset: { type: 'string' }, config: { type: 'string' }, results: { type: 'string' }, out: { type: 'string' }, workers: { type: 'string' },
    'retry-failed': { type: 'boolean' }, 'rerun-unfingerprinted': { type: 'boolean' }, 'report-only': { type: 'boolean' }, 'dry-run': { type: 'boolean' }, 'estimate-from': { type: 'string', multiple: true }, 'changes-from': { type: 'string' }, import: { type: 'string', multiple: true },
    note: { type: 'string' }, queue: { type: 'string' }, plugin: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' },
  } }));
  if (f.help) {
    process.stdout.write(COMPARE_HELP);
    return;
  }
  // `--import a.json b.jsonl`: files after the first --import are positionals.
  if (positionals.length && !f.import) throw new UsageError(`unexpected argument '${positionals[0]}' (files to import follow --import)`);
  const imports = [...(f.import ?? []), ...positionals];
  if (f.preset && f.config) throw new UsageError('give --preset or --config, not both');
  const preset = oneOf('preset', f.preset, PRESETS);
  const target = f.queue === undefined ? undefined : parseRedisUrl(f.queue);
  if (target && f.workers !== undefined) throw new UsageError("--workers is for a local sweep: with --queue, the runs go to 'bioprop worker' processes");
  // Rules of the user's own (--plugin, or a config's "plugins"): registered here, and passed on to every run.
  const plugins = await loadPlugins(f.plugin ?? []);
  const cores = availableParallelism();
  let config: SweepConfig | undefined;
  let source = '';
  if (f.config) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(f.config, 'utf8'));
    } catch (e) {
      throw new Error(`${f.config}: cannot read the sweep config (${(e as Error).message})`);
    }
    plugins.push(...(await loadPlugins(configPlugins(raw, f.config), `${f.config}: plugins:`)));
    config = validateConfig(raw, rules);
    config.name ??= f.config.replace(/^.*\//, '').replace(/\.json$/, '');
    source = `--config ${nameWithin(".", f.config)}`;
  } else if (preset) {
    config = preset === 'quick' ? quickPreset(Object.values(rules), cores) : preset === 'report' ? reportPreset() : fullPreset();
    source = `--preset ${preset}`;
  } else if (!imports.length && !f['report-only']) {
    throw new UsageError("give --preset quick|full or --config FILE, or --import FILE... / --report-only --results FILE (see 'bioprop compare --help')");
  }
  // A worker trains only rules it has registered itself, so a queued sweep cannot carry the user's own.
  if (target && plugins.length) throw new UsageError(`--queue with rules of your own (--plugin / a config's "plugins": ${plugins.join(', ')}) is not supported: workers accept registered rules only; run this sweep locally (--workers N)`);
  const workersFlag = int('workers', f.workers, 0, 256);
  const w = workersFlag ?? config?.workers ?? 1;
  const workers = w === 0 ? cores : w;
  if (!config && !f.results && !imports.length) throw new UsageError('--report-only without --preset or --config needs --results FILE');
  const resultsPath = f.results ?? join('runs', config?.name ?? 'imported', 'results.jsonl');
  const outDir = f.out ?? dirname(resultsPath);
  const plan = config ? expandConfig(config, rules) : [];
  if (f['rerun-unfingerprinted'] && !config) throw new UsageError('--rerun-unfingerprinted is for a sweep (it runs finished runs again): give --preset or --config');
  if (f['rerun-unfingerprinted'] && f['report-only']) throw new UsageError('--rerun-unfingerprinted runs finished runs again; --report-only runs nothing');

  // This build's computation fingerprint per rule and form, each probed once, on one thread (the digest does
  // not depend on threads): a finished run whose record's fingerprint differs is out of date.
  const fingerprints = new Fingerprints(await load({ threads: 1 }), rules);
  const today = (rule: string, mode: 'rate' | 'spiking', conv: boolean) => fingerprints.of(rule, mode, conv);
  const rerunUnfingerprinted = !!f['rerun-unfingerprinted'];
  // What the sweep reruns, and the dry run's estimate counts as not done: the same function for both.
  const stale = (l: ResultLine) => staleReasons(l, rules, { today, rerunUnfingerprinted });

  if (f['estimate-from'] && !f['dry-run']) throw new UsageError('--estimate-from is for --dry-run (the estimate of a sweep before running it)');
  if (f['changes-from'] && f['dry-run']) throw new UsageError('--changes-from is for writing a report; --dry-run only lists the runs');
  if (f['dry-run']) {
    if (!config) throw new UsageError('--dry-run lists the runs of a sweep: give --preset or --config');
    process.stdout.write(`${plan.length} runs (${workers} worker${workers > 1 ? 's' : ''}):\n`);
    // Epoch times measured here: the sweep's own results and earlier sweeps' (those do not count as done).
    const own = existsSync(resultsPath) ? readResults(resultsPath).lines : [];
    const earlier = (f['estimate-from'] ?? []).flatMap((file) => {
      if (!existsSync(file)) throw new UsageError(`--estimate-from ${file}: no such results file`);
      return readResults(file).lines;
    });
    const est = estimateSweep(plan, own, rules, earlier, { stale, retryFailed: !!f['retry-failed'] });
    const measured = [...own, ...earlier];
    est.runs.forEach((e, i) => {
      const r = plan[i]!;
      const cost = e.done ? (e.failed ? 'failed' : 'done') : e.coreSeconds === null ? '?' : `${(e.coreSeconds / 3600).toFixed(2)} h`;
      process.stdout.write(`  ${runLabel(r).padEnd(44)} ${cost.padStart(7)}  bioprop train ${r.key}\n`);
    });
    process.stdout.write(describeEstimate(est, workers).join('\n') + '\n');
    process.stdout.write(fingerprintSummary(plan.map((r) => r.key), own, today, rerunUnfingerprinted) + '\n');
    if (!measured.length) process.stdout.write(`  (no finished runs in ${resultsPath} to estimate from: add --estimate-from FILE, the results of an earlier sweep)\n`);
    return;
  }

  const changesFrom = f['changes-from'];
  if (changesFrom !== undefined && !existsSync(changesFrom)) throw new UsageError(`--changes-from ${changesFrom}: no such results file (expected the results.jsonl of an earlier report)`);
  const earlierLines = changesFrom === undefined ? undefined : readResults(changesFrom).lines;
  if (earlierLines && earlierLines.length === 0) throw new UsageError(`--changes-from ${changesFrom}: no finished runs in it to compare with`);
  checkOutputFile('results', resultsPath, { create: true });
  checkOutputDir('out', f.out);

  if (imports.length) {
    const repaired = repairResults(resultsPath);
    if (repaired > 0) process.stderr.write(`compare: ignored a half-written last line (${repaired} bytes) in ${resultsPath}\n`);
    const got = importRecords(imports, rules, settledKeys(readResults(resultsPath).lines, rules, today), new Date(), (file) => nameWithin(dirname(resultsPath), file));
    for (const line of got.lines) appendResult(resultsPath, line); // one write per line, as the sweep appends
    process.stderr.write(`compare: imported ${got.lines.length} run${got.lines.length === 1 ? '' : 's'} from ${imports.length} file${imports.length === 1 ? '' : 's'} into ${resultsPath}` +
      `${got.duplicates ? ` (${got.duplicates} already there)` : ''}${got.cancelled.length ? `; skipped ${got.cancelled.length} cancelled run${got.cancelled.length === 1 ? '' : 's'} (${got.cancelled.join(', ')})` : ''}\n`);
  }

  if (config && !f['report-only']) {
    process.stderr.write(`compare: ${plan.length} runs, ${target ? `queued on ${target.where}` : `${workers} worker${workers > 1 ? 's' : ''}`}, results in ${resultsPath}\n`);
    const ac = new AbortController();
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigint);
    let s;
    try {
      const meta = (id: string) => (rules[id] ? ruleMeta(rules[id]!) : undefined);
      if (target) {
        const q = await runQueuedSweep(plan, { target, resultsPath, timeoutSeconds: config.timeoutSeconds, retryFailed: !!f['retry-failed'], meta, stale, signal: ac.signal });
        if (q.ran > 0) process.stderr.write(`compare: ${describeTimes(q.times)}\n`);
        s = q;
      } else s = await runSweep(plan, { resultsPath, workers, timeoutSeconds: config.timeoutSeconds, retryFailed: !!f['retry-failed'], trainArgs: plugins.flatMap((p) => ['--plugin', p]), meta, stale, signal: ac.signal });
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
    if (s.interrupted) {
      process.stderr.write(`compare: interrupted; ${s.ran} runs finished this time. Run the same command again to resume${target ? ' (queued runs go on on the workers)' : ''}.\n`);
      process.exitCode = 130;
      return;
    }
    process.stderr.write(`compare: ${s.ran} ran (${s.failed} failed), ${s.skipped} already done\n`);
  }

  if (config && f['report-only'] && target) {
    const n = await recordFinishedRuns(plan, { target, resultsPath, meta: (id) => (rules[id] ? ruleMeta(rules[id]!) : undefined) });
    process.stderr.write(`compare: ${n} finished run${n === 1 ? '' : 's'} taken from the queue on ${target.where}\n`);
  }

  // A sweep's report covers its planned runs that are in the results file; without a sweep, every run there.
  const keys = new Set(plan.map((r) => r.key));
  const all = readResults(resultsPath).lines;
  const planned: ResultLine[] = config ? all.filter((l) => keys.has(l.key)) : all;
  // A sweep's report shows runs of today's defaults and computation only: a run whose defaults or
  // fingerprint changed since is left out (the sweep runs it again) and named in the header. A run made
  // before fingerprints is kept, counted apart and its cells marked.
  const staleKeys = new Map<string, string[]>();
  if (config) for (const l of new Map(planned.map((x) => [x.key, x])).values()) { const c = staleReasons(l, rules, { today }); if (c.length) staleKeys.set(l.key, c); }
  const lines = planned.filter((l) => !staleKeys.has(l.key));
  if (lines.length === 0) throw new Error(`${resultsPath}: no results ${config ? 'for this sweep yet (run without --report-only)' : 'in this file'}`);
  const shown = (file: string) => nameWithin('.', file);
  const cmd = `bioprop compare ${[source, ...(imports.length ? ['--import', ...imports.map(shown)] : []), ...(f['report-only'] && !config ? ['--report-only'] : []), ...(f.results ? ['--results', shown(f.results)] : []), ...(f.out ? ['--out', shown(f.out)] : [])].filter(Boolean).join(' ')}`;
  // The last line per key is the one the report uses (as summarize does).
  const latest = [...new Map(lines.map((l) => [l.key, l])).values()];
  const provenance = reportHeader({
    cmd, version: VERSION, date: new Date().toISOString().slice(0, 10), resultsName: nameWithin(outDir, resultsPath, true), lines: latest,
    ...(config ? { sweep: { config, planned: plan.length, allRules: Object.keys(rules) } } : {}),
  });
  const note = (config as { $comment?: unknown } | undefined)?.$comment;
  const verify = (l: ResultLine): Verification => verifyLine(l, today).status;
  const counts: Record<Verification, number> = { verified: 0, changed: 0, unfingerprinted: 0, unchecked: 0 };
  for (const l of latest) if (l.status === 'ok') counts[verify(l)]++;
  provenance.push(verificationSentence(counts, UNVERIFIED_MARK));
  if (staleKeys.size > 0) {
    const reasons = [...staleKeys.values()].flat(), computation = reasons.some((c) => c.startsWith('computation changed')), settings = reasons.some((c) => !c.startsWith('computation changed'));
    const what = computation ? (settings ? 'under defaults or by a computation that have' : 'by a computation that has') : 'under defaults that have';
    provenance.push(`Left out: ${staleKeys.size} finished run${staleKeys.size > 1 ? 's' : ''} made ${what} changed since (re-running the sweep runs ${staleKeys.size > 1 ? 'them' : 'it'} again): ` +
      [...staleKeys].map(([k, c]) => `\`${k}\` (${c.join(', ')})`).join('; ') + '.');
  }
  if (typeof note === 'string') provenance.push(note);
  if (f.note) provenance.push(f.note);
  const rep = await writeReport(outDir, lines, { provenance, verify, referenceDepth: config?.referenceDepth, works: config?.works, config, meta: (id) => (rules[id] ? ruleMeta(rules[id]!) : undefined),
    ...(earlierLines ? { changesFrom: { name: nameWithin(dirname(resultsPath), changesFrom!), lines: earlierLines } } : {}) });
  process.stdout.write(`wrote ${join(outDir, 'report.md')}, report.json and charts/ (${rep.runs.ok} runs, ${rep.runs.failed} failed)\n`);
}

/**
 * The dry run's line on the planned runs already finished: how many are verified on this build, made before
 * fingerprints (kept, or run again with --rerun-unfingerprinted), made by another computation (run again), or
 * not checkable.
 */
function fingerprintSummary(keys: readonly string[], own: readonly ResultLine[], today: (rule: string, mode: 'rate' | 'spiking', conv: boolean) => string | null, rerun: boolean): string {
  const planned = new Set(keys);
  const counts: Record<Verification, number> = { verified: 0, changed: 0, unfingerprinted: 0, unchecked: 0 };
  let n = 0;
  for (const l of latestByKey(own).values()) if (planned.has(l.key) && l.status === 'ok') { counts[verifyLine(l, today).status]++; n++; }
  if (n === 0) return 'fingerprints: no planned run has finished yet';
  return `fingerprints: of the ${n} finished planned run${n === 1 ? '' : 's'}, ${counts.verified} verified on this build, ` +
    `${counts.unfingerprinted} made before fingerprints (${rerun ? 'run again: --rerun-unfingerprinted' : 'kept; --rerun-unfingerprinted runs them again'}), ` +
    `${counts.changed} made by a computation that has changed since (run again)${counts.unchecked ? `, ${counts.unchecked} not checkable on this build (kept)` : ''}`;
}

/**
 * A file as a report names it: relative to `base` when inside it (or, with `oneUp`, in the folder just
 * above: `../results.jsonl`, the layout `--out` beside the results gives), else by its name alone — never
 * an absolute path, nor a longer climb that would spell out the folders of the machine it was made on.
 */
function nameWithin(base: string, file: string, oneUp = false): string {
  const r = relative(resolve(base), resolve(file));
  if (!r || isAbsolute(r)) return basename(file);
  return !r.startsWith('..') || (oneUp && /^\.\.[\\/][^\\/]+$/.test(r)) ? r : basename(file);
}

/** A config's "plugins": files of rules, relative to the config file. */
function configPlugins(raw: unknown, configPath: string): string[] {
  const list = (raw as { plugins?: unknown } | null)?.plugins;
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.some((p) => typeof p !== 'string')) throw new Error(`sweep config: plugins must be a list of file names, got ${JSON.stringify(list)}`);
  return list.map((p: string) => resolve(dirname(configPath), p));
}
