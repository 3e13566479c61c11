#!/usr/bin/env python3
"""Peer for bench/spiking.js: 784 Poisson inputs -> 1000 LIF -> 10 LIF, dense weights, dt = 1 ms,
100 steps per image, 100 images, as a batched time-stepped simulation (all images at once) in NumPy
(float32, one BLAS thread when the caller sets OPENBLAS_NUM_THREADS=1 / OMP_NUM_THREADS=1), or in
PyTorch with --torch (torch.set_num_threads(1)). The same discrete model as bioprop's SpikingSim:
  cur = s_in @ W.T;  I = ls*I + (1-ls)*(1-lm)*(amp*cur + 1);  v = lm*v + I (held while refractory);
  spike where v >= 1, then v = 0 and refractory for 1 step.
Prints one JSON line: {"name", "seconds", "rates"}. Exits 3 (skip) when the library is missing."""
import json, sys, time

def main():
    use_torch = '--torch' in sys.argv
    try:
        import numpy as np
        if use_torch:
            import torch
            torch.set_num_threads(1)
    except ImportError as e:
        print(json.dumps({"skip": str(e)}))
        sys.exit(3)
    B, F, H, C, T, dt = 100, 784, 1000, 10, 100, 1e-3
    max_rate, tau_m, tau_s, ref_steps, rate_scale = 100.0, 20e-3, 5e-3, 1, 0.01
    lm, ls = np.exp(-dt / tau_m), np.exp(-dt / tau_s)
    rng = np.random.default_rng(1)
    x = np.where(rng.random((B, F)) < 0.2, 0.5 + 0.5 * rng.random((B, F)), 0.0).astype(np.float32)
    W1 = (0.1 * rng.standard_normal((H, F))).astype(np.float32)
    W2 = (0.1 * rng.standard_normal((C, H))).astype(np.float32)
    p = (x * max_rate * dt).astype(np.float32)
    amp_in, amp_h = 1.0 / (max_rate * dt), rate_scale / dt
    if use_torch:
        xp = torch
        tt = lambda a: torch.from_numpy(a)
        p, W1, W2 = tt(p), tt(W1), tt(W2)
        zeros = lambda *s: torch.zeros(s, dtype=torch.float32)
        rand = lambda *s: torch.rand(s, dtype=torch.float32)
    else:
        zeros = lambda *s: np.zeros(s, dtype=np.float32)
        rand = lambda *s: rng.random(s, dtype=np.float32)
    def layer(I, v, ref, cur, amp):
        I *= ls; I += (1 - ls) * (1 - lm) * (amp * cur + 1)
        held = ref > 0
        v *= lm; v += I; v[held] = 0
        s = (v >= 1)
        v[s] = 0
        ref -= 1; ref[s] = ref_steps
        return s
    t0 = time.perf_counter()
    I1, v1, r1 = zeros(B, H), zeros(B, H), zeros(B, H)
    I2, v2, r2 = zeros(B, C), zeros(B, C), zeros(B, C)
    n1 = n2 = 0
    for t in range(T):
        s0 = (rand(B, F) < p)
        s0f = s0.float() if use_torch else s0.astype(np.float32)
        s1 = layer(I1, v1, r1, s0f @ W1.T, amp_in)
        s1f = s1.float() if use_torch else s1.astype(np.float32)
        s2 = layer(I2, v2, r2, s1f @ W2.T, amp_h)
        n1 += int(s1.sum()); n2 += int(s2.sum())
    sec = time.perf_counter() - t0
    name = 'torch (batched, 1 thread)' if use_torch else 'numpy (batched, 1 thread)'
    print(json.dumps({"name": name, "seconds": sec, "rates": [n1 / (B * H * T * dt), n2 / (B * C * T * dt)]}))

main()
