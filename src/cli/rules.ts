// `bioprop rules`: every registered rule, its paper, and which of the six objections it removes.
import { parseArgs } from 'node:util';
import { usage } from './args.js';
import { loadPlugins } from './plugins.js';
import { rules } from '../rules/index.js';
import { OBJECTIONS, SPIKING_PARTS, type AnyRule, type Objection } from '../rules/types.js';

const SHORT: Record<Objection, string> = {
  weightTransport: 'WT', derivativeTransport: 'DT', linearFeedback: 'LF', spiking: 'SP', timing: 'TI', target: 'TG',
};

function mark(r: AnyRule, o: Objection): string {
  return r.objections.removes.includes(o) ? '✔' : r.objections.partly?.includes(o) ? '◐' : '✘';
}

export function rulesTable(): string {
  const list = Object.values(rules);
  const idW = Math.max(4, ...list.map((r) => r.id.length));
  const titleW = Math.max(5, ...list.map((r) => r.title.length));
  const head = `${'rule'.padEnd(idW)}  ${'title'.padEnd(titleW)}  ${OBJECTIONS.map((o) => SHORT[o]).join(' ')}  spiking  paper`;
  const lines = list.map((r) =>
    `${r.id.padEnd(idW)}  ${r.title.padEnd(titleW)}  ${OBJECTIONS.map((o) => mark(r, o).padEnd(2)).join(' ')}  ${(r.spiking ? 'yes' : 'no').padEnd(7)}  ${r.cite}`);
  const legend = 'Objections to backprop: WT weight transport, DT derivative transport, LF linear feedback, SP spiking, TI timing, TG target.\n✔ removed, ◐ partly removed, ✘ still required.';
  return [head, ...lines, '', legend].join('\n') + '\n';
}

/** Per rule, what is spiking in its spiking form, part by part, or why it has none. */
export function spikingTable(): string {
  const blocks = Object.values(rules).map((r) => {
    const head = `${r.id} — ${r.title}`;
    if (!r.spiking) return `${head}\n  no spiking form: ${r.noSpiking ?? 'none yet (no reason recorded)'}`;
    const w = Math.max(...SPIKING_PARTS.map((k) => k.length));
    return [head, ...SPIKING_PARTS.map((k) => `  ${k.padEnd(w)}  ${r.spiking!.parts[k]}`)].join('\n');
  });
  return blocks.join('\n\n') + '\n';
}

export async function listRules(argv: string[]): Promise<void> {
  const { values: f } = usage('rules', () => parseArgs({ args: argv, strict: true, allowPositionals: false, options: { json: { type: 'boolean' }, spiking: { type: 'boolean' }, plugin: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } }));
  if (f.help) {
    process.stdout.write('bioprop rules [--json] [--spiking] [--plugin FILE] — list the registered learning rules (with those FILE adds) and the objections each removes;\n  --spiking: what is spiking in each rule\'s spiking form (forward, feedback, error, update), or why it has none\n');
    return;
  }
  await loadPlugins(f.plugin ?? []);
  if (f.json) {
    const out = Object.values(rules).map((r) => ({
      id: r.id, title: r.title, cite: r.cite, spiking: !!r.spiking, spikingParts: r.spiking?.parts ?? null, noSpiking: r.noSpiking ?? null, removes: [...r.objections.removes], partly: [...(r.objections.partly ?? [])],
      objections: Object.fromEntries(OBJECTIONS.map((o) => [o, mark(r, o) === '✔' ? 'removed' : mark(r, o) === '◐' ? 'partly' : 'required'])),
      defaults: r.defaults, train: r.train, convDefaults: r.convDefaults ?? null,
    }));
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  process.stdout.write(f.spiking ? spikingTable() : rulesTable());
}
