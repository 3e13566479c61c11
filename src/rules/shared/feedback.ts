// Fixed random feedback matrices for the feedback-alignment family (fa, dfa, sign's frSF/brSF):
// drawn once at init from the rule's forked seed with the WASM generator (same seed, same matrices),
// owned by the network's workspace.
import type { Tensor } from '../../core/tensor.js';
import type { Workspace } from '../../core/workspace.js';
import type { Network } from '../../net/network.js';
import type { Rng } from '../../core/rng.js';

export type FeedbackDist = 'uniform' | 'normal';
export const FEEDBACK_DISTS: readonly FeedbackDist[] = ['uniform', 'normal'];

/** Throws a clear error unless `v` is one of `allowed`. */
export function oneOfParam<T extends string>(rule: string, key: string, v: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(v)) throw new Error(`${rule}: parameter ${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** 'auto' → `auto`; else a positive finite number, or a clear error. */
export function scaleParam(rule: string, key: string, v: unknown, auto: number): number {
  if (v === 'auto') return auto;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${rule}: parameter ${key} must be 'auto' or a positive number, got ${JSON.stringify(v)}`);
  return v;
}

/** Root mean square of a tensor's entries (0 for an all-zero tensor). */
export function rms(net: Network, t: Tensor): number {
  return Math.sqrt(net.lib.sumsq(t) / t.size);
}

/**
 * A [rows, cols] matrix in `ws` filled from `dist` with RMS `rms`: uniform U(−√3·rms, √3·rms) or
 * normal N(0, rms²). Uses one draw of `rng` as the seed of a WASM stream.
 */
export function randomMatrix(net: Network, ws: Workspace, rng: Rng, rows: number, cols: number, dist: FeedbackDist, rms: number): Tensor {
  const B = ws.f32([rows, cols]);
  const wr = net.lib.rng(rng.nextU32() | 0);
  try {
    if (dist === 'uniform') wr.uniform(B, -Math.sqrt(3) * rms, Math.sqrt(3) * rms);
    else wr.normal(B, 0, rms);
  } finally {
    wr.dispose();
  }
  return B;
}
