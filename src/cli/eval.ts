// `bioprop eval`: accuracy of a saved network on a dataset's test set.
import { parseArgs } from 'node:util';
import { usage, int, oneOf, joinNegativeValues, UsageError } from './args.js';
import { load } from '../index.js';
import { networkFromCheckpoint, decodeCheckpoint, checkpointSpiking } from '../io/checkpoint.js';
import { rules } from '../rules/index.js';
import { SpikingNetwork, SPIKING_DEFAULTS } from '../net/spiking.js';
import { readFileBytes } from '../io/file.js';
import { loadDataset, DATASETS, type DatasetName } from '../data/index.js';
import { evaluateNetwork, Trainer } from '../train/trainer.js';
import { ENCODERS, type EncoderName } from '../encode/index.js';

export const EVAL_HELP = `bioprop eval — evaluate a saved network

  --load FILE          network file written by 'bioprop train --save'
  --dataset NAME       ${DATASETS.join(' | ')} (default mnist)
  --data-dir DIR       folder holding the dataset's IDX files
  --batch N            rows per forward pass (default 500)
  --rate               run a network saved from a spiking run as a rate network (same weights): the rule's
                       own rate network where it has one (nef: its soft-LIF twin, with the saved rule
                       parameters), else the plain rate network; by default it is rebuilt spiking, with
                       the neurons, steps and encoder it was trained with
  --steps N            a spiking network's window, in time steps, instead of the one it was trained with
                       (its dt, encoder and readout start unchanged)
  --encoder NAME       ${ENCODERS.join(' | ')}: a spiking network's input code instead of the one it was
                       trained with (same peak rate)
  --readout-start N    the step a spiking network's readout starts counting at, instead of the trained one
  --json               print a JSON object instead of text
`;

export async function evaluate(argv: string[]): Promise<void> {
  const { values: f } = usage('eval', () => parseArgs({ args: joinNegativeValues(argv), strict: true, allowPositionals: false, options: {
    load: { type: 'string' }, dataset: { type: 'string' }, 'data-dir': { type: 'string' }, batch: { type: 'string' },
    json: { type: 'boolean' }, rate: { type: 'boolean' }, steps: { type: 'string' }, encoder: { type: 'string' }, 'readout-start': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } }));
  if (f.help) {
    process.stdout.write(EVAL_HELP);
    return;
  }
  if (!f.load) throw new UsageError(`--load FILE is required (see 'bioprop eval --help')`);
  const dataset = (oneOf('dataset', f.dataset === 'fashion' ? 'fashion-mnist' : f.dataset, DATASETS) ?? 'mnist') as DatasetName;
  const batch = int('batch', f.batch, 1, 65536) ?? 500;
  const steps = int('steps', f.steps, 1, 100000);
  const encoder = oneOf('encoder', f.encoder, ENCODERS) as EncoderName | undefined;
  const readoutStart = int('readout-start', f['readout-start'], 0, 100000);
  // the first flag given that changes a spiking network's simulation, and what it sets
  const simFlag = ([['steps', steps, 'window'], ['encoder', encoder, 'input code'], ['readout-start', readoutStart, 'readout start']] as const)
    .find(([, v]) => v !== undefined);
  if (simFlag && f.rate) throw new UsageError(`--${simFlag[0]} sets a spiking network's ${simFlag[2]}; --rate runs the network without one`);
  const bytes = await readFileBytes(f.load, 'network file');
  const file = decodeCheckpoint(bytes, f.load);
  const rule = rules[file.header.rule];
  const sim = checkpointSpiking(file.header);
  if (simFlag && !sim) throw new UsageError(`--${simFlag[0]} sets a spiking network's ${simFlag[2]}, and ${f.load} holds a rate network`);
  if (sim && (steps !== undefined || readoutStart !== undefined)) {
    const window = steps ?? sim.steps ?? SPIKING_DEFAULTS.steps, start = readoutStart ?? sim.readoutStart ?? 0;
    if (window <= start) {
      throw new UsageError(readoutStart === undefined ? `--steps must be more than the step the readout starts at (${start}, as ${f.load} was trained), got ${window}`
        : steps === undefined ? `--readout-start must be less than the window (${window} steps, as ${f.load} was trained), got ${start}`
        : `--steps must be more than --readout-start (${start}), got ${window}`);
    }
  }
  if (typeof file.header.meta.spikingRule === 'string' && !f.rate) {
    throw new UsageError(`${f.load} was trained with ${file.header.meta.spikingRule}'s own spiking neurons, which only that rule simulates; ` +
      `evaluate it during training (bioprop train ... --out) or pass --rate to run the same weights as a rate network`);
  }
  // A rule whose rate network is not the plain one (nef's soft-LIF units see a shifted, scaled input) runs
  // its own: the network is rebuilt as saved and the rule's rate evaluation drives it.
  const rateTwin = f.rate ? rule?.record?.evaluations?.rate : undefined;
  const lib = await load();
  const { net, header } = networkFromCheckpoint(lib, file, batch, f.load, { rate: !!f.rate && !rateTwin, sim: { steps, encoder, readoutStart } });
  let forward: ((rows: number) => void) | undefined;
  let mode = '';
  if (rateTwin && rule) {
    // a --save file records them beside the weights; a --checkpoint file in the command it was run with
    const command = header.meta.command as { ruleParams?: Record<string, unknown> } | undefined;
    const saved = (header.meta.ruleParams ?? command?.ruleParams) as Record<string, unknown> | undefined;
    const trainer = new Trainer(lib, net, rule, { ruleParams: saved ?? {} });
    forward = (rows) => { trainer.ctx.rows = rows; rateTwin(trainer.ctx, trainer.state, trainer.ruleParams); };
    mode = `rate (${rule.id}'s own rate network${saved ? '' : ', its default parameters: the file does not record the ones it was trained with'})`;
  }
  mode ||= net instanceof SpikingNetwork ? `spiking (${net.sim.neuron.id}, ${net.sim.steps} steps of ${net.sim.dt} s, ${net.sim.encoderName} at ${net.sim.maxRate} Hz)` : 'rate';
  const data = await loadDataset(lib, dataset, { dataDir: f['data-dir'] });
  if (data.test.features !== net.sizes[0] || data.test.classes !== net.classes) {
    throw new UsageError(`the network is ${net.sizes.join('-')} but ${dataset} has ${data.test.features} inputs and ${data.test.classes} classes`);
  }
  const r = evaluateNetwork(lib, net, data.test, undefined, forward);
  if (f.json) {
    process.stdout.write(JSON.stringify({ file: f.load, rule: header.rule, dataset, sizes: header.sizes, spiking: net instanceof SpikingNetwork && !forward, testAccuracy: r.accuracy, testLoss: r.loss, examples: data.test.size }) + '\n');
  } else {
    process.stdout.write(`${f.load}: ${header.rule} ${header.sizes.join('-')} ${mode} on ${dataset} test (${data.test.size} examples): accuracy ${(100 * r.accuracy).toFixed(2)}%, loss ${r.loss.toFixed(4)}\n`);
  }
  net.dispose();
  data.train.dispose();
  data.test.dispose();
}
