// Argument checks shared by every wrapper: each failure names the operation, the argument, what was
// expected and what was given, so a bad call never reaches a kernel (no `unreachable` trap, no silently
// wrong answer).
import { Tensor } from './tensor.js';

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws unless `t` is a live Tensor. */
export function isTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) {
    const got = t === null ? 'null' : Array.isArray(t) ? 'an Array' : ArrayBuffer.isView(t) ? t.constructor.name : typeof t;
    throw new TypeError(`${op}: ${name} must be a Tensor, got ${got}`);
  }
  if (t.disposed) throw new Error(`${op}: ${name} ${t} was disposed`);
}

/** Throws unless `t` is a live Tensor of rank 2 (a vector [n] counts as [1, n] only if `allowVector`). */
export function matrix(op: string, name: string, t: unknown, allowVector = false): [number, number] {
  isTensor(op, name, t);
  if (t.shape.length === 2) return [t.shape[0]!, t.shape[1]!];
  if (allowVector && t.shape.length === 1) return [1, t.shape[0]!];
  throw new Error(`${op}: ${name} must be a 2-D tensor, got shape ${fmtShape(t.shape)}`);
}

/** Throws unless `t` has exactly `shape`. */
export function sameShape(op: string, name: string, t: unknown, shape: readonly number[]): void {
  isTensor(op, name, t);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${op}: ${name} is ${fmtShape(t.shape)}, expected ${fmtShape(shape)}`);
  }
}

/** Throws unless `t` holds exactly `size` elements (any shape). */
export function sizeIs(op: string, name: string, t: unknown, size: number): void {
  isTensor(op, name, t);
  if (t.size !== size) throw new Error(`${op}: ${name} ${fmtShape(t.shape)} has ${t.size} elements, expected ${size}`);
}

/** Throws unless `v` is a finite number. */
export function finite(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new TypeError(`${op}: ${name} must be a finite number, got ${typeof v === 'number' ? v : typeof v}`);
  }
  return v;
}

/** Throws unless `v` is an integer in [lo, hi]. */
export function integer(op: string, name: string, v: unknown, lo = 0, hi = 2 ** 31 - 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new RangeError(`${op}: ${name} must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  }
  return v;
}

/** A mistake in what the user asked for (a flag, a file, a job's command line): the CLI prints its message
 *  alone, without a stack trace, and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
