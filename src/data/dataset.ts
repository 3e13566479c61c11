// Dataset: labelled examples whose images live once in WASM memory as a float32 [size, features] tensor
// (pixels scaled to [0, 1] once, at load, written straight into the tensor's view); labels stay in JS.
// Also the browser-safe part of loading: turning four decoded IDX files into train / validation / test
// datasets (datasetsFromIdx). Reading the files from disk is Node's job (src/data/load.ts).
//
// Validation split (deterministic for a seed): perm = Fisher–Yates shuffle of 0..N-1 with Rng(seed);
// validation = perm[0..v), train = perm[v..N); each keeps the file order of its examples (indices are
// sorted), so the two are disjoint, cover the training file, and only membership depends on the seed.
// The test set is never touched.
import type { Backend } from '../backend.js';
import type { Tensor } from '../core/tensor.js';
import { Rng } from '../core/rng.js';
import { type Idx, checkPair } from './idx.js';

function positiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`${op}: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

function checkLabels(op: string, name: string, labels: Uint8Array, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! >= classes) throw new RangeError(`${op}: ${name}: label ${i} is ${labels[i]}, expected < ${classes} classes`);
  }
}

export class Dataset {
  private constructor(
    readonly name: string,
    readonly size: number,
    readonly features: number,
    readonly classes: number,
    /** [size, features] float32 in WASM memory. */
    readonly images: Tensor,
    /** size labels in [0, classes). */
    readonly labels: Uint8Array,
  ) {}

  /** A dataset from float32 rows (copied into WASM memory as they are) and labels (copied). */
  static fromArrays(lib: Backend, name: string, images: Float32Array, labels: Uint8Array, features: number, classes: number): Dataset {
    const op = 'Dataset.fromArrays';
    positiveInt(op, 'features', features);
    positiveInt(op, 'classes', classes);
    if (classes > 256) throw new RangeError(`${op}: classes must be at most 256 (labels are u8), got ${classes}`);
    if (!(images instanceof Float32Array)) throw new TypeError(`${op}: images must be a Float32Array, got ${(images as unknown as object)?.constructor?.name ?? typeof images}`);
    if (!(labels instanceof Uint8Array)) throw new TypeError(`${op}: labels must be a Uint8Array, got ${(labels as unknown as object)?.constructor?.name ?? typeof labels}`);
    const size = labels.length;
    if (size === 0) throw new RangeError(`${op}: ${name}: no examples (labels is empty)`);
    if (images.length !== size * features) {
      throw new RangeError(`${op}: ${name}: images has ${images.length} values, expected ${size} labels × ${features} features = ${size * features}`);
    }
    checkLabels(op, name, labels, classes);
    const t = lib.heap.f32([size, features]);
    t.data.set(images);
    return new Dataset(name, size, features, classes, t, labels.slice());
  }

  /**
   * A dataset from u8 pixels (row r of `pixels` is features bytes at r·features), scaled by 1/255 into
   * WASM memory in one pass. `rows` picks and orders the rows taken (default: all, in order).
   */
  static fromBytes(
    lib: Backend,
    name: string,
    pixels: Uint8Array,
    labels: Uint8Array,
    features: number,
    classes: number,
    rows?: ArrayLike<number>,
  ): Dataset {
    const op = 'Dataset.fromBytes';
    positiveInt(op, 'features', features);
    positiveInt(op, 'classes', classes);
    if (pixels.length !== labels.length * features) {
      throw new RangeError(`${op}: ${name}: pixels has ${pixels.length} bytes, expected ${labels.length} labels × ${features} features`);
    }
    const size = rows === undefined ? labels.length : rows.length;
    if (size === 0) throw new RangeError(`${op}: ${name}: no examples`);
    for (let i = 0; i < size; i++) {
      const r = rows === undefined ? i : rows[i]!;
      if (!Number.isInteger(r) || r < 0 || r >= labels.length) throw new RangeError(`${op}: ${name}: row ${i} is ${r}, expected an integer in [0, ${labels.length})`);
    }
    const t = lib.heap.f32([size, features]);
    const out = t.data;
    const lab = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      const r = rows === undefined ? i : rows[i]!;
      const src = r * features, dst = i * features;
      // x / 255 rounded once to float32: exact for 0 and 255, so the range is exactly [0, 1].
      for (let j = 0; j < features; j++) out[dst + j] = pixels[src + j]! / 255;
      lab[i] = labels[r]!;
    }
    try {
      checkLabels(op, name, lab, classes);
    } catch (e) {
      t.dispose();
      throw e;
    }
    return new Dataset(name, size, features, classes, t, lab);
  }

  get disposed(): boolean {
    return this.images.disposed;
  }

  /** Frees the images tensor. A second dispose() is an error. */
  dispose(): void {
    if (this.images.disposed) throw new Error(`Dataset ${this.name}: dispose() called twice`);
    this.images.dispose();
  }

  [Symbol.dispose](): void {
    if (!this.disposed) this.dispose();
  }

  toString(): string {
    return `Dataset ${this.name} [${this.size}, ${this.features}], ${this.classes} classes`;
  }
}

export interface DatasetOptions {
  /** Folder holding the four files (raw or .gz); default: the dataset's usual place. */
  dataDir?: string;
  /** Validation examples carved from the training set: a count (integer ≥ 1) or a fraction in (0, 1). Default 0 (none). */
  validation?: number;
  /** Seed of the validation split. Default 0. */
  seed?: number;
  /** Use only the first `train` / `test` examples of the files (validation is carved from the limited training set). */
  limit?: { train?: number; test?: number };
}

export interface Splits {
  train: Dataset;
  test: Dataset;
  validation?: Dataset;
}

/** The number of validation examples that `validation` asks for out of n training examples. */
export function validationCount(validation: number | undefined, n: number): number {
  const v = validation ?? 0;
  const op = 'loadDataset';
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${op}: validation must be a count or a fraction in (0, 1), got ${String(v)}`);
  const count = v > 0 && v < 1 ? Math.round(v * n) : v;
  if (!Number.isInteger(count)) throw new RangeError(`${op}: validation must be an integer count or a fraction in (0, 1), got ${v}`);
  if (count >= n) throw new RangeError(`${op}: validation ${v} leaves no training examples (the training set has ${n})`);
  if (v > 0 && count === 0) throw new RangeError(`${op}: validation fraction ${v} of ${n} training examples rounds to 0`);
  return count;
}

/**
 * Seeded split of 0..n-1 into [train rows, validation rows], disjoint, each in ascending order.
 * See the file header for the procedure.
 */
export function splitIndices(n: number, validation: number, seed: number): [Uint32Array, Uint32Array] {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  new Rng(seed).shuffle(perm);
  const val = perm.slice(0, validation).sort();
  const train = perm.slice(validation).sort();
  return [train, val];
}

function limitOf(op: string, what: string, limit: number | undefined, n: number): number {
  if (limit === undefined) return n;
  positiveInt(op, `limit.${what}`, limit);
  return Math.min(limit, n);
}

/**
 * Train / validation / test datasets from four decoded IDX files (the browser-safe part of loadDataset).
 * `names` are the file names used in errors.
 */
export function datasetsFromIdx(
  lib: Backend,
  name: string,
  files: { trainImages: Idx; trainLabels: Idx; testImages: Idx; testLabels: Idx },
  names: { trainImages: string; trainLabels: string; testImages: string; testLabels: string },
  opts: Omit<DatasetOptions, 'dataDir'> = {},
): Splits {
  const classes = 10;
  checkPair(files.trainImages, files.trainLabels, names.trainImages, names.trainLabels, { classes });
  checkPair(files.testImages, files.testLabels, names.testImages, names.testLabels, { classes });
  const features = files.trainImages.dims[1]! * files.trainImages.dims[2]!;
  return splitsFromBytes(lib, name, files.trainImages.data as Uint8Array, files.trainLabels.data as Uint8Array,
    files.testImages.data as Uint8Array, files.testLabels.data as Uint8Array, features, classes, opts);
}

/**
 * Train / validation / test datasets from u8 pixels (features bytes per example) and labels, after
 * opts' limits, the validation carved from the training examples by a seeded split.
 */
export function splitsFromBytes(lib: Backend, name: string, trainPixels: Uint8Array, trainLabels: Uint8Array, testPixels: Uint8Array, testLabels: Uint8Array,
  features: number, classes: number, opts: Omit<DatasetOptions, 'dataDir'> = {}): Splits {
  const nTrain = limitOf('loadDataset', 'train', opts.limit?.train, trainLabels.length);
  const nTest = limitOf('loadDataset', 'test', opts.limit?.test, testLabels.length);
  const nVal = validationCount(opts.validation, nTrain);
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed)) throw new RangeError(`loadDataset: seed must be an integer, got ${String(seed)}`);
  const trainPx = trainPixels.subarray(0, nTrain * features);
  const trainLab = trainLabels.subarray(0, nTrain);
  const testPx = testPixels.subarray(0, nTest * features);
  const testLab = testLabels.subarray(0, nTest);

  const made: Dataset[] = [];
  try {
    let validation: Dataset | undefined;
    let train: Dataset;
    if (nVal > 0) {
      const [tr, va] = splitIndices(nTrain, nVal, seed);
      made.push((train = Dataset.fromBytes(lib, `${name}/train`, trainPx, trainLab, features, classes, tr)));
      made.push((validation = Dataset.fromBytes(lib, `${name}/validation`, trainPx, trainLab, features, classes, va)));
    } else {
      made.push((train = Dataset.fromBytes(lib, `${name}/train`, trainPx, trainLab, features, classes)));
    }
    const test = Dataset.fromBytes(lib, `${name}/test`, testPx, testLab, features, classes);
    return validation ? { train, test, validation } : { train, test };
  } catch (e) {
    made.forEach((d) => d.dispose());
    throw e;
  }
}
