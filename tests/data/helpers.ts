// Helpers for the data tests: temp folders with IDX files written by the test, async error checks, and
// a separate WASM instance for the real datasets (so 200+ MB of images do not grow the shared instance
// every other test file uses).
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { load, encodeIdx, type Backend, type IdxDtype } from '../../src/index.js';

/** A fresh temp folder; remove it with rmTemp. */
export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `bioprop-${tag}-`));
}

export function rmTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes an IDX file (gzip when `gz`) to dir/name and returns its path. */
export function writeIdx(dir: string, name: string, dtype: IdxDtype, dims: number[], data: ArrayLike<number>, gz = false): string {
  const p = join(dir, name);
  const bytes = encodeIdx(dtype, dims, data);
  writeFileSync(p, gz ? gzipSync(bytes) : bytes);
  return p;
}

/** Writes raw bytes to dir/name and returns its path. */
export function writeBytes(dir: string, name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** Asserts that the promise rejects with an Error matching every pattern. */
export async function rejectsClearly(p: Promise<unknown>, ...patterns: RegExp[]): Promise<Error> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  if (err === undefined) assert.unreachable(`expected a rejection matching ${patterns.join(' and ')}`);
  assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
  for (const re of patterns) assert.match((err as Error).message, re);
  return err as Error;
}

/** Escapes a string for use inside a RegExp. */
export function literal(s: string): RegExp {
  return new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

let big: Promise<Backend> | null = null;

/** A WASM instance of its own for the real datasets (loaded once, shared by the data test files). */
export function bigBackend(): Promise<Backend> {
  // dist/tests/data/helpers.js -> build/release.wasm at the package root
  return (big ??= load({ source: new URL('../../../build/release.wasm', import.meta.url) }));
}

/** Per-class counts of labels. */
export function histogram(labels: Uint8Array, classes: number): number[] {
  const h = new Array<number>(classes).fill(0);
  for (const l of labels) h[l]!++;
  return h;
}
