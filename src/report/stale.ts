// Whether a finished run was made under the defaults its command gets today. A sweep keys a run by its
// command line, and most of a run's settings are not on that line: they are the rule's defaults. When a
// default changes (a rule's parameter, its training recipe, its spiking window), the same key would name a
// different run, so a result made under the old defaults is stale: the sweep runs it again and the report
// counts it as not yet run under the current build. A change of the computation under the same settings (a
// rule's arithmetic, the spike encoder's stream, the simulator) shows in the record's computation
// fingerprint (src/train/fingerprint.ts): a run whose fingerprint differs from today's is stale too, and
// one recorded before fingerprints is kept, counted apart, and rerun only when asked. Browser-safe.
import type { AnyRule } from '../rules/types.js';
import { ruleForm, ruleDefaults } from '../rules/form.js';
import { hasConv } from '../net/arch.js';
import type { ResultLine } from './results.js';

/** Record fields that come from the rule's training defaults unless the command sets them. */
const TRAIN_FLAGS = {
  epochs: '--epochs', batch: '--batch', lr: '--lr', optimizer: '--optimizer', momentum: '--momentum',
  weightDecay: '--weight-decay', schedule: '--schedule', init: '--init', activation: '--activation',
} as const;
/** Record fields of a spiking run that come from the form's simulator options unless set. */
const SIM_FLAGS = { steps: '--steps', dt: '--dt', encoder: '--encoder', maxRate: '--max-rate' } as const;

const show = (v: unknown): string => (v === undefined ? 'unset' : JSON.stringify(v));
const differ = (a: unknown, b: unknown): boolean => JSON.stringify(a) !== JSON.stringify(b);

/**
 * The settings of a finished run that differ from what its command gives today, as "name was → now"
 * strings; empty when the run is current, failed (nothing to compare), or its rule is not registered.
 */
export function staleSettings(line: ResultLine, registered: Record<string, AnyRule>): string[] {
  if (line.status !== 'ok') return [];
  const rule = registered[line.run.rule];
  if (!rule) return [];
  const argv = line.run.argv, r = line.record as Record<string, unknown>;
  const given = new Set<string>();
  argv.forEach((a, i) => { if (a === '--param' && i + 1 < argv.length) given.add(argv[i + 1]!.split('=')[0]!); });
  const conv = lineConv(line);
  const form = ruleForm(rule, line.run.mode === 'spiking', {}, conv);
  const out: string[] = [];
  for (const [field, flag] of Object.entries(TRAIN_FLAGS)) {
    const now = (form.train as unknown as Record<string, unknown>)[field];
    if (!argv.includes(flag) && field in r && differ(r[field], now)) out.push(`${field} ${show(r[field])} → ${show(now)}`);
  }
  if (!argv.includes('--hidden') && !argv.includes('--arch') && 'hidden' in r && differ(r.hidden, form.train.hidden)) {
    out.push(`hidden ${show(r.hidden)} → ${show(form.train.hidden)}`);
  }
  // A record without a field (an older or imported one) says nothing about it: only what it records is compared.
  if (r.ruleParams && typeof r.ruleParams === 'object') {
    const was = r.ruleParams as Record<string, unknown>;
    const now: Record<string, unknown> = { ...ruleDefaults(rule, conv), ...form.ruleParams };
    const neutral = (rule.neutralParams ?? {}) as Record<string, unknown>;
    const unread = line.run.mode === 'spiking' ? [] : (rule.spikingParams ?? []) as readonly string[];
    for (const k of new Set([...Object.keys(was), ...Object.keys(now)])) {
      if (given.has(k) || unread.includes(k) || !differ(was[k], now[k])) continue;
      // A parameter the rule gained since, at the value that changes nothing, is the run as it was made.
      if (!(k in was) && k in neutral && !differ(neutral[k], now[k])) continue;
      out.push(`param ${k} ${show(was[k])} → ${show(now[k])}`);
    }
  }
  if (form.sim && 'steps' in r) {
    for (const [field, flag] of Object.entries(SIM_FLAGS)) {
      const cur = (form.sim as unknown as Record<string, unknown>)[field];
      if (!argv.includes(flag) && cur !== undefined && differ(r[field], cur)) out.push(`${field} ${show(r[field])} → ${show(cur)}`);
    }
  }
  return out;
}

/** Today's computation fingerprint of a rule's form (src/train/fingerprint.ts), or null when it cannot be taken. */
export type TodayFingerprint = (rule: string, mode: 'rate' | 'spiking', conv: boolean) => string | null;

/**
 * Whether a finished run is the computation this build performs, by its record's fingerprint:
 * 'verified' (same as today's), 'changed' (another: the rule's arithmetic, the encoder, the simulator or a
 * default has changed since), 'unfingerprinted' (made before records carried one, or imported from such a
 * record), 'unchecked' (today's could not be taken: a rule not registered here, a form whose probe fails).
 */
export type Verification = 'verified' | 'changed' | 'unfingerprinted' | 'unchecked';

/** A run's network has convolutional layers (its --arch): the fingerprint of the convolutional form applies. */
export function lineConv(line: ResultLine): boolean {
  const argv = line.run.argv, arch = argv.indexOf('--arch');
  return arch >= 0 && arch + 1 < argv.length && hasConv(argv[arch + 1]!);
}

/** See Verification; `was`/`now` are the two fingerprints when both exist. */
export function verifyLine(line: ResultLine, today: TodayFingerprint): { status: Verification; was?: string; now?: string } {
  const was = line.status === 'ok' ? (line.record as Record<string, unknown>).fingerprint : undefined;
  if (typeof was !== 'string') return { status: 'unfingerprinted' };
  const now = today(line.run.rule, line.run.mode, lineConv(line));
  if (now === null) return { status: 'unchecked', was };
  return { status: was === now ? 'verified' : 'changed', was, now };
}

export interface StaleOptions {
  /** Today's fingerprints: a finished run whose fingerprint differs is stale. */
  today?: TodayFingerprint;
  /** Runs made before fingerprints are stale too (`compare --rerun-unfingerprinted`); by default they are kept. */
  rerunUnfingerprinted?: boolean;
}

/**
 * Why a finished run must run again, as reasons: each default changed since (staleSettings), a changed
 * computation ('computation changed (fingerprint a1b2 -> c3d4)'), and, when asked, a record made before
 * fingerprints. Empty for a current run, and for a failed one (nothing to compare). The sweep, its dry
 * run's estimate and the report all decide with this one function, so they agree on what runs.
 */
export function staleReasons(line: ResultLine, registered: Record<string, AnyRule>, o: StaleOptions = {}): string[] {
  if (line.status !== 'ok') return [];
  const out = staleSettings(line, registered);
  if (o.today) {
    const v = verifyLine(line, o.today);
    if (v.status === 'changed') out.push(`computation changed (fingerprint ${v.was} -> ${v.now})`);
    if (v.status === 'unfingerprinted' && o.rerunUnfingerprinted) out.push('made before fingerprints (--rerun-unfingerprinted)');
  }
  return out;
}
