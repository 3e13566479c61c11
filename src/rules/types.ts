// The Rule interface: what a learning rule implements, and the signals it may read.
// A rule's `teach` writes every layer's teaching signal `delta` from what that layer may see; its
// `update` turns signals into gradient estimates in each layer's `dW`/`db` (loss-gradient sign
// convention: the shared optimiser steps W ← W − lr·dW). Rule-owned trainable state (inverse
// weights, synthetic-gradient modules…) is exposed through `params` so the same optimiser trains it.
import type { Tensor } from '../core/tensor.js';
import type { Workspace } from '../core/workspace.js';
import type { Network, Layer, Param } from '../net/network.js';
import type { Rng } from '../core/rng.js';
import type { OptimizerName } from '../optim/optimizers.js';
import type { ScheduleName } from '../optim/schedules.js';
import type { InitScheme } from '../net/init.js';
import type { SpikingOptions } from '../net/spiking.js';

/** The six objections to backprop (Hunsberger's thesis), the columns of every comparison. */
export type Objection = 'weightTransport' | 'derivativeTransport' | 'linearFeedback' | 'spiking' | 'timing' | 'target';
export const OBJECTIONS: readonly Objection[] = ['weightTransport', 'derivativeTransport', 'linearFeedback', 'spiking', 'timing', 'target'];

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

/**
 * A rule's spiking form. Either it runs on a SpikingNetwork (src/net/spiking.ts) built from `sim`, or it
 * simulates its own neurons on a plain Network (`own`): then its boolean parameter `spiking` switches them
 * on, and `own` lists the parameters that matter only when it does. src/rules/form.ts resolves a run's form
 * from this for every front end.
 */
export interface SpikingForm<P> {
  /** The rule has no rate form and always runs spiking (superspike, erbp, nef). */
  only?: boolean;
  /** Simulator settings from the rule's paper (steps, dt, encoder, maxRate, neuron parameters…): the
   *  defaults of --spiking, and of the simulator a spiking-only rule keeps in its state. */
  sim?: SpikingOptions;
  /** Overrides of `train` for spiking runs. */
  train?: Partial<TrainDefaults>;
  /** The rule's own neurons: the parameters only its spiking version reads. */
  own?: P extends { spiking: boolean } ? readonly (keyof P & string)[] : never;
  /** What this form carries in spikes and what stays rate-coded (`bioprop rules --spiking`, the report). */
  parts: SpikingParts;
  /** The objections this form removes, when they differ from the rule's (Rule.objections): a rule defined
   *  on rates that runs on spiking neurons removes the spiking objection in part (spiking forward pass,
   *  learning from rates). A spiking-only rule's Rule.objections already describe its spiking form. */
  objections?: { removes: readonly Objection[]; partly?: readonly Objection[] };
  /** For a rule with a convolutional form whose spiking form has none: why, said when --spiking meets
   *  convolutional layers (before any work). */
  noConv?: string;
}

/** The parts of learning a SpikingParts describes, in the order they are printed. */
export const SPIKING_PARTS = ['forward', 'feedback', 'error', 'update'] as const;

/**
 * One sentence per part of learning, saying what is spiking in a rule's spiking form and what stays
 * rate-coded or graded: the answer to "can it be built from spiking neurons", part by part.
 */
export interface SpikingParts {
  /** The forward pass: neurons, input encoding, readout. */
  forward: string;
  /** The path that carries the learning signal to hidden layers. */
  feedback: string;
  /** The output error, or whatever stands in its place. */
  error: string;
  /** When the weights change and from which quantities (spike times, rates, traces). */
  update: string;
}

export interface Rule<P extends object = object, S = unknown> {
  id: string;
  title: string;
  /** Short citation, e.g. 'Lillicrap et al. 2016, Nat. Commun. 7:13276'. */
  cite: string;
  /** The objections this rule removes fully, and those it removes in part (e.g. sign-symmetry shares only signs). */
  objections: { removes: readonly Objection[]; partly?: readonly Objection[] };
  /** Rule hyperparameters (feedback scale, …). */
  defaults: P;
  /**
   * Parameters added after the rule was first released, each with the value that leaves the rule exactly
   * as it was before the parameter existed. A finished run recorded without one of them is still current
   * while its default is that value (src/report/stale.ts), so adding a parameter does not force reruns.
   */
  neutralParams?: Partial<P>;
  /**
   * Parameters only the rule's spiking form reads. A rate run is the same computation whatever they hold, so
   * a rate record or saved state made without them, or with other values, is still current; a spiking one
   * is compared on them like any other parameter.
   */
  spikingParams?: readonly (keyof P & string)[];
  /** Training recipe defaults. */
  train: TrainDefaults;
  /** Present when the rule runs in spiking neurons. */
  spiking?: SpikingForm<P>;
  /** For a rule with no spiking form: why its learning signal cannot come from spikes in any published or
   *  sound form (a reason, not "not implemented"). */
  noSpiking?: string;
  /**
   * The rule has a convolutional form: it reads layers only through the network's sendDown / postSignal /
   * unpool / weightGrads (src/rules/shared/common.ts) or otherwise handles Layer.conv and Layer.pool.
   * A network with convolutional layers is refused by a rule without it (docs/conv.md).
   */
  conv?: boolean;
  /**
   * Overrides of `train` and `defaults` for a network with convolutional layers, where the dense recipe
   * does not carry over (the flags and given parameters still win). Spiking overrides apply on top, and
   * `spiking` on top of those: the spiking form's recipe and window on a convolutional network.
   */
  convDefaults?: { train?: Partial<TrainDefaults>; params?: Partial<P>; spiking?: { train?: Partial<TrainDefaults>; sim?: SpikingOptions } };
  /** For a rule without a convolutional form: why it has none (what its paper defines, or what a
   *  convolutional form would need that is not built), said when a network with convolutions is refused. */
  noConv?: string;
  /** Builds rule state (feedback matrices, scratch) in `ws`, once per network. */
  init(net: Network, p: P, ws: Workspace, rng: Rng): S;
  /** Trainable tensors the rule owns, stepped by the shared optimiser (default none). */
  params?(s: S): Param[];
  /**
   * The forward pass, replacing net.forward(rows) (e.g. settling to a fixed point, a spiking time loop):
   * `training` for a training step, false for evaluation. It must leave the prediction in
   * net.output.post so the loss can be computed.
   */
  forward?(ctx: StepContext, s: S, p: P, training: boolean): void;
  /** Writes each layer's teaching signal `delta` (the output layer's from `net.error`). */
  teach(ctx: StepContext, s: S, p: P): void;
  /** Writes the gradient estimates `dW`, `db` of every layer (and of its own params). */
  update(ctx: StepContext, s: S, p: P): void;
  /** What the rule adds to the run record (`bioprop train --out`), after training. */
  record?: {
    /** Figures such as the mean settling iterations per example, as `ruleMetrics`. */
    metrics?(s: S): Record<string, number>;
    /** Extra named evaluation passes (e.g. nef's rate network beside its spiking one), as `<name>TestAccuracy`. */
    evaluations?: Record<string, (ctx: StepContext, s: S, p: P) => void>;
  };
  /**
   * Resumable training (src/train/resume.ts): state a rule keeps in JS rather than in workspace tensors,
   * as a JSON value (e.g. the counters behind `record.metrics`), and putting it back on a freshly
   * initialised state. Everything in workspace tensors (weights, feedback matrices, traces, WASM RNG
   * states, scratch) is saved without this, and JS-side draws use ctx.rng, whose state the trainer saves.
   */
  resume?: { save(s: S): unknown; load(s: S, v: unknown): void };
  /** What the alignment diagnostic (src/train/alignment.ts) reads besides the layers. */
  alignment?: {
    /**
     * The feedback path that carries the teaching signal into hidden layer `l` (0 ≤ l < layers − 1), for
     * the weight angle. `from: 'above'`: a matrix standing where backprop uses W_{l+1} ([n_{l+1}, n_l]: B for
     * FA, sign(W)·s for sign-symmetry); `from: 'output'`: a matrix standing where backprop's linearised path
     * W_L···W_{l+1} stands ([classes, n_l]: B_l for DFA). Omitted or null: the rule has no such matrix.
     */
    feedback?(s: S, l: number): FeedbackPath | null;
    /**
     * For a rule whose forward pass keeps its signals in its own state rather than in the layers' pre /
     * deriv and the network's error: the signals backprop is taken on, after teach. `pre[l]` [batch, in_l]
     * the presynaptic activity the rule's update uses, `deriv[l]` [batch, n_l] the derivative of each unit's
     * output with respect to its drive (a positive constant factor per layer is allowed: angles ignore it),
     * `outputDelta` [batch, classes] backprop's output δ up to a positive constant. The tensors must stay
     * the same for the state's lifetime: the diagnostic asks once.
     */
    signals?(s: S, net: Network): BackpropSignals;
  };
}

/** See Rule.alignment.signals. */
export interface BackpropSignals {
  pre: readonly Tensor[];
  deriv: readonly Tensor[];
  outputDelta: Tensor;
}

/** See Rule.alignment.feedback. */
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
