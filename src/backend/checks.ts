// Argument checks of the kernel API that allocate nothing: every failure names the operation, the
// argument, what was expected and what was given, before any kernel runs. Shape checks always run;
// the memory-overlap checks that see through row views run in the debug build (Backend.debug).
import { Tensor } from '../core/tensor.js';
import { IntBuffer } from '../core/intbuf.js';
import { fmtShape, isTensor, sizeIs } from '../core/check.js';

export { fmtShape, isTensor, finite, integer, sizeIs } from '../core/check.js';

/** Throws unless `t` is a live tensor of rank 2 (a vector [n] counts as [1, n] when `allowVector`); returns its rows. */
export function rows2(op: string, name: string, t: unknown, allowVector = false): number {
  isTensor(op, name, t);
  const s = t.shape;
  if (s.length === 2) return s[0]!;
  if (allowVector && s.length === 1) return 1;
  throw new Error(`${op}: ${name} must be a 2-D tensor, got shape ${fmtShape(s)}`);
}

/** Throws unless `a` is a live tensor and `b` one of as many elements (any shapes). */
export function pair(op: string, an: string, a: unknown, bn: string, b: unknown): void {
  isTensor(op, an, a);
  sizeIs(op, bn, b, a.size);
}

/** Columns of a tensor that passed rows2. */
export function cols2(t: Tensor): number {
  return t.shape[t.shape.length - 1]!;
}

/** Throws unless `t` has the same rows × cols as `ref` (a vector [n] counts as [1, n]). */
export function sameMatrix(op: string, name: string, t: unknown, ref: Tensor): void {
  const m = rows2(op, name, t, true);
  if (m !== ref.rows || cols2(t as Tensor) !== ref.cols) throw new Error(`${op}: ${name} is ${fmtShape((t as Tensor).shape)}, expected ${fmtShape(ref.shape)}`);
}

/** Throws unless `v` is a number that is not NaN (±Infinity allowed: clip bounds). */
export function notNaN(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${op}: ${name} must be a number (not NaN), got ${typeof v === 'number' ? v : typeof v}`);
  return v;
}

/**
 * Throws if `a` and `b` share memory: the same tensor or the same address always; any overlap of
 * their byte ranges (a row view and the tensor it views) when `full`, i.e. in the debug build. A null
 * `b` (an optional buffer left out) shares nothing.
 */
export function disjoint(op: string, an: string, a: Tensor, bn: string, b: Tensor | null, full: boolean): void {
  if (b === null) return;
  const pa = a.ptr, pb = b.ptr;
  if (a === b || pa === pb || (full && pa < pb + 4 * b.size && pb < pa + 4 * a.size && a.size > 0 && b.size > 0)) {
    throw new Error(`${op}: ${an} and ${bn} must not share memory (${an} ${a}, ${bn} ${b}; the kernel writes one while it reads the other)`);
  }
}

/**
 * disjoint() for every pair of the non-null tensors among ts[0 .. count) (names[i] names ts[i]), in the
 * order i < j: the per-step kernels check their dozen buffers this way without building lists.
 */
export function allDisjoint(op: string, names: readonly string[], ts: readonly (Tensor | null)[], count: number, full: boolean): void {
  for (let i = 0; i < count; i++) {
    const a = ts[i];
    if (!a) continue;
    for (let j = i + 1; j < count; j++) {
      const b = ts[j];
      if (b) disjoint(op, names[i]!, a, names[j]!, b, full);
    }
  }
}

/** Throws unless `v` is one of `allowed`; returns it. */
export function oneOf<T extends string>(op: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) throw new TypeError(`${op}: ${name} must be one of ${allowed.join(', ')}, got ${String(v)}`);
  return v as T;
}

/**
 * Throws unless `list` and `counts` hold spike lists for `rows` rows of up to `width` entries:
 * IntBuffer<'i32'> of at least rows·width and rows slots. In the debug build also every row's count
 * (in [0, width]) and its entries (increasing, in [0, width)), which release builds trust as the kernels
 * that write them (layerStep, poissonStep) leave them. `part` names which lists of the call these are
 * ('' for the only ones); errors say "op (part)". Nothing is allocated unless it throws.
 */
export function spikeLists(op: string, part: string, list: unknown, counts: unknown, rows: number, width: number, full: boolean, checkContents = false): void {
  i32Slots(op, part, 'list', list, rows * width, rows, width);
  i32Slots(op, part, 'counts', counts, rows, rows, width);
  if (!full || !checkContents) return;
  const c = (counts as IntBuffer<'i32'>).data, l = (list as IntBuffer<'i32'>).data;
  for (let r = 0; r < rows; r++) {
    if (!(c[r]! >= 0 && c[r]! <= width)) throw new RangeError(`${where(op, part)}: counts[${r}] must be in [0, ${width}], got ${c[r]}`);
    for (let e = 0; e < c[r]!; e++) {
      const j = l[r * width + e]!;
      if (!(j >= 0 && j < width) || (e > 0 && j <= l[r * width + e - 1]!)) throw new RangeError(`${where(op, part)}: list row ${r} must hold increasing indices in [0, ${width}), got ${j} at ${e}`);
    }
  }
}

function where(op: string, part: string): string {
  return part === '' ? op : `${op} (${part})`;
}

function i32Slots(op: string, part: string, name: string, buf: unknown, need: number, rows: number, width: number): void {
  if (!(buf instanceof IntBuffer) || buf.kind !== 'i32') throw new TypeError(`${where(op, part)}: ${name} must be an IntBuffer<'i32'>, got ${String(buf)}`);
  if (buf.length < need) throw new RangeError(`${where(op, part)}: ${name} needs at least ${need} slots for ${rows} rows of ${width}, got ${buf.length}`);
}
