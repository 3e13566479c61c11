// SpikingNetwork / SpikingSim (src/net/spiking.ts): explicit state reset, event-driven and dense
// propagation give the same network bit for bit, rules written for Network run on it, no allocation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { blobs } from '../helpers/synthetic.js';
import { SpikingNetwork, type SpikingOptions } from '../../src/net/spiking.js';
import type { Raster } from '../../src/net/raster.js';
import { Trainer } from '../../src/train/trainer.js';
import { mulberry32 } from '../helpers/fill.js';
import { rules } from '../../src/rules/index.js';
import { defineRule } from '../../src/rules/types.js';

async function net(spiking: SpikingOptions, sizes = [20, 24, 16, 4], batch = 8) {
  const lib = await backend();
  const n = new SpikingNetwork(lib, { sizes, batch, seed: 3, spiking: { steps: 20, maxRate: 200, ...spiking } });
  const r = mulberry32(9);
  n.input.set(Array.from({ length: n.input.size }, () => r()));
  return { lib, n };
}

const snapshot = (n: SpikingNetwork) => n.layers.map((l) => [Array.from(l.post.data), Array.from(l.deriv.data), Array.from(l.a.data)]);

test('state is reset between windows: the same input twice gives the same window (deterministic codes)', async () => {
  for (const encoder of ['rate', 'latency'] as const) {
    const { n } = await net({ encoder, vInit: 'zero' }); // random initial membranes would draw new values each window
    n.forward();
    const a = snapshot(n);
    n.forward();
    assert.equal(snapshot(n), a, `${encoder}: second window equals the first`);
    assert.ok(n.sim.spikeCount[0]! > 0, 'the hidden layer fired');
    n.dispose();
  }
});

test('event-driven (the encoder\'s and hidden layers\' spike lists, the rate code\'s scanned 0/1 input, propagation fused into the step) and dense propagation give bit-identical networks', async () => {
  // The event kernels add the weight rows of the inputs that spiked in the GEMM's order (same K blocks,
  // each summed from +0 in increasing input index), so only ±0 terms are skipped: the sums are equal.
  for (const neuron of ['lif', 'alif']) {
    for (const encoder of ['poisson', 'rate'] as const) {
      const ev = await net({ neuron, encoder, eventDensity: 1 }), de = await net({ neuron, encoder, eventDensity: 0 });
      const auto = await net({ neuron, encoder }); // the measured crossover: whichever path, the same sums
      for (let w = 0; w < 3; w++) { ev.n.forward(); de.n.forward(); auto.n.forward(); }
      assert.ok(ev.n.sim.denseSteps.every((x) => x === 0) && de.n.sim.eventSteps.every((x, i) => x === 0 || de.n.sim.spikeCount[i]! >= 0));
      assert.ok(ev.n.sim.eventSteps[0]! > 0 && de.n.sim.denseSteps[0]! > 0, 'each path ran');
      assert.ok(ev.n.sim.sl[0]!.out && ev.n.sim.eventSteps[1]! > ev.n.sim.denseSteps[1]!, 'the second layer read the first one\'s spike list');
      assert.equal(snapshot(ev.n), snapshot(de.n), `${neuron} ${encoder}: same post, deriv and a in every layer`);
      assert.equal(snapshot(auto.n), snapshot(de.n), `${neuron} ${encoder}: eventDensity 'auto' too`);
      ev.n.dispose(); de.n.dispose(); auto.n.dispose();
    }
  }
});

test('a window read step by step (onStep: every step writes its 0/1 spikes and surrogates) and one read at its end (spike lists only) give the same sums; meanDrive false keeps all but a', async () => {
  for (const neuron of ['lif', 'alif']) {
    const end = await net({ neuron }), each = await net({ neuron }), noDrive = await net({ neuron, meanDrive: false });
    const seen = [0, 0, 0];
    for (let w = 0; w < 2; w++) {
      end.n.forward(); noDrive.n.forward();
      each.n.sim.run(each.n.batch, () => {
        const sim = each.n.sim;
        seen[0]! += sim.inSpikes.data.reduce((x, y) => x + y, 0);
        for (let l = 0; l < 2; l++) seen[l + 1]! += sim.sl[l]!.spikes.data.reduce((x, y) => x + y, 0);
      });
      assert.equal(snapshot(each.n), snapshot(end.n), `${neuron} window ${w}: same post, deriv and a`);
      const keep = snapshot(noDrive.n), want = snapshot(end.n);
      keep.forEach((layer, i) => {
        assert.equal(layer.slice(0, 2), want[i]!.slice(0, 2), `${neuron} window ${w} layer ${i}: meanDrive false, same post and deriv`);
        if (i < keep.length - 1) assert.ok(layer[2]!.every((x) => x === 0), `${neuron} window ${w} layer ${i}: meanDrive false leaves a at 0`);
      });
    }
    assert.is(seen[1], each.n.sim.spikeCount[0], `${neuron}: the 0/1 spikes onStep read are the spikes counted`);
    assert.is(seen[2], each.n.sim.spikeCount[1], `${neuron}: the same in the second layer`);
    assert.ok(seen[0]! > 0 && seen[1]! > 0 && seen[2]! > 0, `${neuron}: onStep saw input and hidden spikes (${seen})`);
    for (const x of [end, each, noDrive]) x.n.dispose();
  }
});

test('readouts: membrane output is linear (deriv 1); count readout spikes; rates are reported per layer', async () => {
  const m = await net({});
  m.n.forward();
  assert.ok(Array.from(m.n.output.deriv.data).every((x) => x === 1));
  const rates = m.n.sim.meanRates();
  assert.ok(rates[0]! > 0 && Number.isNaN(rates[2]!), `rates ${rates}`);
  m.n.dispose();
  const c = await net({ readout: 'count' });
  c.n.forward();
  assert.ok(Number.isFinite(c.n.sim.meanRates()[2]!));
  c.n.dispose();
});

test("rules written for Network run unchanged: backprop's chain rule on rates lowers the loss on a spiking net; no allocation per step", async () => {
  const lib = await backend();
  const train = blobs(lib, 240, 1);
  const n = new SpikingNetwork(lib, { sizes: [20, 24, 4], batch: 24, seed: 5, spiking: { steps: 20, maxRate: 200, neuronParams: { tauMem: 5e-3, tauSyn: 1e-3, refractory: 1e-3 } } });
  // bp's rate form (its teach/update with no BPTT state) on the spiking net's rates: not bp --spiking
  const chainOnRates = defineRule({ ...rules.bp!, id: 'bp-rate-chain', spiking: undefined, init: () => null, forward: undefined });
  const tr = new Trainer(lib, n, chainOnRates, { lr: 0.05, epochs: 4 });
  const r = tr.fit(train, { epochs: 4 });
  assert.ok(r.history[3]!.trainLoss < r.history[0]!.trainLoss, `${r.history[0]!.trainLoss} → ${r.history[3]!.trainLoss}`);
  const live = lib.heap.live;
  for (let i = 0; i < 5; i++) tr.step();
  assert.is(lib.heap.live, live);
  n.dispose(); train.dispose();
});

test('spiking options: clear errors', async () => {
  const lib = await backend();
  assert.throws(() => new SpikingNetwork(lib, { sizes: [2, 2], batch: 1, seed: 1, spiking: { steps: 0 } }), /spiking: steps must be a positive integer/);
  assert.throws(() => new SpikingNetwork(lib, { sizes: [2, 2], batch: 1, seed: 1, spiking: { encoder: 'morse' as 'rate' } }), /unknown encoder 'morse'/);
  assert.throws(() => new SpikingNetwork(lib, { sizes: [2, 2], batch: 1, seed: 1, spiking: { neuron: 'hh' } }), /unknown neuron 'hh'/);
  assert.throws(() => new SpikingNetwork(lib, { sizes: [2, 2], batch: 1, seed: 1, spiking: { meanDrive: 'no' as unknown as boolean } }), /spiking: meanDrive must be true or false, got no/);
});

test('raster: one window over row 0, spikes in range and in time order, deterministic, counters untouched', async () => {
  const rasters: Raster[] = [];
  for (let rep = 0; rep < 2; rep++) {
    const { n } = await net({ steps: 25 }, [20, 40, 4]);
    n.forward(); // some prior activity: its counters must survive the raster
    const before = [n.sim.meanRates(), Array.from(n.sim.eventSteps), Array.from(n.sim.denseSteps), n.sim.simSeconds];
    const r = n.sim.raster({ neurons: 16 })!;
    assert.equal([n.sim.meanRates(), Array.from(n.sim.eventSteps), Array.from(n.sim.denseSteps), n.sim.simSeconds], before, 'firing-rate and timing counters unchanged');
    assert.is(r.layer, 1);
    assert.is(r.steps, 25);
    assert.is(r.neurons, 16);
    assert.ok(r.spikes.length > 0, 'the first hidden layer spiked');
    assert.is(r.total, r.spikes.length);
    for (const [t, i] of r.spikes) assert.ok(Number.isInteger(t) && t >= 0 && t < 25 && Number.isInteger(i) && i >= 0 && i < 16, `pair [${t}, ${i}]`);
    for (let j = 1; j < r.spikes.length; j++) assert.ok(r.spikes[j]![0] >= r.spikes[j - 1]![0], 'time order');
    rasters.push(r);
    // Capped: at most maxSpikes pairs, the rest counted in total.
    const capped = n.sim.raster({ neurons: 40, maxSpikes: 3 })!;
    assert.is(capped.spikes.length, 3);
    assert.ok(capped.total! > 3, `total ${capped.total}`);
    // Layers that do not spike: the membrane readout, and past the last layer.
    assert.is(n.sim.raster({ layer: 2 }), null);
    assert.is(n.sim.raster({ layer: 5 }), null);
    n.dispose();
  }
  assert.equal(rasters[0], rasters[1], 'same seed, same raster');
  // A twin network recording row 0 of the hidden spikes by hand: the same pairs.
  const { n: twin } = await net({ steps: 25 }, [20, 40, 4]);
  twin.forward();
  const hand: [number, number][] = [];
  twin.sim.run(1, (t) => { const d = twin.sim.sl[0]!.spikes.data; for (let i = 0; i < 16; i++) if (d[i] !== 0) hand.push([t, i]); });
  assert.equal(rasters[0]!.spikes, hand);
  twin.dispose();
});

test.run();
