// THE rule registry: one import and one entry per rule. Tests and the CLI iterate it.
import { OBJECTIONS, SPIKING_PARTS, type AnyRule } from './types.js';
import { bp } from './bp.js';
import { fa } from './fa.js';
import { mirror } from './mirror.js';
import { sign } from './sign.js';
import { dfa } from './dfa.js';
import { synthgrad } from './synthgrad.js';
import { chl } from './chl.js';
import { eqprop } from './eqprop.js';
import { generec } from './generec.js';
import { dtp } from './dtp.js';
import { dtpInference } from './dtp-inference.js';
import { gaitprop } from './gaitprop.js';
import { kickback } from './kickback.js';
import { superspike } from './superspike.js';
import { erbp } from './erbp.js';
import { nef } from './nef.js';
import { dendrites } from './dendrites.js';
import { twosite } from './twosite.js';
import { agrel } from './agrel.js';
import { qagrel } from './qagrel.js';

export const rules: Record<string, AnyRule> = {
  bp,
  fa,
  mirror,
  sign,
  dfa,
  synthgrad,
  chl,
  eqprop,
  generec,
  dtp,
  'dtp-inference': dtpInference,
  gaitprop,
  kickback,
  superspike,
  erbp,
  nef,
  dendrites,
  twosite,
  agrel,
  qagrel,
};

/** Why a rule has no convolutional form: its own reason, or (a plugin rule that gives none) the general one. */
export function noConvReason(rule: AnyRule): string {
  return rule.noConv ?? 'its learning signals are defined on dense layers, and a convolution shares each kernel across positions, which its updates do not account for';
}

/** The rule registered under `id`, or a clear error listing the registered ids. */
export function getRule(id: string): AnyRule {
  const r = Object.hasOwn(rules, id) ? rules[id] : undefined;
  if (!r) throw new Error(`unknown rule '${id}' (registered: ${Object.keys(rules).join(', ')})`);
  return r;
}

const TRAIN_KEYS = ['optimizer', 'lr', 'momentum', 'weightDecay', 'schedule', 'activation', 'init', 'epochs', 'batch', 'hidden'] as const;

/**
 * Adds a rule of your own to the registry, so that `Trainer`, `bioprop train --rule ID` and `bioprop
 * compare` accept it (the CLI's `--plugin FILE` calls this for the rules FILE exports). Checks what the
 * trainer and the CLI rely on before anything runs: an id not yet taken, the descriptive fields, every
 * training default, and the init / teach / update functions. Returns the rule.
 */
export function registerRule<R extends AnyRule>(rule: R): R {
  const fail = (msg: string): never => {
    throw new Error(`registerRule${typeof rule?.id === 'string' ? ` '${rule.id}'` : ''}: ${msg}`);
  };
  if (typeof rule !== 'object' || rule === null) fail(`expected a rule object (defineRule({ … })), got ${rule === null ? 'null' : typeof rule}`);
  if (typeof rule.id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(rule.id)) fail(`id must be lower-case letters, digits and dashes, starting with a letter, got ${JSON.stringify(rule.id)}`);
  if (Object.hasOwn(rules, rule.id)) {
    if (rules[rule.id] === rule) return rule;
    fail(`the id is taken by ${rules[rule.id]!.title}; choose another`);
  }
  for (const k of ['title', 'cite'] as const) if (typeof rule[k] !== 'string') fail(`${k} must be a string, got ${JSON.stringify(rule[k])}`);
  const obj = rule.objections;
  if (typeof obj !== 'object' || obj === null) fail(`objections must be { removes: [...], partly?: [...] } of ${OBJECTIONS.join(', ')}`);
  for (const k of ['removes', 'partly'] as const) {
    const v = obj[k];
    if (v === undefined && k === 'partly') continue;
    if (!Array.isArray(v) || v.some((o) => !OBJECTIONS.includes(o))) fail(`objections.${k} must be a list of ${OBJECTIONS.join(', ')}, got ${JSON.stringify(v)}`);
  }
  if (rule.spiking !== undefined && (typeof rule.spiking !== 'object' || rule.spiking === null)) {
    fail(`spiking must be omitted (a rate rule) or an object such as { sim: {...}, train: {...}, parts: {...} }, got ${JSON.stringify(rule.spiking)}`);
  }
  if (rule.spiking) {
    const parts = rule.spiking.parts as unknown as Record<string, unknown> | undefined;
    const bad = SPIKING_PARTS.filter((k) => typeof parts?.[k] !== 'string' || !(parts[k] as string).trim());
    if (bad.length) fail(`spiking.parts must say in one sentence each what is spiking in ${SPIKING_PARTS.join(', ')}; missing or empty: ${bad.join(', ')}`);
  }
  const so = rule.spiking?.objections;
  if (so !== undefined) {
    for (const k of ['removes', 'partly'] as const) {
      const v = so[k];
      if (v === undefined && k === 'partly') continue;
      if (!Array.isArray(v) || v.some((o) => !OBJECTIONS.includes(o))) fail(`spiking.objections.${k} must be a list of ${OBJECTIONS.join(', ')}, got ${JSON.stringify(v)}`);
    }
  }
  if (rule.noSpiking !== undefined && (typeof rule.noSpiking !== 'string' || !rule.noSpiking.trim() || rule.spiking)) {
    fail(`noSpiking must be the reason a rule without a spiking form has none (a non-empty string, and no spiking form), got ${JSON.stringify(rule.noSpiking)}`);
  }
  if (rule.noConv !== undefined && (typeof rule.noConv !== 'string' || !rule.noConv.trim() || rule.conv)) {
    fail(`noConv must be the reason a rule without a convolutional form has none (a non-empty string, and conv unset), got ${JSON.stringify(rule.noConv)}`);
  }
  if (typeof rule.defaults !== 'object' || rule.defaults === null) fail(`defaults must be an object of the rule's parameters ({} for none)`);
  if (typeof rule.train !== 'object' || rule.train === null) fail(`train must hold the training defaults (${TRAIN_KEYS.join(', ')})`);
  const missing = TRAIN_KEYS.filter((k) => rule.train[k] === undefined);
  if (missing.length) fail(`train lacks ${missing.join(', ')} (spread another rule's, e.g. { ...getRule('fa').train, lr: 1e-3 })`);
  for (const k of ['init', 'teach', 'update'] as const) if (typeof rule[k] !== 'function') fail(`${k} must be a function`);
  rules[rule.id] = rule;
  return rule;
}
