// Training-state files: a run saved between two epochs, to be resumed bit-exactly (`bioprop train
// --checkpoint FILE --resume`; Trainer.snapshot / restore in src/train/trainer.ts).
//
// Format: the network file of src/io/checkpoint.ts (same magic, version, header, payload and CRC-32),
// so one reader, one checksum and one set of error messages serve both, and `bioprop eval --load` reads
// a training-state file as the network it holds. What a training state adds:
//   tensors     'ws.0' … 'ws.N−1': every tensor of the network's Workspace in allocation order (weights,
//               activations, the spiking simulator's buffers and RNG states, the rule's state, the
//               optimiser's moments, diagnostics' scratch), byte for byte. 'W{l}' and 'b{l}' are second
//               names for the workspace tensors that hold layer l's weights and biases (the same offset:
//               stored once), which is all a network reader looks up.
//   meta.training  { version, config, epoch, batcherSeed, rng, optimizerSteps, alignSteps, seconds,
//               history, sim, rule }: the JSON part of TrainingState (src/train/trainer.ts); non-finite
//               numbers of the history (testLoss without a test set) are written as strings.
//   meta (rest) whatever the caller adds (the CLI: its resolved command-line settings, the dataset).
// A separate format would have needed its own framing and checksum and could not be evaluated directly;
// keeping the network header costs nothing (W/b are aliases, not copies).
// Browser-safe: bytes in, bytes out; src/io/file.ts writes them atomically.
import type { Trainer } from '../train/trainer.js';
import type { TrainingState } from '../train/resume.js';
import type { EpochRecord } from '../train/history.js';
import { decodeCheckpoint, encodeTensorFile, networkHeader, type CheckpointHeader, type TensorEntry } from './checkpoint.js';

/** Version of meta.training (the layout of the JSON part; the file framing has its own). */
export const TRAINING_STATE_VERSION = 1;

type JsonHistory = Record<string, unknown>[];

/** The history with NaN and ±Infinity as strings (JSON has no such numbers). */
function historyToJson(h: EpochRecord[]): JsonHistory {
  return JSON.parse(JSON.stringify(h, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));
}

function historyFromJson(h: JsonHistory): EpochRecord[] {
  const back = (v: unknown): unknown => {
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
    if (Array.isArray(v)) return v.map(back);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, back(x)]));
    return v;
  };
  return back(h) as EpochRecord[];
}

/**
 * The file bytes of `trainer`'s state now (between epochs: see Trainer.snapshot). `meta` is stored
 * beside it (meta.training is reserved).
 */
export function encodeTrainingState(trainer: Trainer, meta: Record<string, unknown> = {}): Uint8Array {
  const s = trainer.snapshot();
  const net = trainer.net, ws = net.ws.tensors;
  const entries: TensorEntry[] = s.tensors.map((t, i) => ({ name: `ws.${i}`, shape: t.shape, bytes: t.bytes, aliases: [] as string[] }));
  for (const l of net.layers) {
    for (const [name, t] of [[`W${l.index}`, l.W], [`b${l.index}`, l.b]] as const) {
      const i = ws.indexOf(t);
      if (i < 0) throw new Error(`training state: ${name} is not a tensor of the network's workspace`);
      entries[i]!.aliases!.push(name);
    }
  }
  const { tensors: _t, history, ...rest } = s;
  const training = { version: TRAINING_STATE_VERSION, ...rest, history: historyToJson(history) };
  return encodeTensorFile(networkHeader(net, trainer.rule.id, { ...meta, training }), entries);
}

/** Whether a decoded network file holds a training state. */
export function isTrainingState(header: CheckpointHeader): boolean {
  return !!header.meta && typeof header.meta.training === 'object' && header.meta.training !== null;
}

/**
 * Parses and verifies a training-state file (CRC, framing, the training part); throws a clear error
 * naming `source` for any defect. `meta` is what the writer stored beside the state.
 */
export function decodeTrainingState(bytes: Uint8Array, source = 'training state'): { state: TrainingState; header: CheckpointHeader; meta: Record<string, unknown> } {
  const { header, raw } = decodeCheckpoint(bytes, source);
  const fail = (what: string): never => {
    throw new Error(`${source}: not a usable training-state file: ${what}`);
  };
  if (!isTrainingState(header)) fail('it holds a network only, no training state (a --save file? resume needs the --checkpoint file)');
  const { training, ...meta } = header.meta as { training: Record<string, unknown> } & Record<string, unknown>;
  if (training.version !== TRAINING_STATE_VERSION) fail(`training-state version ${String(training.version)}, this library reads version ${TRAINING_STATE_VERSION}`);
  const tensors: TrainingState['tensors'] = [];
  for (const t of header.tensors) {
    const m = /^ws\.(\d+)$/.exec(t.name);
    if (!m) continue;
    if (Number(m[1]) !== tensors.length) fail(`workspace tensor ${t.name} is out of order (expected ws.${tensors.length})`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    tensors.push({ shape: [...t.shape], bytes: raw.slice(t.offset * 4, (t.offset + n) * 4) });
  }
  if (tensors.length === 0) fail('no workspace tensors');
  for (const key of ['config', 'epoch', 'rng', 'optimizerSteps', 'alignSteps', 'seconds', 'history'] as const) {
    if (training[key] === undefined) fail(`meta.training.${key} is missing`);
  }
  if (!Array.isArray(training.history)) fail('meta.training.history is not a list');
  const state: TrainingState = {
    config: training.config as TrainingState['config'],
    epoch: training.epoch as number,
    batcherSeed: (training.batcherSeed ?? null) as number | null,
    rng: training.rng as number[],
    optimizerSteps: training.optimizerSteps as number,
    alignSteps: training.alignSteps as number,
    seconds: training.seconds as number,
    history: historyFromJson(training.history as JsonHistory),
    sim: (training.sim ?? null) as TrainingState['sim'],
    rule: training.rule ?? null,
    tensors,
  };
  return { state, header, meta };
}
