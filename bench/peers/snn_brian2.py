#!/usr/bin/env python3
"""Peer for bench/spiking.js: the 784 Poisson -> 1000 LIF -> 10 LIF network in Brian2 with the cython
code-generation target (Debian python3-brian), written as a Brian2 user writes a presentation for speed:
ONE network and ONE run over the 100 images, each shown for 100 ms at dt = 1 ms. The input rates come
from a TimedArray indexed by the image, and the membrane and synaptic state are zeroed at the start of
each image by run_regularly, which is what bioprop does between examples. Continuous-time form of the
same model as bioprop's SpikingSim: tau_m dv/dt = I - v, tau_s dI/dt = -I, on_pre I += w*amp*(1-ls)/...
(see below), threshold v >= 1, reset v = 0, refractory 1 ms. Code generation and compilation happen in an
untimed one-step run of the same network, which is then restored to t = 0. Prints one JSON line
{"name", "seconds", "rates"}; exits 3 (skip) if brian2 is missing."""
import json, sys, time

def main():
    try:
        import numpy as np
        import brian2 as b2
    except ImportError as e:
        print(json.dumps({"skip": str(e)}))
        sys.exit(3)
    b2.prefs.codegen.target = 'cython'
    b2.seed(1)
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
    image = b2.TimedArray(x * max_rate * b2.Hz, dt=T * dt * b2.second)  # row k: image k's pixel rates
    inp = b2.PoissonGroup(F, rates='image(t, i)', namespace={'image': image})
    hid = b2.NeuronGroup(H, eqs, threshold='v >= 1', reset='v = 0', refractory=1 * b2.ms, method='exact', namespace=ns)
    out = b2.NeuronGroup(C, eqs, threshold='v >= 1', reset='v = 0', refractory=1 * b2.ms, method='exact', namespace=ns)
    for g in (hid, out):  # every image starts from rest, as in bioprop
        g.run_regularly('v = 0\nI = 0', dt=T * dt * b2.second, when='start')
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
    net.run(dt * b2.second, namespace={})  # untimed: code generation and compilation
    net.restore('rest')
    t0 = time.perf_counter()
    net.run(B * T * dt * b2.second, namespace={})
    sec = time.perf_counter() - t0
    n1, n2 = m1.num_spikes, m2.num_spikes
    print(json.dumps({"name": "brian2 (cython, one run)", "seconds": sec, "rates": [n1 / (B * H * T * dt), n2 / (B * C * T * dt)]}))

main()
