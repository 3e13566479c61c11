// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60000 training and 10000 test 28 × 28 grey-scale images
// of clothing in 10 classes, a drop-in replacement for MNIST. Read from a folder, by default where
// Debian's `dataset-fashion-mnist` installs it ({train,t10k}-{images-idx3,labels-idx1}-ubyte.gz); the
// uncompressed names are accepted too. Nothing is downloaded. Node only.
import type { Backend } from '../backend.js';
import { type DatasetOptions, type Splits, datasetsFromIdx } from './dataset.js';
import { readIdxSet } from './node.js';

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

/** Class names of Fashion-MNIST labels 0..9. */
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** Fashion-MNIST as train / test (/ validation) datasets in WASM memory. See DatasetOptions. */
export async function loadFashionMnist(lib: Backend, opts: DatasetOptions = {}): Promise<Splits> {
  const dir = opts.dataDir ?? FASHION_DIR;
  const hint = "install Debian's dataset-fashion-mnist (sudo apt-get install dataset-fashion-mnist) or pass --data-dir pointing to a folder with";
  const set = await readIdxSet(dir, 'Fashion-MNIST', hint);
  return datasetsFromIdx(lib, 'fashion-mnist', set, set.paths, opts);
}
