// THE rule registry: one import and one entry per rule. Tests and the CLI iterate it.
import type { AnyRule } from './types.js';
import { bp } from './bp.js';
import { fa } from './fa.js';
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

/** The rule registered under `id`, or a clear error listing the registered ids. */
export function getRule(id: string): AnyRule {
  const r = Object.hasOwn(rules, id) ? rules[id] : undefined;
  if (!r) throw new Error(`unknown rule '${id}' (registered: ${Object.keys(rules).join(', ')})`);
  return r;
}
