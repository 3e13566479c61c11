// The data layer's public surface: IDX parsing (browser-safe), Node file reading, datasets, batching.
export { parseIdx, encodeIdx, decodeIdx, isGzip, gunzipStream, checkPair, IDX_TYPE_CODES, type Idx, type IdxDtype, type IdxData, type PairShape } from './idx.js';
export { readIdxFile, gunzipNode, findFiles, readIdxSet, IDX_BASES, type IdxSet } from './node.js';
export { Dataset, datasetsFromIdx, splitIndices, validationCount, type DatasetOptions, type Splits } from './dataset.js';
export { Batcher, epochSeed, type BatcherOptions } from './batcher.js';
export { loadMnist, mnistDir } from './mnist.js';
export { loadFashionMnist, FASHION_DIR, FASHION_CLASSES } from './fashion.js';
export { loadCifar10, decodeCifar, CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE, CIFAR10_CLASSES } from './cifar.js';
export { loadDataset, DATASETS, DATASET_SHAPES, type DatasetName } from './load.js';
