// loadDataset: one entry point for the datasets bioprop knows, by name. Node only (reads files); in a
// browser, fetch the four IDX files, decode them with decodeIdx and call datasetsFromIdx.
import type { Backend } from '../backend.js';
import type { DatasetOptions, Splits } from './dataset.js';
import { loadMnist } from './mnist.js';
import { loadFashionMnist } from './fashion.js';
import { loadCifar10 } from './cifar.js';

export type DatasetName = 'mnist' | 'fashion-mnist' | 'cifar10';

/** The names loadDataset accepts. */
export const DATASETS: readonly DatasetName[] = ['mnist', 'fashion-mnist', 'cifar10'];

/** Each dataset's image as [height, width, channels] (rows are stored channels last). */
export const DATASET_SHAPES: Readonly<Record<DatasetName, readonly [number, number, number]>> = {
  mnist: [28, 28, 1], 'fashion-mnist': [28, 28, 1], cifar10: [32, 32, 3],
};

/**
 * Loads a dataset's train and test sets (and a validation set carved from train when
 * `opts.validation` > 0; see src/data/dataset.ts for the seeded split) into WASM memory.
 * The caller owns the returned datasets: dispose() each.
 */
export function loadDataset(lib: Backend, name: DatasetName, opts: DatasetOptions = {}): Promise<Splits> {
  switch (name) {
    case 'mnist':
      return loadMnist(lib, opts);
    case 'fashion-mnist':
      return loadFashionMnist(lib, opts);
    case 'cifar10':
      return loadCifar10(lib, opts);
    default:
      return Promise.reject(new Error(`loadDataset: unknown dataset '${String(name)}', expected one of ${DATASETS.join(', ')}`));
  }
}
