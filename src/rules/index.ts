// THE rule registry: one line per rule. Tests and the CLI iterate it.
import type { AnyRule } from './types.js';
import { bp } from './bp.js';
import { fa } from './fa.js';
import { sign } from './sign.js';
import { dfa } from './dfa.js';
import { synthgrad } from './synthgrad.js';

export const rules: Record<string, AnyRule> = { bp, fa, sign, dfa, synthgrad };

/** The rule registered under `id`, or a clear error listing the registered ids. */
export function getRule(id: string): AnyRule {
  const r = Object.hasOwn(rules, id) ? rules[id] : undefined;
  if (!r) throw new Error(`unknown rule '${id}' (registered: ${Object.keys(rules).join(', ')})`);
  return r;
}
