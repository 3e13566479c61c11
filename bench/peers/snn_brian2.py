#!/usr/bin/env python3
"""Peer for bench/spiking.js: the 784 Poisson -> 1000 LIF -> 10 LIF network in Brian2 with the cython
code-generation target (Debian python3-brian), images presented one after another for 100 ms each at
dt = 1 ms with the state restored between images (store/restore). Continuous-time form of the same
model as bioprop's SpikingSim: tau_m dv/dt = I - v, tau_s dI/dt = -I, on_pre I += w*amp*(1-ls)/... (see
below), threshold v >= 1, reset v = 0, refractory 1 ms. Compilation happens in a warm-up image that is
not timed. Prints one JSON line {"name", "seconds", "rates"}; exits 3 (skip) if brian2 is missing."""
import json, sys, time

def main():
    try:
        import numpy as np
        import brian2 as b2
    except ImportError as e:
        print(json.dumps({"skip": str(e)}))
        sys.exit(3)
    b2.prefs.codegen.target = 'cython'
    b2.prefs.logging.console_log_level = 'ERROR' if hasattr(b2.prefs, 'logging') else None
    B, F, H, C, T = 100, 784, 1000, 10, 100
    dt = 1e-3
    max_rate, tau_m, tau_s, rate_scale = 100.0, 20e-3, 5e-3, 0.01
    rng = np.random.default_rng(1)
    x = np.where(rng.random((B, F)) < 0.2, 0.5 + 0.5 * rng.random((B, F)), 0.0)
    W1 = 0.1 * rng.standard_normal((H, F))
    W2 = 0.1 * rng.standard_normal((C, H))
    b2.defaultclock.dt = dt * b2.second
    eqs = '''dv/dt = (I + 1 - v) / tau_m : 1 (unless refractory)
             dI/dt = -I / tau_s : 1'''
    ns = {'tau_m': tau_m * b2.second, 'tau_s': tau_s * b2.second}
    inp = b2.PoissonGroup(F, rates=np.zeros(F) * b2.Hz)
    hid = b2.NeuronGroup(H, eqs, threshold='v >= 1', reset='v = 0', refractory=1 * b2.ms, method='exact', namespace=ns)
    out = b2.NeuronGroup(C, eqs, threshold='v >= 1', reset='v = 0', refractory=1 * b2.ms, method='exact', namespace=ns)
    # A spike adds amp·w to the synaptic integral: I jumps by amp·w·dt/tau_s (unit-area exponential kernel).
    s1 = b2.Synapses(inp, hid, 'w : 1', on_pre='I_post += w')
    s1.connect()
    s1.w = (W1.T.ravel() / (max_rate * dt)) * dt / tau_s
    s2 = b2.Synapses(hid, out, 'w : 1', on_pre='I_post += w')
    s2.connect()
    s2.w = (W2.T.ravel() * rate_scale / dt) * dt / tau_s
    m1 = b2.SpikeMonitor(hid, record=False)
    m2 = b2.SpikeMonitor(out, record=False)
    net = b2.Network(inp, hid, out, s1, s2, m1, m2)
    net.store('rest')
    inp.rates = x[0] * max_rate * b2.Hz
    net.run(T * dt * b2.second)  # warm-up: code generation and compilation
    net.restore('rest')
    n1 = n2 = 0
    t0 = time.perf_counter()
    for i in range(B):
        net.restore('rest')
        inp.rates = x[i] * max_rate * b2.Hz
        net.run(T * dt * b2.second)
        n1 += m1.num_spikes; n2 += m2.num_spikes
    sec = time.perf_counter() - t0
    print(json.dumps({"name": "brian2 (cython, sequential images)", "seconds": sec, "rates": [n1 / (B * H * T * dt), n2 / (B * C * T * dt)]}))

main()
