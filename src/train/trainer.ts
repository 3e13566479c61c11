// The training loop: minibatches through a rule and the shared optimiser, evaluation every epoch,
// per-epoch history, callbacks and cancellation. Divergence (a non-finite loss or weight) stops the
// run with an error naming rule, epoch and batch. Steady state allocates nothing: the network, the
// rule state, the optimiser state and the batch buffers are all made in the constructor.
import type { Backend } from '../backend.js';
import type { Network, Param } from '../net/network.js';
import type { AnyRule, StepContext } from '../rules/types.js';
import { getRule, noConvReason, rules } from '../rules/index.js';
import { ruleForm, ruleDefaults } from '../rules/form.js';
import { makeOptimizer, type Optimizer, type OptimizerName } from '../optim/optimizers.js';
import { schedule, type ScheduleName } from '../optim/schedules.js';
import { Rng } from '../core/rng.js';
import { Batcher } from '../data/batcher.js';
import type { Dataset } from '../data/dataset.js';
import { Alignment } from './alignment.js';
import { SpikingNetwork } from '../net/spiking.js';
import { captureState, restoreState, type RunPosition, type TrainingState, type TrainerConfig } from './resume.js';
import type { EpochRecord } from './history.js';

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
  /** Measure gradient alignment (src/train/alignment.ts) every N training steps (default 0: never). */
  alignEvery?: number;
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

/** Where a run stands: the fit under way or last finished, or a restored run waiting for fit(). */
interface Progress extends RunPosition {
  /** True while an epoch runs (and after a cancelled one): no consistent snapshot then. */
  inEpoch: boolean;
}

export class DivergenceError extends Error {
  constructor(readonly rule: string, readonly epoch: number, readonly batch: number, what: string) {
    super(`${rule} diverged at epoch ${epoch}, batch ${batch}: ${what}. Lower the learning rate (--lr) or check the rule's settings.`);
    this.name = 'DivergenceError';
  }
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
// The process's CPU seconds (user + system, every thread) where the engine reports them (Node), else
// undefined (browsers). What an epoch costs, where wall time also counts whatever else the machine runs.
const proc = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
const cpuNow = (): number | undefined => {
  const u = proc?.cpuUsage?.();
  return u ? (u.user + u.system) / 1e6 : undefined;
};

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
  /** Evaluation forward pass: the rule's forward hook (not training), else the plain network pass. */
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
    const conv = net.convolutional, d = ruleForm(this.rule, false, {}, conv).train;
    for (const key of Object.keys(o.ruleParams ?? {})) {
      if (!Object.hasOwn(this.rule.defaults, key)) {
        throw new Error(`trainer: rule '${this.rule.id}' has no parameter '${key}' (it has: ${Object.keys(this.rule.defaults).join(', ') || 'none'})`);
      }
    }
    if (net.convolutional && !this.rule.conv) {
      const withConv = Object.values(rules).filter((r) => r.conv).map((r) => r.id).join(', ');
      throw new Error(`trainer: rule '${this.rule.id}' has no convolutional form, so it cannot train a network with convolutional layers ` +
        `(${net.arch}): ${noConvReason(this.rule)}. Use a dense network (--hidden) or a rule with a convolutional form: ${withConv}`);
    }
    if (net.convolutional && (o.alignEvery ?? 0) > 0) {
      throw new Error(`trainer: alignEvery (--align-every) measures dense layers only; this network has convolutional layers (${net.arch})`);
    }
    this.ruleParams = { ...ruleDefaults(this.rule, conv), ...o.ruleParams };
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
    this.optimizer = makeOptimizer(lib, net.ws, o.optimizer ?? d.optimizer, this.params, { momentum, weightDecay });
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
        ...(net.arch !== null ? { arch: net.arch, inputShape: net.inputShape } : {}),
      },
    };
    this.alignment = this.alignEvery > 0 ? new Alignment(net, this.rule, this.state) : null;
    const rl = this.rule;
    this.inferFn = rl.forward
      ? (rows) => { this.ctx.rows = rows; rl.forward!(this.ctx, this.state, this.ruleParams, false); }
      : (rows) => net.forward(rows);
  }

  /**
   * One training step on the first `rows` rows already in net.input / net.target: forward, loss,
   * the rule's teach and update, one optimiser step. Returns the summed loss of the batch.
   */
  step(rows = this.net.batch): number {
    const { net, rule, ctx } = this;
    ctx.rows = rows;
    if (rule.forward) rule.forward(ctx, this.state, this.ruleParams, true);
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
        const te = now(), ce = cpuNow();
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
        const c1 = cpuNow();
        if (ce !== undefined && c1 !== undefined) rec.cpuSeconds = c1 - ce;
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
   * The training state between two epochs (in onEpoch, after fit, or before any fit): see
   * src/train/resume.ts. Throws during an epoch or after a cancelled one (the weights are mid-epoch then).
   */
  snapshot(): TrainingState {
    const p = this.progress;
    if (p?.inEpoch) {
      throw new Error(`trainer.snapshot: epoch ${p.epoch + 1} was interrupted or is under way; a training state is taken between epochs (in onEpoch or after fit)`);
    }
    return captureState(this, p, this.steps);
  }

  /**
   * Puts a snapshot() back onto this trainer, freshly constructed with the same settings; the next
   * fit() continues the run (src/train/resume.ts).
   */
  restore(s: TrainingState, source = 'training state'): void {
    restoreState(this, s, source);
    this.steps = s.alignSteps;
    this.progress = { batcherSeed: s.batcherSeed, epoch: s.epoch, history: structuredClone(s.history), seconds: s.seconds, inEpoch: false };
    this.resumeNext = true;
  }
}
