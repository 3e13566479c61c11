// THE rule registry: one line per rule. Tests and the CLI iterate it.
import type { AnyRule } from './types.js';
import { bp } from './bp.js';
import { qagrel } from './qagrel.js';
import { agrel } from './agrel.js';
import { twosite } from './twosite.js';
import { dendrites } from './dendrites.js';

export const rules: Record<string, AnyRule> = { bp, qagrel, agrel, twosite, dendrites };

/** The rule registered under `id`, or a clear error listing the registered ids. */
export function getRule(id: string): AnyRule {
  const r = Object.hasOwn(rules, id) ? rules[id] : undefined;
  if (!r) throw new Error(`unknown rule '${id}' (registered: ${Object.keys(rules).join(', ')})`);
  return r;
}
