// Resumable runs. Between epochs (in onEpoch, or after fit) Trainer.snapshot() captures everything the
// rest of the run depends on: the bytes of every workspace tensor (weights, rule state with its WASM RNG
// states, optimiser moments, scratch), the trainer's Rng (ctx.rng: the rules' JS-side draws), the
// optimiser's step count, the training batcher's seed (an epoch's order is a function of (seed, epoch)
// alone), the next epoch, the history, and JS-side counters (the simulator's, rule.resume.save()).
// Trainer.restore() puts a snapshot onto a freshly constructed Trainer of the same configuration (it
// refuses another one, listing the differences), and the next fit() continues at that epoch with the
// schedule laid over the same total epochs: same seed, same build, the same result bit for bit as a run
// that was never interrupted (tests/train/resume.test.ts, every registered rule).
import type { Backend } from '../backend.js';
import type { Network } from '../net/network.js';
import type { AnyRule } from '../rules/types.js';
import type { Optimizer, OptimizerName } from '../optim/optimizers.js';
import type { ScheduleName } from '../optim/schedules.js';
import type { EpochRecord } from './history.js';
import { Rng } from '../core/rng.js';
import { tensorBytes } from '../core/tensor.js';
import { SpikingNetwork, type SimCounters } from '../net/spiking.js';

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
  /** rule.resume.save(state), or null when the rule keeps no JS-side state. */
  rule: unknown;
  /** Every workspace tensor in allocation order: its shape and its bytes (float32, little-endian). */
  tensors: { shape: number[]; bytes: Uint8Array }[];
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

/**
 * `diffs` without the rule parameters that cannot change the computation: one a state saved before the
 * rule had it, where this run holds the value that changes nothing (the rule's neutralParams), and, in a
 * rate run, one only the rule's spiking form reads (its spikingParams). Continuing such a state is the
 * same run.
 */
export function withoutNeutral(diffs: ConfigDifference[], rule: Pick<AnyRule, 'neutralParams' | 'spikingParams'>, spiking: boolean, prefix = 'ruleParams.'): ConfigDifference[] {
  const neutral = (rule.neutralParams ?? {}) as Record<string, unknown>, unread = spiking ? [] : (rule.spikingParams ?? []) as readonly string[];
  return diffs.filter((d) => {
    const k = d.key.startsWith(prefix) ? d.key.slice(prefix.length) : null;
    if (k === null) return true;
    return !(unread.includes(k) || (d.saved === 'unset' && k in neutral && JSON.stringify(neutral[k]) === d.here));
  });
}

/** What a trainer's saved state is taken from and put back onto. */
export interface Resumable {
  readonly lib: Backend;
  readonly net: Network;
  readonly rule: AnyRule;
  readonly state: unknown;
  readonly rng: Rng;
  readonly optimizer: Optimizer;
  readonly config: TrainerConfig;
}

/** Where a run stands between two epochs (the trainer's own bookkeeping). */
export interface RunPosition {
  epoch: number;
  batcherSeed: number | null;
  history: EpochRecord[];
  seconds: number;
}

/** The training state of `tr` at `p` (null: before any fit), `alignSteps` steps into the alignment cadence. */
export function captureState(tr: Resumable, p: RunPosition | null, alignSteps: number): TrainingState {
  return {
    config: structuredClone(tr.config),
    epoch: p?.epoch ?? 0,
    batcherSeed: p?.batcherSeed ?? null,
    rng: Array.from(tr.rng.state()),
    optimizerSteps: tr.optimizer.t,
    alignSteps,
    seconds: p?.seconds ?? 0,
    history: structuredClone(p?.history ?? []),
    sim: tr.net instanceof SpikingNetwork ? tr.net.sim.counters() : null,
    rule: tr.rule.resume?.save(tr.state) ?? null,
    tensors: tr.net.ws.tensors.map((t) => ({ shape: [...t.shape], bytes: tensorBytes(t).slice() })),
  };
}

/**
 * Puts a captureState() back onto `tr`, freshly constructed with the same settings (network, rule, its
 * parameters, optimiser, schedule, epochs, seed): tensors, Rng, optimiser steps, JS-side counters; the
 * trainer then takes up the run position. Throws a clear error naming `source` when the settings or the
 * workspace layout differ, before changing anything.
 */
export function restoreState(tr: Resumable, s: TrainingState, source: string): void {
  const fail = (what: string): never => {
    throw new Error(`${source}: cannot resume: ${what}`);
  };
  const diff = withoutNeutral(configDifferences(JSON.parse(JSON.stringify(tr.config)), JSON.parse(JSON.stringify(s.config ?? {}))), tr.rule, tr.config.network.spiking !== null);
  if (diff.length) fail(`it was saved by a run with other settings: ${diff.map((d) => `${d.key} ${d.here} here, ${d.saved} in the state`).join('; ')}`);
  const ws = tr.net.ws.tensors;
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
  if ((s.sim === null) !== !(tr.net instanceof SpikingNetwork)) fail(`the simulator counters are ${s.sim ? 'present' : 'missing'}, but this network is ${tr.net instanceof SpikingNetwork ? '' : 'not '}spiking`);
  try {
    new Rng(0).setState(s.rng);
    if (!Number.isSafeInteger(s.optimizerSteps) || s.optimizerSteps < 0) throw new Error(`the optimiser step count must be a non-negative integer, got ${s.optimizerSteps}`);
    // JS-side counters first: they validate what they are given, and leave the tensors untouched if not.
    if (tr.net instanceof SpikingNetwork) tr.net.sim.setCounters(s.sim);
    if (tr.rule.resume) tr.rule.resume.load(tr.state, s.rule);
    else if (s.rule !== null && s.rule !== undefined) throw new Error(`it holds JS-side state for rule '${tr.rule.id}', which keeps none`);
  } catch (e) {
    fail((e as Error).message);
  }
  const mem = new Uint8Array(tr.lib.heap.memory.buffer);
  ws.forEach((t, i) => mem.set(s.tensors[i]!.bytes, t.ptr));
  tr.rng.setState(s.rng);
  tr.optimizer.restoreSteps(s.optimizerSteps);
}
