// Flag parsing for the CLI (node:util's parseArgs at each command), with values checked and errors that say which
// flag and what was expected.

import { UsageError } from '../core/check.js';

export { UsageError };

/** Runs a parseArgs call, turning its errors into a UsageError that names the command. */
export function usage<T>(command: string, parseFn: () => T): T {
  try {
    return parseFn();
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional.*$/s, '')} (see 'bioprop ${command} --help')`);
  }
}

export function int(flag: string, v: string | undefined, lo: number, hi = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < lo || n > hi) {
    throw new UsageError(`--${flag} must be an integer in [${lo}, ${hi === Number.MAX_SAFE_INTEGER ? '∞' : hi}], got '${v}'`);
  }
  return n;
}

export function num(flag: string, v: string | undefined, check: (x: number) => boolean, expect: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${flag} must be ${expect}, got '${v}'`);
  return n;
}

export function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}

/**
 * node:util's parseArgs reads `--lr -1` as a flag followed by an option-like token and refuses it as
 * ambiguous; joining a negative number to the flag before it (`--lr=-1`) lets the value checks give
 * their own message, as they do for `--lr=-1`.
 */
export function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!, next = argv[i + 1];
    if (/^--[^=]+$/.test(a) && next !== undefined && /^-(\d|\.\d|Infinity\b)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/** '1 epoch', '3 epochs'. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Hidden-layer sizes: '256,256,256', or 'none' for a network without hidden layers (an empty value is refused). */
export function intList(flag: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  if (v.trim() === 'none') return [];
  if (v.trim() === '') throw new UsageError(`--${flag} is empty; give sizes such as 256,256,256 (or 'none' for no hidden layer)`);
  const parts = v.split(',').map((s) => s.trim());
  const out = parts.map((p) => Number(p));
  if (parts.some((p) => !/^\d+$/.test(p)) || out.some((n) => n < 1)) {
    throw new UsageError(`--${flag} must be a comma-separated list of positive integers (e.g. 256,256,256), got '${v}'`);
  }
  return out;
}
