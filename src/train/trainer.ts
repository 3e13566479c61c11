// The training loop: minibatches through a rule and the shared optimiser, evaluation every epoch,
// per-epoch history, callbacks and cancellation. Divergence (a non-finite loss or weight) stops the
// run with an error naming rule, epoch and batch. Steady state allocates nothing: the network, the
// rule state, the optimiser state and the batch buffers are all made in the constructor.
//
// Resumable runs: between epochs (in onEpoch, or after fit) snapshot() captures everything the rest of
// the run depends on: the bytes of every workspace tensor (weights, rule state with its WASM RNG
// states, optimiser moments, scratch), the trainer's Rng (ctx.rng: the rules' JS-side draws), the
// optimiser's step count, the training batcher's seed (an epoch's order is a function of (seed, epoch)
// alone), the next epoch, the history, and JS-side counters (the simulator's, rule.saveState()).
// restore() puts a snapshot onto a freshly constructed Trainer of the same configuration (it refuses
// another one, listing the differences), and the next fit() continues at that epoch with the schedule
// laid over the same total epochs: same seed, same build, the same result bit for bit as a run that was
// never interrupted (tests/train/resume.test.ts, every registered rule).
import type { Backend } from '../ops.js';
import type { Network, Param } from '../net/network.js';
import type { AnyRule, StepContext } from '../rules/types.js';
import { getRule } from '../rules/index.js';
import { makeOptimizer, type Optimizer, type OptimizerName } from './optimizers.js';
import { schedule, type ScheduleName } from './schedules.js';
import { Rng } from '../core/rng.js';
import { Batcher } from '../data/batcher.js';
import type { Dataset } from '../data/dataset.js';
import { Alignment, type AlignmentRecord } from '../metrics/alignment.js';
import { SpikingNetwork, type SimCounters } from '../net/spiking.js';
import { tensorBytes } from '../core/tensor.js';

export interface TrainerOptions {
  /** Rule hyperparameters, merged over the rule's defaults. */
  ruleParams?: Record<string, unknown>;
  optimizer?: OptimizerName;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  schedule?: ScheduleName;
  /** Epochs of the run the schedule is laid over (fit() may be given the same). */
  epochs?: number;
  seed?: number;
  /** Measure gradient alignment (src/metrics/alignment.ts) every N training steps (default 0: never). */
  alignEvery?: number;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  lr: number;
  seconds: number;
  /** Per-layer alignment to backprop, averaged over the epoch's measured batches (only with alignEvery). */
  alignment?: AlignmentRecord[];
}

export interface BatchInfo {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  rows: number;
}

export interface FitOptions {
  epochs?: number;
  test?: Dataset;
  onBatch?: (b: BatchInfo) => void;
  onEpoch?: (r: EpochRecord) => void;
  signal?: AbortSignal;
}

export interface FitResult {
  /** Every finished epoch: after restore(), the restored run's epochs first. */
  history: EpochRecord[];
  cancelled: boolean;
  /** Training seconds, summed over the sessions of a resumed run. */
  seconds: number;
  /** Epochs restored from a snapshot before this fit (0 for a fresh run). */
  resumedFrom: number;
}

/** The settings a training state was made under: restore() refuses a trainer with other settings. */
export interface TrainerConfig {
  rule: string;
  ruleParams: Record<string, unknown>;
  optimizer: OptimizerName;
  lr: number;
  momentum: number;
  weightDecay: number;
  schedule: ScheduleName;
  /** Epochs the schedule is laid over. */
  epochs: number;
  seed: number;
  alignEvery: number;
  network: {
    sizes: number[]; activations: string[]; outputActivation: string; loss: string; bias: boolean; init: string;
    batch: number; seed: number;
    /** The resolved simulator settings of a SpikingNetwork, null for a rate network. */
    spiking: Record<string, unknown> | null;
  };
}

/**
 * Everything a run's remaining epochs depend on, between two epochs (Trainer.snapshot / restore;
 * src/io/training-state.ts writes it to a file).
 */
export interface TrainingState {
  config: TrainerConfig;
  /** Epochs finished: the 0-based index of the next epoch. */
  epoch: number;
  /** Seed of the training batcher's epoch orders, or null before the first fit() (drawn there). */
  batcherSeed: number | null;
  /** The trainer's Rng (ctx.rng), four 32-bit words. */
  rng: number[];
  /** Optimiser steps taken (Adam's bias correction). */
  optimizerSteps: number;
  /** Training steps counted for the alignment cadence (alignEvery). */
  alignSteps: number;
  /** Training seconds so far, over all sessions. */
  seconds: number;
  history: EpochRecord[];
  /** JS-side counters of a SpikingNetwork's simulator (firing rates), or null. */
  sim: SimCounters | null;
  /** rule.saveState(state), or null when the rule keeps no JS-side state. */
  rule: unknown;
  /** Every workspace tensor in allocation order: its shape and its bytes (float32, little-endian). */
  tensors: { shape: number[]; bytes: Uint8Array }[];
}

/** Where a run stands: the fit under way or last finished, or a restored run waiting for fit(). */
interface Progress {
  batcherSeed: number | null;
  epoch: number;
  history: EpochRecord[];
  seconds: number;
  /** True while an epoch runs (and after a cancelled one): no consistent snapshot then. */
  inEpoch: boolean;
}

/** One setting that differs between two configurations (values as JSON text, 'unset' when absent). */
export interface ConfigDifference {
  /** Dotted path of the setting, e.g. 'lr' or 'ruleParams.beta'. */
  key: string;
  here: string;
  saved: string;
}

/**
 * The settings where `here` and `saved` differ (nested objects compared key by key). Values are
 * compared as JSON, what a state file keeps (so NaN and null, or Infinity and null, count as equal).
 */
export function configDifferences(here: Record<string, unknown>, saved: Record<string, unknown>, prefix = ''): ConfigDifference[] {
  const json = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));
  const plain = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  const out: ConfigDifference[] = [];
  for (const key of new Set([...Object.keys(here), ...Object.keys(saved)])) {
    const a = here[key], b = saved[key];
    if (plain(a) && plain(b)) out.push(...configDifferences(a, b, `${prefix}${key}.`));
    else if (json(a) !== json(b)) out.push({ key: prefix + key, here: json(a), saved: json(b) });
  }
  return out;
}

export class DivergenceError extends Error {
  constructor(readonly rule: string, readonly epoch: number, readonly batch: number, what: string) {
    super(`${rule} diverged at epoch ${epoch}, batch ${batch}: ${what}. Lower the learning rate (--lr) or check the rule's settings.`);
    this.name = 'DivergenceError';
  }
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Mean loss and accuracy of `net` over a dataset (forward passes only, no learning). */
export function evaluateNetwork(
  lib: Backend, net: Network, ds: Dataset, batcher?: Batcher, forward: (rows: number) => void = (rows) => net.forward(rows),
): { loss: number; accuracy: number } {
  const own = batcher ?? new Batcher(lib, ds, net.batch, { shuffle: false, into: { x: net.input, y: net.target } });
  try {
    let loss = 0, correct = 0, n = 0;
    for (let i = 0; i < own.batches; i++) {
      const rows = own.load(i);
      forward(rows);
      loss += net.computeLoss(rows);
      correct += net.countCorrect(rows);
      n += rows;
    }
    return { loss: loss / n, accuracy: correct / n };
  } finally {
    if (!batcher) own.dispose();
  }
}

export class Trainer {
  readonly rule: AnyRule;
  readonly ruleParams: Record<string, unknown>;
  readonly state: unknown;
  readonly params: Param[];
  readonly optimizer: Optimizer;
  readonly rng: Rng;
  readonly ctx: StepContext;
  readonly lr: number;
  readonly scheduleName: ScheduleName;
  readonly epochs: number;
  /** The resolved settings (what a training state records and restore() checks). */
  readonly config: TrainerConfig;
  private lrAt: (epoch: number, frac: number) => number;
  private currentLr: number;
  private epochIndex = 0;
  /** Evaluation forward pass: the rule's infer (or forward) hook, else the plain network pass. */
  private readonly inferFn: (rows: number) => void;
  private batchIndex = 0;
  /** The alignment diagnostic (scratch buffers made once), when alignEvery > 0. */
  readonly alignment: Alignment | null;
  private readonly alignEvery: number;
  private steps = 0;
  private progress: Progress | null = null;
  /** Set by restore(): the next fit() continues `progress` instead of starting a run. */
  private resumeNext = false;

  constructor(readonly lib: Backend, readonly net: Network, rule: string | AnyRule, o: TrainerOptions = {}) {
    this.rule = typeof rule === 'string' ? getRule(rule) : rule;
    const d = this.rule.train;
    for (const key of Object.keys(o.ruleParams ?? {})) {
      if (!Object.hasOwn(this.rule.defaults, key)) {
        throw new Error(`trainer: rule '${this.rule.id}' has no parameter '${key}' (it has: ${Object.keys(this.rule.defaults).join(', ') || 'none'})`);
      }
    }
    this.ruleParams = { ...this.rule.defaults, ...o.ruleParams };
    this.lr = o.lr ?? d.lr;
    if (!(this.lr > 0) || !Number.isFinite(this.lr)) throw new Error(`trainer: lr must be a positive finite number, got ${this.lr}`);
    this.epochs = o.epochs ?? d.epochs;
    this.scheduleName = o.schedule ?? d.schedule;
    this.lrAt = schedule(this.scheduleName, this.lr, this.epochs);
    this.currentLr = this.lrAt(0, 0);
    const seed = o.seed ?? net.seed;
    this.rng = new Rng(seed);
    this.state = this.rule.init(net, this.ruleParams, net.ws, this.rng.fork());
    this.params = [...net.params(), ...(this.rule.params?.(this.state) ?? [])];
    const momentum = o.momentum ?? d.momentum, weightDecay = o.weightDecay ?? d.weightDecay;
    this.optimizer = makeOptimizer(lib.kernels, net.ws, o.optimizer ?? d.optimizer, this.params, { momentum, weightDecay });
    this.ctx = { net, rows: net.batch, rng: this.rng };
    this.alignEvery = o.alignEvery ?? 0;
    if (!Number.isInteger(this.alignEvery) || this.alignEvery < 0) throw new Error(`trainer: alignEvery must be a non-negative integer, got ${o.alignEvery}`);
    this.config = {
      rule: this.rule.id, ruleParams: this.ruleParams, optimizer: this.optimizer.name, lr: this.lr, momentum, weightDecay,
      schedule: this.scheduleName, epochs: this.epochs, seed, alignEvery: this.alignEvery,
      network: {
        sizes: [...net.sizes], activations: [...net.activations], outputActivation: net.outputActivation, loss: net.loss,
        bias: net.bias, init: net.init, batch: net.batch, seed: net.seed,
        spiking: net instanceof SpikingNetwork ? net.sim.settings() : null,
      },
    };
    this.alignment = this.alignEvery > 0 ? new Alignment(net, this.rule, this.state) : null;
    const hook = this.rule.infer ?? this.rule.forward;
    this.inferFn = hook
      ? (rows) => { this.ctx.rows = rows; hook.call(this.rule, this.ctx, this.state, this.ruleParams); }
      : (rows) => net.forward(rows);
  }

  /**
   * One training step on the first `rows` rows already in net.input / net.target: forward, loss,
   * the rule's teach and update, one optimiser step. Returns the summed loss of the batch.
   */
  step(rows = this.net.batch): number {
    const { net, rule, ctx } = this;
    ctx.rows = rows;
    if (rule.forward) rule.forward(ctx, this.state, this.ruleParams);
    else net.forward(rows);
    const loss = net.computeLoss(rows);
    if (!Number.isFinite(loss)) throw new DivergenceError(rule.id, this.epochIndex, this.batchIndex, `the loss is ${loss}`);
    rule.teach(ctx, this.state, this.ruleParams);
    rule.update(ctx, this.state, this.ruleParams);
    if (this.alignment && this.steps++ % this.alignEvery === 0) this.alignment.measure(ctx, this.currentLr);
    this.optimizer.step(this.currentLr);
    return loss;
  }

  /** Mean loss and accuracy over a dataset (no learning). */
  evaluate(ds: Dataset, batcher?: Batcher): { loss: number; accuracy: number } {
    return evaluateNetwork(this.lib, this.net, ds, batcher, this.inferFn);
  }

  /**
   * Trains for `epochs` epochs over `train`, evaluating on `test` after each. After restore(), runs
   * the epochs from the restored one up to `epochs` (the run's total) and returns the whole history.
   */
  fit(train: Dataset, o: FitOptions = {}): FitResult {
    const net = this.net, epochs = o.epochs ?? this.epochs;
    const resumed = this.resumeNext ? this.progress! : null;
    this.resumeNext = false;
    if (resumed && resumed.epoch > epochs) {
      throw new Error(`trainer.fit: the restored run has finished ${resumed.epoch} epochs, more than the ${epochs} asked for`);
    }
    // The batcher's seed is the run's first draw from the trainer's Rng; a resumed run keeps its own.
    const seed = resumed?.batcherSeed ?? (this.rng.nextU32() | 0);
    const start = resumed?.epoch ?? 0, before = resumed?.seconds ?? 0;
    const history: EpochRecord[] = resumed ? [...resumed.history] : [];
    const progress: Progress = this.progress = { batcherSeed: seed, epoch: start, history, seconds: before, inEpoch: false };
    const io = { x: net.input, y: net.target };
    const batcher = new Batcher(this.lib, train, net.batch, { seed, shuffle: true, into: io });
    const testBatcher = o.test ? new Batcher(this.lib, o.test, net.batch, { shuffle: false, into: io }) : undefined;
    const t0 = now();
    let cancelled = false;
    try {
      for (let e = start; e < epochs && !cancelled; e++) {
        const te = now();
        this.epochIndex = e;
        progress.inEpoch = true;
        batcher.epoch(e);
        let loss = 0, correct = 0, n = 0;
        for (let i = 0; i < batcher.batches; i++) {
          if (o.signal?.aborted) { cancelled = true; break; }
          this.batchIndex = i;
          this.currentLr = this.lrAt(e, i / batcher.batches);
          const rows = batcher.load(i);
          const l = this.step(rows);
          correct += net.countCorrect(rows); // from this step's forward pass, before its update
          loss += l;
          n += rows;
          o.onBatch?.({ epoch: e, batch: i, batches: batcher.batches, loss: l / rows, rows });
        }
        if (cancelled) break;
        const bad = net.nonFiniteWeights();
        if (bad > 0) throw new DivergenceError(this.rule.id, e, batcher.batches - 1, `${bad} weights are not finite`);
        const test = testBatcher ? this.evaluate(o.test!, testBatcher) : { loss: NaN, accuracy: NaN };
        const rec: EpochRecord = {
          epoch: e + 1, trainLoss: loss / n, trainAccuracy: correct / n,
          testLoss: test.loss, testAccuracy: test.accuracy, lr: this.currentLr, seconds: (now() - te) / 1000,
        };
        if (this.alignment) rec.alignment = this.alignment.take();
        history.push(rec);
        progress.epoch = e + 1;
        progress.seconds = before + (now() - t0) / 1000;
        progress.inEpoch = false;
        o.onEpoch?.(rec);
      }
    } finally {
      batcher.dispose();
      testBatcher?.dispose();
    }
    const seconds = before + (now() - t0) / 1000;
    if (!progress.inEpoch) progress.seconds = seconds;
    return { history: [...history], cancelled, seconds, resumedFrom: start };
  }

  /**
   * The training state between two epochs (in onEpoch, after fit, or before any fit): see the file
   * header. Throws during an epoch or after a cancelled one (the weights are mid-epoch then).
   */
  snapshot(): TrainingState {
    const p = this.progress;
    if (p?.inEpoch) {
      throw new Error(`trainer.snapshot: epoch ${p.epoch + 1} was interrupted or is under way; a training state is taken between epochs (in onEpoch or after fit)`);
    }
    return {
      config: structuredClone(this.config),
      epoch: p?.epoch ?? 0,
      batcherSeed: p?.batcherSeed ?? null,
      rng: Array.from(this.rng.state()),
      optimizerSteps: this.optimizer.t,
      alignSteps: this.steps,
      seconds: p?.seconds ?? 0,
      history: structuredClone(p?.history ?? []),
      sim: this.net instanceof SpikingNetwork ? this.net.sim.counters() : null,
      rule: this.rule.saveState?.(this.state) ?? null,
      tensors: this.net.ws.tensors.map((t) => ({ shape: [...t.shape], bytes: tensorBytes(t).slice() })),
    };
  }

  /**
   * Puts a snapshot() back onto this trainer, freshly constructed with the same settings (network,
   * rule, its parameters, optimiser, schedule, epochs, seed); the next fit() continues the run. Throws
   * a clear error naming `source` when the settings or the workspace layout differ, before changing
   * anything.
   */
  restore(s: TrainingState, source = 'training state'): void {
    const fail = (what: string): never => {
      throw new Error(`${source}: cannot resume: ${what}`);
    };
    const diff = configDifferences(JSON.parse(JSON.stringify(this.config)), JSON.parse(JSON.stringify(s.config ?? {})));
    if (diff.length) fail(`it was saved by a run with other settings: ${diff.map((d) => `${d.key} ${d.here} here, ${d.saved} in the state`).join('; ')}`);
    const ws = this.net.ws.tensors;
    if (s.tensors.length !== ws.length) {
      fail(`it holds ${s.tensors.length} workspace tensors, this network, rule and optimiser have ${ws.length} (saved by another version of bioprop?)`);
    }
    ws.forEach((t, i) => {
      const r = s.tensors[i]!;
      if (r.shape.length !== t.shape.length || r.shape.some((d, j) => d !== t.shape[j])) {
        fail(`workspace tensor ${i} is [${r.shape.join(', ')}] in the state, [${t.shape.join(', ')}] here`);
      }
      if (r.bytes.length !== t.size * 4) fail(`workspace tensor ${i} has ${r.bytes.length} bytes, its shape needs ${t.size * 4}`);
    });
    if (!Number.isSafeInteger(s.epoch) || s.epoch < 0) fail(`the epoch must be a non-negative integer, got ${s.epoch}`);
    if (!Array.isArray(s.history) || s.history.length !== s.epoch) fail(`the history has ${s.history?.length} epochs, the state is at epoch ${s.epoch}`);
    if (s.batcherSeed !== null && !Number.isInteger(s.batcherSeed)) fail(`the batcher seed must be an integer, got ${s.batcherSeed}`);
    if (!Number.isSafeInteger(s.alignSteps) || s.alignSteps < 0) fail(`the alignment step count must be a non-negative integer, got ${s.alignSteps}`);
    if (!(s.seconds >= 0)) fail(`the training time must be a number >= 0, got ${s.seconds}`);
    if ((s.sim === null) !== !(this.net instanceof SpikingNetwork)) fail(`the simulator counters are ${s.sim ? 'present' : 'missing'}, but this network is ${this.net instanceof SpikingNetwork ? '' : 'not '}spiking`);
    try {
      new Rng(0).setState(s.rng);
      if (!Number.isSafeInteger(s.optimizerSteps) || s.optimizerSteps < 0) throw new Error(`the optimiser step count must be a non-negative integer, got ${s.optimizerSteps}`);
      // JS-side counters first: they validate what they are given, and leave the tensors untouched if not.
      if (this.net instanceof SpikingNetwork) this.net.sim.setCounters(s.sim);
      if (this.rule.loadState) this.rule.loadState(this.state, s.rule);
      else if (s.rule !== null && s.rule !== undefined) throw new Error(`it holds JS-side state for rule '${this.rule.id}', which keeps none`);
    } catch (e) {
      fail((e as Error).message);
    }
    const mem = new Uint8Array(this.lib.heap.memory.buffer);
    ws.forEach((t, i) => mem.set(s.tensors[i]!.bytes, t.ptr));
    this.rng.setState(s.rng);
    this.optimizer.restoreSteps(s.optimizerSteps);
    this.steps = s.alignSteps;
    this.progress = { batcherSeed: s.batcherSeed, epoch: s.epoch, history: structuredClone(s.history), seconds: s.seconds, inEpoch: false };
    this.resumeNext = true;
  }
}
