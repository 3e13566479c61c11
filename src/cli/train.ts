// `bioprop train`: train a network with a named rule on MNIST or Fashion-MNIST.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { usage, int, num, oneOf, intList, plural, joinNegativeValues, UsageError } from './args.js';
import { Progress } from './progress.js';
import { checkOutputFile } from './paths.js';
import { loadPlugins } from './plugins.js';
import { load } from '../index.js';
import { getRule, noConvReason, rules } from '../rules/index.js';
import { Network } from '../net/network.js';
import { SpikingNetwork, type SpikingOptions } from '../net/spiking.js';
import { ruleForm } from '../rules/form.js';
import type { AnyRule } from '../rules/types.js';
import type { Backend } from '../backend.js';
import type { Dataset } from '../data/dataset.js';
import type { FitResult } from '../train/trainer.js';
import { ENCODERS, type EncoderName } from '../encode/index.js';
import { Trainer, evaluateNetwork } from '../train/trainer.js';
import type { EpochRecord } from '../train/history.js';
import { configDifferences, withoutNeutral } from '../train/resume.js';
import { recordRaster } from '../train/raster.js';
import type { AlignmentRecord } from '../train/alignment.js';
import { OPTIMIZERS } from '../optim/optimizers.js';
import { SCHEDULES } from '../optim/schedules.js';
import { INIT_SCHEMES } from '../net/init.js';
import { ACT_NAMES as ACTIVATION_NAMES } from '../activations.js';
import { loadDataset, DATASETS, DATASET_SHAPES, type DatasetName } from '../data/index.js';
import { parseArch, planArch, formatArch, hasConv, maxPoolInSpiking } from '../net/arch.js';
import { encodeCheckpoint } from '../io/checkpoint.js';
import { MAX_THREADS } from '../wasm/pool.js';
import { writeFileAtomic, writeFileAtomicSync, readFileBytes } from '../io/file.js';
import { encodeTrainingState, decodeTrainingState } from '../io/training-state.js';
import { VERSION } from '../version.js';
import { computationFingerprint } from '../train/fingerprint.js';
import { TRAIN_HELP, convRules } from '../train/help.js';

export { TRAIN_HELP };

/** The epoch line's alignment part: per layer (input side first) the update angle, weight angle, |lr·dW|/|W|. */
function alignSummary(a: AlignmentRecord[]): string {
  const deg = (x: number | null) => (x === null ? '-' : x.toFixed(0));
  return `  angle(dW,bp) ${a.map((r) => deg(r.updateAngleDeg)).join('/')}°  angle(B,W) ${a.map((r) => deg(r.weightAngleDeg)).join('/')}°` +
    `  |dW|/|W| ${a.map((r) => (r.normRatio === null ? '-' : r.normRatio.toExponential(1))).join('/')}`;
}

/** The flag a setting of the resolved command comes from (for --resume's mismatch message). */
function flagOf(key: string): string {
  const flags: Record<string, string> = {
    validation: '--validation', limit: '--limit', testLimit: '--test-limit', weightDecay: '--weight-decay', alignEvery: '--align-every',
    trainExamples: 'training examples', evalExamples: 'evaluation examples', 'spikingOptions.maxRate': '--max-rate', spikingOptions: '--spiking',
  };
  if (flags[key]) return flags[key]!;
  if (key.startsWith('ruleParams.')) return `--param ${key.slice('ruleParams.'.length)}`;
  if (key.startsWith('spikingOptions.')) return `--${key.slice('spikingOptions.'.length)}`;
  return `--${key}`;
}

/** The --arch spec, checked against the dataset's image shape and the run before any work. */
function checkArch(spec: string, hidden: string | undefined, dataset: DatasetName, rule: AnyRule, spiking: boolean, alignEvery: string | undefined): string {
  if (hidden !== undefined) throw new UsageError('--arch and --hidden both give the hidden layers; give one of them');
  let layers;
  try {
    layers = parseArch(spec, '--arch');
    planArch(layers, DATASET_SHAPES[dataset], '--arch');
  } catch (e) {
    throw new UsageError(`${(e as Error).message}${/kernel|window/.test((e as Error).message) ? ` (${dataset} images are ${DATASET_SHAPES[dataset].join('×')}, height×width×channels)` : ''}`);
  }
  if (layers.some((l) => l.kind === 'conv')) {
    if (!rule.conv) {
      throw new UsageError(`rule '${rule.id}' has no convolutional form, so it cannot train --arch ${spec}: ${noConvReason(rule)}. Use --hidden, or one of: ${convRules()}`);
    }
    const maxPool = spiking ? maxPoolInSpiking(layers, '--arch') : null;
    if (maxPool) throw new UsageError(maxPool);
    if (spiking && rule.spiking?.noConv) throw new UsageError(`rule '${rule.id}' --spiking cannot train --arch ${spec}: ${rule.spiking.noConv}. Use --hidden, or train it without --spiking`);
    if (alignEvery !== undefined) throw new UsageError(`--align-every measures dense layers only; --arch ${spec} has convolutional layers`);
  }
  return formatArch(layers);
}

function parseParam(list: string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) {
    const m = /^([A-Za-z_][\w]*)=(.+)$/.exec(kv);
    if (!m) throw new UsageError(`--param must look like key=value, got '${kv}'`);
    const v = m[2]!;
    out[m[1]!] = v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

/** A `bioprop train` command resolved: the flags over the rule's defaults for the run's form. */
interface TrainCommand {
  rule: AnyRule;
  spiking: boolean;
  /** Simulator options of the SpikingNetwork to build, or null (a plain Network). */
  sim: SpikingOptions | null;
  ruleParams: Record<string, unknown>;
  dataset: DatasetName;
  hidden: number[];
  /** The hidden layers as a spec (presets expanded), instead of `hidden`; null for an MLP from --hidden. */
  arch: string | null;
  activation: string;
  epochs: number;
  batch: number;
  lr: number;
  optimizer: (typeof OPTIMIZERS)[number];
  momentum: number;
  weightDecay: number;
  schedule: (typeof SCHEDULES)[number];
  init: (typeof INIT_SCHEMES)[number];
  seed: number;
  validation: number | undefined;
  limit: number | undefined;
  testLimit: number | undefined;
  alignEvery: number;
  dataDir: string | undefined;
  save: string | undefined;
  out: string | undefined;
  checkpoint: string | undefined;
  resume: boolean;
  /** --resume-or-restart: a checkpoint of another command is started afresh rather than refused. */
  restartChanged: boolean;
  quiet: boolean;
  /** Threads for the large kernels (results do not depend on it). */
  threads: number;
}

/** The flags, checked before any work is done; null for --help. */
async function parseTrain(argv: string[]): Promise<TrainCommand | null> {
  const { values: f } = usage('train', () => parseArgs({ args: joinNegativeValues(argv), strict: true, allowPositionals: false, options: {
    rule: { type: 'string' }, dataset: { type: 'string' }, hidden: { type: 'string' }, arch: { type: 'string' }, activation: { type: 'string' },
    epochs: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, optimizer: { type: 'string' },
    momentum: { type: 'string' }, 'weight-decay': { type: 'string' }, schedule: { type: 'string' }, init: { type: 'string' },
    param: { type: 'string', multiple: true }, seed: { type: 'string' }, validation: { type: 'string' }, limit: { type: 'string' }, 'test-limit': { type: 'string' },
    spiking: { type: 'boolean' }, steps: { type: 'string' }, dt: { type: 'string' }, encoder: { type: 'string' }, 'max-rate': { type: 'string' },
    'data-dir': { type: 'string' }, 'align-every': { type: 'string' }, save: { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    checkpoint: { type: 'string' }, resume: { type: 'boolean' }, 'resume-or-restart': { type: 'boolean' }, threads: { type: 'string' }, plugin: { type: 'string', multiple: true },
  } }));
  if (f.help) {
    process.stdout.write(TRAIN_HELP);
    return null;
  }
  await loadPlugins(f.plugin ?? []);
  let rule;
  try {
    rule = getRule(f.rule ?? 'bp');
  } catch {
    throw new UsageError(`unknown rule '${f.rule}' (registered: ${Object.keys(rules).join(', ')})`);
  }
  // Spiking runs take the rule's spiking overrides of its training defaults (e.g. a larger lr), however
  // spiking was asked for (--spiking, or a rule with its own neurons given --param spiking=true).
  const form = ruleForm(rule, !!f.spiking, parseParam(f.param), f.arch !== undefined && hasConv(f.arch));
  const d = form.train;
  const dataset = (oneOf('dataset', f.dataset === 'fashion' ? 'fashion-mnist' : f.dataset, DATASETS) ?? 'mnist') as DatasetName;
  const hidden = intList('hidden', f.hidden) ?? d.hidden;
  const arch = f.arch === undefined ? null : checkArch(f.arch, f.hidden, dataset, rule, !!form.spiking, f['align-every']);
  const activation = oneOf('activation', f.activation, ACTIVATION_NAMES) ?? d.activation;
  const epochs = int('epochs', f.epochs, 1, 100000) ?? d.epochs;
  const batch = int('batch', f.batch, 1, 65536) ?? d.batch;
  const lr = num('lr', f.lr, (x) => x > 0, 'a positive number') ?? d.lr;
  const optimizer = oneOf('optimizer', f.optimizer, OPTIMIZERS) ?? d.optimizer;
  const momentum = num('momentum', f.momentum, (x) => x >= 0 && x < 1, 'in [0, 1)') ?? d.momentum;
  const weightDecay = num('weight-decay', f['weight-decay'], (x) => x >= 0, 'a non-negative number') ?? d.weightDecay;
  const schedule = oneOf('schedule', f.schedule, SCHEDULES) ?? d.schedule;
  const init = oneOf('init', f.init, INIT_SCHEMES) ?? d.init;
  const seed = int('seed', f.seed, -(2 ** 31), 2 ** 31 - 1) ?? 1;
  const validation = int('validation', f.validation, 1);
  const limit = int('limit', f.limit, 1);
  const testLimit = int('test-limit', f['test-limit'], 1);
  const alignEvery = int('align-every', f['align-every'], 1) ?? 0;
  const envThreads = process.env.BIOPROP_THREADS;
  if (envThreads && !(/^\d+$/.test(envThreads) && +envThreads >= 1 && +envThreads <= MAX_THREADS)) {
    throw new UsageError(`BIOPROP_THREADS must be an integer in [1, ${MAX_THREADS}], got '${envThreads}'`);
  }
  const threads = int('threads', f.threads, 1, MAX_THREADS) ?? (envThreads ? +envThreads : Math.min(availableParallelism(), MAX_THREADS));
  for (const key of Object.keys(form.ruleParams)) {
    if (!Object.hasOwn(rule.defaults, key)) throw new UsageError(`rule '${rule.id}' has no parameter '${key}' (it has: ${Object.keys(rule.defaults).join(', ') || 'none'})`);
  }
  if (f.spiking && !rule.spiking) {
    throw new UsageError(`rule '${rule.id}' has no spiking form, so --spiking does not apply (spiking rules: ${Object.values(rules).filter((r) => r.spiking).map((r) => r.id).join(', ') || 'none'})`);
  }
  const spikeFlags = ['steps', 'dt', 'encoder', 'max-rate'] as const;
  for (const flag of spikeFlags) {
    if (f[flag] === undefined) continue;
    if (!form.spiking) throw new UsageError(`--${flag} needs --spiking`);
    if (!form.sim) throw new UsageError(`--${flag} does not apply to '${rule.id}': it simulates its own neurons with its paper's constants (see 'bioprop rules --json')`);
  }
  const sd = form.sim;
  const sim: SpikingOptions | null = sd && {
    ...sd, seed,
    steps: int('steps', f.steps, 1, 100000) ?? sd.steps,
    dt: num('dt', f.dt, (x) => x > 0 && x <= 1, 'a positive number of seconds (<= 1)') ?? sd.dt,
    encoder: (oneOf('encoder', f.encoder, ENCODERS) as EncoderName | undefined) ?? sd.encoder,
    maxRate: num('max-rate', f['max-rate'], (x) => x > 0, 'a positive rate in Hz') ?? sd.maxRate,
  };
  if (f.resume && !f.checkpoint) throw new UsageError('--resume needs --checkpoint FILE (the training state to continue)');
  if (f['resume-or-restart'] && !f.checkpoint) throw new UsageError('--resume-or-restart needs --checkpoint FILE (the training state to continue)');
  for (const flag of ['save', 'out', 'checkpoint'] as const) checkOutputFile(flag, f[flag]);
  return {
    rule, spiking: form.spiking, sim, ruleParams: form.ruleParams, dataset, hidden: arch ? [] : hidden, arch, activation, epochs, batch, lr, optimizer, momentum, weightDecay,
    schedule, init, seed, validation, limit, testLimit, alignEvery, dataDir: f['data-dir'], save: f.save, out: f.out,
    checkpoint: f.checkpoint, resume: !!f.resume || !!f['resume-or-restart'], restartChanged: !!f['resume-or-restart'], quiet: !!f.quiet, threads,
  };
}

/** The data, network and trainer of a command. */
interface TrainRun {
  lib: Backend;
  data: Awaited<ReturnType<typeof loadDataset>>;
  evalSet: Dataset;
  evalName: string;
  net: Network;
  trainer: Trainer;
  /** What a checkpoint records of the command (--resume continues only a run made with the same). */
  command: Record<string, unknown>;
  /** A spiking network's simulator options for the network file, or the id of a rule with its own neurons. */
  spikeMeta: Record<string, unknown>;
  /** What this build computes for the rule's form (src/train/fingerprint.ts), or null when its probe failed. */
  fingerprint: string | null;
}

async function build(c: TrainCommand, log: (s: string) => void): Promise<TrainRun> {
  const { rule } = c;
  const lib = await load({ threads: c.threads });
  const data = await loadDataset(lib, c.dataset, { dataDir: c.dataDir, validation: c.validation, seed: c.seed, limit: c.limit || c.testLimit ? { train: c.limit, test: c.testLimit } : undefined });
  const evalSet = data.validation ?? data.test;
  const evalName = data.validation ? 'validation' : 'test';
  const sizes = [data.train.features, ...c.hidden, data.train.classes];
  const netOptions = { sizes, activation: c.activation, init: c.init, batch: c.batch, seed: c.seed, ...(c.arch ? { arch: c.arch, inputShape: DATASET_SHAPES[c.dataset] } : {}) };
  const net = c.sim ? new SpikingNetwork(lib, { ...netOptions, spiking: c.sim }) : new Network(lib, netOptions);
  const trainer = new Trainer(lib, net, rule, {
    ruleParams: c.ruleParams, optimizer: c.optimizer, lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay, schedule: c.schedule, epochs: c.epochs, seed: c.seed, alignEvery: c.alignEvery,
  });
  log(`bioprop ${VERSION}: ${rule.id} (${rule.title}) on ${c.dataset}, ${c.arch ? `${c.arch}-${data.train.classes}` : sizes.join('-')} ${c.activation}, ${c.optimizer} lr ${c.lr}` +
      `${c.optimizer === 'sgd' && c.momentum ? ` momentum ${c.momentum}` : ''}, ${c.schedule} schedule, batch ${c.batch}, ${plural(c.epochs, 'epoch')}, seed ${c.seed}`);
  log(`data: ${data.train.size} train, ${evalSet.size} ${evalName}; ${plural(lib.threads, 'thread')}`);
  if (net instanceof SpikingNetwork) {
    const sim = net.sim;
    log(`spiking: ${sim.neuron.id} neurons (tauMem ${sim.np.tauMem} s, tauSyn ${sim.np.tauSyn} s, refractory ${sim.np.refractory} s), ` +
        `${sim.steps} steps of ${sim.dt} s, ${sim.encoderName} encoder at ${sim.maxRate} Hz, ${sim.readout} readout`);
  } else if (c.spiking) {
    log(`spiking: ${rule.id}'s own neuron model and time constants (src/rules/${rule.id}.ts)`);
  }
  // The resolved settings of this command: a checkpoint records them, and --resume continues only a run
  // made with the same ones (a resumed run must end bit-identical to an uninterrupted one).
  const command: Record<string, unknown> = {
    rule: rule.id, ruleParams: trainer.ruleParams, dataset: c.dataset, validation: c.validation ?? null, limit: c.limit ?? null, testLimit: c.testLimit ?? null,
    trainExamples: data.train.size, evalExamples: evalSet.size, hidden: c.hidden, ...(c.arch ? { arch: c.arch } : {}), activation: c.activation, epochs: c.epochs, batch: c.batch, lr: c.lr,
    optimizer: c.optimizer, momentum: c.momentum, weightDecay: c.weightDecay, schedule: c.schedule, init: c.init, seed: c.seed, alignEvery: c.alignEvery,
    spiking: c.spiking, spikingOptions: net instanceof SpikingNetwork ? c.sim : null,
  };
  // A spiking network records its simulator options, so `bioprop eval` rebuilds it spiking (a rule
  // with its own neurons records its id: eval cannot simulate those and says so).
  const spikeMeta = net instanceof SpikingNetwork ? { spiking: c.sim } : c.spiking ? { spikingRule: rule.id } : {};
  // The rule's form on this build, before training: a checkpoint records it, so a run continues only on a
  // build that computes the same. A probe that fails records none (the run itself says what is wrong).
  let fingerprint: string | null = null;
  try {
    fingerprint = computationFingerprint(lib, rule, c.spiking ? 'spiking' : 'rate', c.arch !== null && hasConv(c.arch));
  } catch (e) {
    process.stderr.write(`bioprop train: note: the computation fingerprint could not be taken (${(e as Error).message}); the record will have none\n`);
  }
  return { lib, data, evalSet, evalName, net, trainer, command, spikeMeta, fingerprint };
}

/** Trains (continuing the checkpoint with --resume), writing the checkpoint after every epoch. */
async function run(c: TrainCommand, r: TrainRun, log: (s: string) => void): Promise<{ result: FitResult; resumedFrom: number | null; fingerprint: string | null }> {
  const { trainer, command, checkpoint } = { ...r, checkpoint: c.checkpoint };
  let resumedFrom: number | null = null;
  // The record's fingerprint: this build's, unless epochs of the run were trained by a build that did not record one.
  let fingerprint = r.fingerprint;
  if (checkpoint && existsSync(checkpoint)) {
    const { state, meta, header } = c.resume ? decodeTrainingState(await readFileBytes(checkpoint, 'checkpoint'), checkpoint) : { state: null, meta: {} as Record<string, unknown>, header: null };
    const savedPrint = typeof meta.fingerprint === 'string' ? meta.fingerprint : undefined;
    if (c.resume && savedPrint !== undefined && r.fingerprint !== null && savedPrint !== r.fingerprint) {
      // Its epochs so far were another computation: continuing would make a run no build reproduces.
      log(`note: ${checkpoint} was trained by a build that computes this rule differently (fingerprint ${savedPrint} -> ${r.fingerprint}); ` +
        `the run starts afresh and overwrites it after its first epoch`);
    } else if (c.resume && state && header) {
      const saved = (meta.command ?? {}) as Record<string, unknown>;
      const diff = withoutNeutral(configDifferences(JSON.parse(JSON.stringify(command)), saved), trainer.rule, !!command.spiking);
      if (diff.length) {
        const differences = diff.map((d) => `${flagOf(d.key)} ${d.here} now, ${d.saved} in the checkpoint`).join('; ');
        if (!c.restartChanged) {
          throw new UsageError(`--resume: ${checkpoint} was saved by a different command, so this run cannot continue it: ${differences}. ` +
            `Run the same command to resume, or use another --checkpoint file to start a new run.`);
        }
        log(`note: ${checkpoint} was saved by a different command (${differences}); the run starts afresh and overwrites it after its first epoch`);
      } else {
        if (header.library !== VERSION) {
          process.stderr.write(`bioprop train: note: ${checkpoint} was written by bioprop ${header.library}, this is ${VERSION}; ` +
            `the run continues, but bit-identity with an uninterrupted run is only guaranteed on the same build\n`);
        }
        trainer.restore(state, checkpoint);
        resumedFrom = state.epoch;
        if (savedPrint === undefined) fingerprint = null;
        log(state.epoch < c.epochs ? `resuming at epoch ${state.epoch + 1}/${c.epochs} from ${checkpoint}` : `${checkpoint}: the run finished all ${plural(c.epochs, 'epoch')}; reporting it`);
      }
    } else {
      log(`note: ${checkpoint} exists; this run starts afresh and overwrites it after its first epoch (--resume continues it)`);
    }
  }
  const saveCheckpoint = () => {
    if (checkpoint) writeFileAtomicSync(checkpoint, encodeTrainingState(trainer, { command, dataset: c.dataset, ...r.spikeMeta, ...(fingerprint !== null ? { fingerprint } : {}) }), '--checkpoint');
  };

  const progress = new Progress(process.stderr, c.quiet);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = trainer.fit(r.data.train, {
      epochs: c.epochs, test: r.evalSet, signal: ac.signal,
      onBatch: (b) => {
        if (b.batch === 0) progress.beginEpoch();
        progress.batch(`epoch ${b.epoch + 1}/${c.epochs}`, b.batch + 1, b.batches, `loss ${b.loss.toFixed(4)}`);
      },
      onEpoch: (e: EpochRecord) => {
        progress.clear();
        log(`epoch ${String(e.epoch).padStart(String(c.epochs).length)}/${c.epochs}  loss ${e.trainLoss.toFixed(4)}  train ${(100 * e.trainAccuracy).toFixed(2)}%  ` +
            `${r.evalName} ${(100 * e.testAccuracy).toFixed(2)}%  lr ${e.lr.toPrecision(3)}  ${e.seconds.toFixed(1)} s` + (e.alignment ? alignSummary(e.alignment) : ''));
        saveCheckpoint();
      },
    });
    return { result, resumedFrom, fingerprint };
  } finally {
    process.off('SIGINT', onSigint);
    progress.clear();
  }
}

/** The rule's extra evaluations, the run record, the summary lines, the network file and --out. */
async function report(c: TrainCommand, r: TrainRun, fit: { result: FitResult; resumedFrom: number | null; fingerprint: string | null }, log: (s: string) => void): Promise<void> {
  const { rule, spiking } = c, { lib, net, trainer, data, evalSet, evalName } = r, { result, resumedFrom } = fit;
  const last = result.history[result.history.length - 1];
  const extra: Record<string, number> = {};
  for (const [name, fn] of Object.entries(rule.record?.evaluations ?? {})) {
    const ctx = trainer.ctx;
    extra[`${name}TestAccuracy`] = evaluateNetwork(lib, net, evalSet, undefined, (rows) => { ctx.rows = rows; fn(ctx, trainer.state, trainer.ruleParams); }).accuracy;
    log(`${name} ${evalName} accuracy ${(100 * extra[`${name}TestAccuracy`]!).toFixed(2)}%`);
  }
  const sim = net instanceof SpikingNetwork ? net.sim : null;
  const spikeRecord = sim
    ? { steps: sim.steps, dt: sim.dt, encoder: sim.encoderName, maxRate: sim.maxRate, readout: sim.readout, neuron: sim.neuron.id, neuronParams: sim.np,
        firingRates: sim.meanRates().map((x) => (Number.isFinite(x) ? x : null)), simSeconds: sim.simSeconds,
        eventFraction: Array.from(sim.eventSteps, (e, i) => e / Math.max(1, e + sim.denseSteps[i]!)) }
    : {};
  // A spike raster of the first hidden layer while the trained network sees the first test example.
  const raster = spiking && data.test.size > 0 ? recordRaster(trainer, data.test.images.data.subarray(0, data.test.features)) : null;
  const record = {
    rule: rule.id, dataset: c.dataset, hidden: c.hidden, ...(c.arch ? { arch: c.arch } : {}), activation: c.activation, spiking, ...spikeRecord, ...extra, epochs: c.epochs, batch: c.batch, lr: c.lr, seed: c.seed,
    limit: c.limit ?? null, testLimit: c.testLimit ?? null, validation: c.validation ?? null, trainExamples: data.train.size, evalExamples: evalSet.size,
    optimizer: c.optimizer, momentum: c.momentum, weightDecay: c.weightDecay, schedule: c.schedule, init: c.init, ruleParams: trainer.ruleParams,
    evaluatedOn: evalName, testAccuracy: last?.testAccuracy ?? null, trainAccuracy: last?.trainAccuracy ?? null,
    seconds: result.seconds, cancelled: result.cancelled, resumedFrom,
    ruleMetrics: rule.record?.metrics?.(trainer.state) ?? null,
    history: result.history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, trainAccuracy: h.trainAccuracy, testAccuracy: h.testAccuracy, testLoss: h.testLoss, lr: h.lr, seconds: h.seconds, ...(h.cpuSeconds !== undefined ? { cpuSeconds: h.cpuSeconds } : {}), ...(h.alignment ? { alignment: h.alignment } : {}) })),
    ...(raster ? { raster } : {}),
    threads: lib.threads, version: VERSION, node: process.version,
    // What this build computes for the rule's form: a sweep reruns the run when today's differs (src/report/stale.ts).
    ...(fit.fingerprint !== null ? { fingerprint: fit.fingerprint } : {}),
  };
  process.stdout.write(`${result.cancelled ? 'cancelled after' : 'done:'} ${plural(result.history.length, 'epoch')} in ${result.seconds.toFixed(1)} s` +
    `${resumedFrom !== null ? ` (resumed after epoch ${resumedFrom})` : ''}, ${evalName} accuracy ${last ? (100 * last.testAccuracy).toFixed(2) + '%' : 'n/a'}\n`);
  if (result.cancelled && c.checkpoint && existsSync(c.checkpoint)) log(`${c.checkpoint} holds the run after epoch ${result.history.length}; add --resume to the same command to continue it`);
  if (record.ruleMetrics) log(`rule metrics: ${Object.entries(record.ruleMetrics).map(([k, v]) => `${k} ${+v.toFixed(2)}`).join(', ')}`);
  if (c.save) {
    await writeFileAtomic(c.save, encodeCheckpoint(net, rule.id, { dataset: c.dataset, epochs: result.history.length, testAccuracy: record.testAccuracy, ruleParams: trainer.ruleParams, ...r.spikeMeta }), '--save');
    log(`saved network to ${c.save}`);
  }
  if (c.out) {
    await writeFileAtomic(c.out, new TextEncoder().encode(JSON.stringify(record, null, 2) + '\n'), '--out');
    log(`wrote run record to ${c.out}`);
  }
}

export async function train(argv: string[]): Promise<void> {
  const c = await parseTrain(argv);
  if (!c) return;
  const log = (s: string) => { if (!c.quiet) process.stdout.write(s + '\n'); };
  const r = await build(c, log);
  const fit = await run(c, r, log);
  await report(c, r, fit, log);
  r.net.dispose();
  for (const ds of [r.data.train, r.data.test, r.data.validation]) ds?.dispose();
  if (fit.result.cancelled) process.exitCode = 130;
}
