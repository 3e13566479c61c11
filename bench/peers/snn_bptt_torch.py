#!/usr/bin/env python3
"""PyTorch peer for bench/bptt.js: one epoch of surrogate-gradient backpropagation through time on a
spiking MNIST network, written the way snnTorch / plain-PyTorch users write it: a Python loop over time
steps, LIF neurons with an exponential current synapse, the fast-sigmoid surrogate in a custom autograd
Function, the reset detached, autograd through the unrolled window, Adam. The network matches bioprop's
`bp --spiking`: Poisson input, LIF hidden layers (membrane and synapse time constants, refractory hold,
reset to zero), a leaky non-spiking readout averaged over the window, softmax cross-entropy.
Reads the same IDX files bioprop reads. Prints one JSON object.
Usage: snn_bptt_torch.py --data DIR --examples N --hidden 256,256,256 --steps 25 --dt 1e-3 --batch 100"""
import argparse, json, math, os, time
import numpy as np
import torch
from mnist_idx import idx

ap = argparse.ArgumentParser()
ap.add_argument('--data', required=True)
ap.add_argument('--examples', type=int, default=6000)
ap.add_argument('--hidden', default='256,256,256')
ap.add_argument('--steps', type=int, default=25)
ap.add_argument('--dt', type=float, default=1e-3)
ap.add_argument('--max-rate', type=float, default=200.0)
ap.add_argument('--tau-mem', type=float, default=20e-3)
ap.add_argument('--tau-syn', type=float, default=5e-3)
ap.add_argument('--refractory', type=float, default=2e-3)
ap.add_argument('--slope', type=float, default=10.0)
ap.add_argument('--batch', type=int, default=100)
ap.add_argument('--lr', type=float, default=2e-3)
ap.add_argument('--threads', type=int, default=1)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)



x_all = torch.from_numpy(idx(os.path.join(a.data, 'train-images-idx3-ubyte')).reshape(-1, 784)[:a.examples].astype(np.float32) / 255)
y_all = torch.from_numpy(idx(os.path.join(a.data, 'train-labels-idx1-ubyte'))[:a.examples].astype(np.int64))


class FastSigmoid(torch.autograd.Function):
    """Heaviside forward, 1/(1 + k|u|)^2 backward (Zenke & Ganguli 2018's SuperSpike surrogate)."""
    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return (u >= 0).float()

    @staticmethod
    def backward(ctx, g):
        (u,) = ctx.saved_tensors
        return g / (1 + a.slope * u.abs()) ** 2


spike = FastSigmoid.apply
beta = math.exp(-a.dt / a.tau_mem)      # membrane decay
alpha = math.exp(-a.dt / a.tau_syn)     # synaptic decay
ref_steps = int(round(a.refractory / a.dt))
sizes = [784] + [int(h) for h in a.hidden.split(',')] + [10]


class SNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.ModuleList(torch.nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1))

    def forward(self, x):
        B = x.shape[0]
        syn = [torch.zeros(B, n) for n in sizes[1:]]
        mem = [torch.rand(B, n) for n in sizes[1:-1]]     # random initial membranes in [0, vTh)
        ref = [torch.zeros(B, n) for n in sizes[1:-1]]
        out_mem = torch.zeros(B, 10)
        acc = torch.zeros(B, 10)
        amp_in, amp_h = 1 / (a.max_rate * a.dt), 0.01 / a.dt
        for t in range(a.steps):
            s = (torch.rand_like(x) < x * a.max_rate * a.dt).float()   # Poisson input spikes
            amp = amp_in
            for l, fc in enumerate(self.fc):
                if l < len(self.fc) - 1:
                    syn[l] = alpha * syn[l] + (1 - alpha) * (1 - beta) * (fc(amp * s) + 1.0)
                    held = ref[l] > 0
                    m = beta * mem[l] + syn[l]
                    spk = spike(m - 1.0) * (~held)
                    m = torch.where(held, torch.zeros_like(m), m)
                    mem[l] = m * (1 - spk.detach())                   # reset to zero, detached
                    ref[l] = torch.where(spk.detach() > 0, torch.full_like(ref[l], ref_steps), (ref[l] - 1).clamp(min=0))
                    s, amp = spk, amp_h
                else:
                    syn[l] = alpha * syn[l] + (1 - alpha) * fc(amp * s)
                    out_mem = beta * out_mem + (1 - beta) * syn[l]  # leaky readout
                    acc = acc + out_mem
        return acc / a.steps


net = SNN()
opt = torch.optim.Adam(net.parameters(), lr=a.lr)
lossf = torch.nn.CrossEntropyLoss()
perm = torch.randperm(x_all.shape[0])


def step(ix):
    opt.zero_grad()
    loss = lossf(net(x_all[ix]), y_all[ix])
    loss.backward()
    opt.step()
    return float(loss)


for i in range(0, 3 * a.batch, a.batch):   # warm-up: allocator, autograd
    step(perm[i:i + a.batch])
t0 = time.perf_counter()
last = float('nan')
for i in range(0, x_all.shape[0], a.batch):
    last = step(perm[i:i + a.batch])
print(json.dumps({'peer': 'pytorch', 'version': torch.__version__, 'threads': a.threads, 'sizes': sizes, 'steps': a.steps,
                  'batch': a.batch, 'examples': int(x_all.shape[0]), 'seconds': time.perf_counter() - t0, 'lastLoss': last}))
