// A run's form, rate or spiking, resolved from the rule's `spiking` (Rule.spiking): the one place the CLI,
// the browser worker, the report's run keys and the tests derive it from.
import type { AnyRule, Objection, TrainDefaults } from './types.js';
import type { SpikingOptions } from '../net/spiking.js';

export interface RuleForm {
  spiking: boolean;
  /** Options of the SpikingNetwork to build (the rule's paper settings), or null: a plain Network (a rate
   *  run, or a rule simulating its own neurons). */
  sim: SpikingOptions | null;
  /** The rule's training defaults in this form. */
  train: TrainDefaults;
  /** The rule parameters given, with what the form sets (a rule with its own neurons: spiking = true). */
  ruleParams: Record<string, unknown>;
  /** Parameters the form sets, and parameters with no effect in it (a run key leaves both out). */
  implied: readonly string[];
  unused: readonly string[];
}

/**
 * The form of a run of `rule` with `ruleParams`, spiking when asked (--spiking), when the rule has no
 * rate form, or when a rule with its own neurons is given `spiking=true` as a parameter; `conv`: the
 * network has convolutional layers (the rule's convDefaults apply).
 */
export function ruleForm(rule: AnyRule, asked: boolean, ruleParams: Record<string, unknown> = {}, conv = false): RuleForm {
  const form = rule.spiking, own = form?.own;
  const spiking = !!form && (asked || !!form.only || (!!own && ruleParams.spiking === true));
  const convSpiking = conv && spiking ? rule.convDefaults?.spiking : undefined;
  return {
    spiking,
    sim: spiking && !own ? { ...form!.sim, ...convSpiking?.sim } : null,
    train: { ...rule.train, ...(conv ? rule.convDefaults?.train : undefined), ...(spiking ? form!.train : undefined), ...convSpiking?.train },
    ruleParams: own && spiking ? { ...ruleParams, spiking: true } : { ...ruleParams },
    implied: own ? ['spiking'] : [],
    unused: own && !spiking ? own : [],
  };
}

/**
 * The objections a rule's spiking form removes, or null when it has none: the form's own statement
 * (SpikingForm.objections); else, for a rule defined on rates that runs on a SpikingNetwork, the rate
 * form's plus the spiking objection in part (spikes carry the forward pass, learning reads rates); a
 * spiking-only rule's, or one simulating its own neurons, are its Rule.objections.
 */
export function spikingObjections(rule: AnyRule): { removes: Objection[]; partly: Objection[] } | null {
  const form = rule.spiking;
  if (!form) return null;
  const own = form.objections ?? rule.objections;
  const removes = [...own.removes], partly = [...(own.partly ?? [])];
  if (!form.objections && !form.only && !form.own && !removes.includes('spiking') && !partly.includes('spiking')) partly.push('spiking');
  return { removes, partly };
}

/** The rule's parameter defaults for a network with (`conv`) or without convolutional layers. */
export function ruleDefaults(rule: AnyRule, conv: boolean): Record<string, unknown> {
  return { ...rule.defaults, ...(conv ? rule.convDefaults?.params : undefined) };
}
