// The Rule interface: what a learning rule implements, and the signals it may read.
// A rule's `teach` writes every layer's teaching signal `delta` from what that layer may see; its
// `update` turns signals into gradient estimates in each layer's `dW`/`db` (loss-gradient sign
// convention: the shared optimiser steps W ← W − lr·dW). Rule-owned trainable state (inverse
// weights, synthetic-gradient modules…) is exposed through `params` so the same optimiser trains it.
import type { Tensor } from '../core/tensor.js';
import type { Workspace } from '../core/workspace.js';
import type { Network, Layer, Param } from '../net/network.js';
import type { Rng } from '../core/rng.js';
import type { OptimizerName } from '../train/optimizers.js';
import type { ScheduleName } from '../train/schedules.js';
import type { InitScheme } from '../net/init.js';
import type { SpikingOptions, Raster, RasterOptions } from '../net/spiking.js';

/** The six objections to backprop (Hunsberger's thesis), the columns of every comparison. */
export type Objection = 'weightTransport' | 'derivativeTransport' | 'linearFeedback' | 'spiking' | 'timing' | 'target';
export const OBJECTIONS: readonly Objection[] = ['weightTransport', 'derivativeTransport', 'linearFeedback', 'spiking', 'timing', 'target'];

export type Phase = 'free' | 'nudged' | 'clamped' | 'minus' | 'plus' | 'target';

/** What the trainer hands a rule each step. */
export interface StepContext {
  net: Network;
  /** Rows of the current batch actually filled (≤ net.batch). */
  rows: number;
  rng: Rng;
}

/** Training defaults a rule carries: `bioprop train --rule R` uses them when no flag overrides. */
export interface TrainDefaults {
  optimizer: OptimizerName;
  lr: number;
  momentum: number;
  weightDecay: number;
  schedule: ScheduleName;
  activation: string;
  init: InitScheme;
  epochs: number;
  batch: number;
  hidden: number[];
}

export interface Rule<P extends object = object, S = unknown> {
  id: string;
  title: string;
  /** Short citation, e.g. 'Lillicrap et al. 2016, Nat. Commun. 7:13276'. */
  cite: string;
  /** Objections this rule removes (fully). */
  removes: readonly Objection[];
  /** Objections it removes in part (e.g. sign-symmetry shares only signs). */
  partly?: readonly Objection[];
  /** Whether the rule runs on spiking networks. */
  spiking: boolean;
  /** Rule hyperparameters (feedback scale, …). */
  defaults: P;
  /** Training recipe defaults. */
  train: TrainDefaults;
  phases?: readonly Phase[];
  /**
   * Spiking settings from the rule's paper (steps, dt, encoder, maxRate, neuron parameters…): the CLI's
   * defaults for --spiking (src/net/spiking.ts, SpikingOptions). `only`: the rule has no rate form and
   * always runs spiking (superspike, erbp, nef's evaluation).
   */
  spikingDefaults?: SpikingOptions & { only?: boolean };
  /**
   * For rules that simulate their own spiking neurons inside the rule (segregated dendrites): the name
   * of the boolean rule parameter that switches the spiking version on. `--spiking` then sets it (on the
   * plain Network) instead of building a SpikingNetwork, and the run record says `spiking: true`.
   */
  spikingParam?: string;
  /**
   * Rule parameters that only the spiking version reads (with spikingParam): a rate run's value of them
   * has no effect, so its run key (src/report/import.ts) leaves them out.
   */
  spikingOnlyParams?: readonly (keyof P & string)[];
  /** Overrides of `train` for spiking runs (`--spiking`, or rules that always run spiking). */
  spikingTrain?: Partial<TrainDefaults>;
  /**
   * Extra named evaluation passes (e.g. nef's rate network beside its spiking one): the CLI evaluates
   * each after training and records `<name>TestAccuracy`.
   */
  evaluations?: Record<string, (ctx: StepContext, s: S, p: P) => void>;
  /**
   * For rules that simulate their own spiking neurons (spikingParam): records a spike raster of one
   * inference presentation of row 0 of net.input (see src/train/raster.ts); null when not spiking.
   * Rules on a SpikingNetwork need no hook (SpikingSim.raster).
   */
  raster?(ctx: StepContext, s: S, p: P, o: RasterOptions): Raster | null;
  /** Builds rule state (feedback matrices, scratch) in `ws`, once per network. */
  init(net: Network, p: P, ws: Workspace, rng: Rng): S;
  /** Trainable tensors the rule owns, stepped by the shared optimiser (default none). */
  params?(s: S): Param[];
  /**
   * Training-time forward pass, replacing net.forward(rows) (e.g. settling to a fixed point, a spiking
   * time loop). It must leave the prediction in net.output.post so the loss can be computed.
   */
  forward?(ctx: StepContext, s: S, p: P): void;
  /** Inference-time forward pass for evaluation (default: `forward` if given, else net.forward). */
  infer?(ctx: StepContext, s: S, p: P): void;
  observe?(ctx: StepContext, s: S, p: P, phase: Phase): void;
  /** Writes each layer's teaching signal `delta` (the output layer's from `net.error`). */
  teach(ctx: StepContext, s: S, p: P): void;
  /** Writes the gradient estimates `dW`, `db` of every layer (and of its own params). */
  update(ctx: StepContext, s: S, p: P): void;
  /** Figures for the run record (e.g. mean settling iterations per example); called outside the step. */
  metrics?(s: S): Record<string, number>;
  /**
   * Resumable training (Trainer.snapshot / restore): state a rule keeps in JS rather than in workspace
   * tensors, as a JSON value (e.g. the counters behind `metrics`); loadState puts it back on a freshly
   * initialised state. Everything in workspace tensors (weights, feedback matrices, traces, WASM RNG
   * states, scratch) is saved without these hooks, and JS-side draws use ctx.rng, whose state the
   * trainer saves. A rule whose state is all in the workspace omits both.
   */
  saveState?(s: S): unknown;
  loadState?(s: S, v: unknown): void;
  /**
   * The feedback path that carries the teaching signal into hidden layer `l` (0 ≤ l < layers − 1), read
   * only by the alignment diagnostic (src/metrics/alignment.ts) for its weight angle. `from: 'above'`: a
   * matrix standing where backprop uses W_{l+1} ([n_{l+1}, n_l]: B for FA, sign(W)·s for sign-symmetry);
   * `from: 'output'`: a matrix standing where backprop's linearised path W_L···W_{l+1} stands
   * ([classes, n_l]: B_l for DFA). Omitted or null: the rule has no such matrix.
   */
  feedback?(s: S, l: number): FeedbackPath | null;
  /**
   * For a rule whose forward pass keeps its signals in its own state rather than in the layers' pre /
   * deriv and the network's error: the signals backprop is taken on by the alignment diagnostic, after
   * teach. `pre[l]` [batch, in_l] the presynaptic activity the rule's update uses, `deriv[l]` [batch,
   * n_l] the derivative of each unit's output with respect to its drive (a positive constant factor per
   * layer is allowed: angles ignore it), `outputDelta` [batch, classes] backprop's output δ up to a
   * positive constant. The tensors must stay the same for the state's lifetime: the diagnostic asks once.
   * Omitted: the layers' pre, deriv and net.error are used.
   */
  backpropSignals?(s: S, net: Network): BackpropSignals;
}

/** See Rule.backpropSignals. */
export interface BackpropSignals {
  pre: readonly Tensor[];
  deriv: readonly Tensor[];
  outputDelta: Tensor;
}

/** See Rule.feedback. */
export interface FeedbackPath {
  matrix: Tensor;
  from: 'above' | 'output';
}

/** Helper that keeps a rule's parameter and state types inferred. */
export function defineRule<P extends object, S>(rule: Rule<P, S>): Rule<P, S> {
  return rule;
}

export type AnyRule = Rule<any, any>;
export type { Layer };
