// A queued run is data: the run's key and its `bioprop train` arguments, the coordinator's version and
// build, and a time limit. A worker takes nothing else: it checks the data against the train command's
// own flag table (parsed from its help, so the two cannot drift apart), the registered rules and their
// parameters, and the data folders it was given, and refuses anything else before a process starts.
// The run is then spawned without a shell, by argument list, so no string of a job is ever interpreted
// as a command. Node only.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TRAIN_HELP } from '../train/help.js';
import { rules } from '../rules/index.js';
import { runKey } from '../report/config.js';
import { DATASETS } from '../data/index.js';
import { VERSION } from '../version.js';

/** Layout of a job's data (a worker refuses other layouts). */
export const JOB_LAYOUT = 1;

export interface RunJobData {
  layout: typeof JOB_LAYOUT;
  /** The run's key (runKey of argv). */
  key: string;
  /** The run's `bioprop train` arguments, without --out / --checkpoint (the worker adds its own). */
  argv: string[];
  /** The coordinator's bioprop version and build (buildId). */
  version: string;
  build: string;
  /** Stop the run after this many seconds and record it as failed. */
  timeoutSeconds?: number;
}

/** BullMQ job ids may not contain ':' (run keys can): the id is a digest of the key, so adding a run twice adds it once. */
export function jobIdOf(key: string): string {
  return `run-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

let build: string | undefined;
/**
 * This installation's build: a digest of the compiled library (dist/src/**\/*.js) and the WASM cores.
 * Two machines with the same digest compute the same runs bit for bit; a worker refuses the runs of a
 * coordinator with another one, because their results would not be comparable.
 */
export function buildId(): string {
  if (build) return build;
  const h = createHash('sha256');
  const add = (dir: string, keep: (f: string) => boolean) => {
    const walk = (d: string): string[] => readdirSync(d).sort().flatMap((f) => {
      const p = join(d, f);
      return statSync(p).isDirectory() ? walk(p) : keep(f) ? [p] : [];
    });
    for (const p of walk(dir)) h.update(relative(dir, p)).update('\0').update(readFileSync(p)).update('\0');
  };
  add(fileURLToPath(new URL('../', import.meta.url)), (f) => f.endsWith('.js'));
  add(fileURLToPath(new URL('../../../build/', import.meta.url)), (f) => f === 'release.wasm' || f === 'scalar.wasm');
  build = h.digest('hex').slice(0, 16);
  return build;
}

export function identity(): { version: string; build: string } {
  return { version: VERSION, build: buildId() };
}

type FlagTable = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

/**
 * The flags of `bioprop train`, read from its help: '  --name VALUE' takes a value, '  --name' alone is
 * a switch; --param repeats.
 */
export function trainFlags(help = TRAIN_HELP): FlagTable {
  const out: FlagTable = {};
  for (const m of help.matchAll(/^ {2}--([a-z][a-z-]*)( [A-Z][A-Z=_]*)?/gm)) {
    out[m[1]!] = m[2] ? { type: 'string', ...(m[1] === 'param' ? { multiple: true } : {}) } : { type: 'boolean' };
  }
  return out;
}

/** Flags a job may not carry: the worker chooses where a run writes, and the rest would not train. */
const WORKER_OWNED = ['out', 'save', 'checkpoint', 'resume', 'resume-or-restart', 'help'];

export interface CheckContext {
  /** Folders a job's --data-dir may point into (resolved, symlinks followed). */
  dataDirs: readonly string[];
}

const clip = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n)}…` : s);
const show = (v: unknown) => clip(JSON.stringify(v) ?? String(v));

/** Why a job's data is refused, or null when the worker may run it. Compares no versions (see identity). */
export function refusal(data: unknown, ctx: CheckContext): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return `the job's data is not a run (expected an object, got ${show(data)})`;
  const d = data as Record<string, unknown>;
  const fields = ['layout', 'key', 'argv', 'version', 'build', 'timeoutSeconds'];
  const extra = Object.keys(d).filter((k) => !fields.includes(k));
  if (extra.length) return `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${clip(k, 40)}'`).join(', ')} (a run is ${fields.join(', ')})`;
  if (d.layout !== JOB_LAYOUT) return `job layout ${show(d.layout)}, this worker reads layout ${JOB_LAYOUT}`;
  if (typeof d.version !== 'string' || typeof d.build !== 'string') return `a run names the bioprop version and build that queued it ('version', 'build'), got ${show(d.version)} and ${show(d.build)}`;
  if (typeof d.key !== 'string') return `'key' must be the run's key, got ${show(d.key)}`;
  if (!Array.isArray(d.argv) || d.argv.length > 200 || !d.argv.every((a) => typeof a === 'string' && a.length <= 4096)) {
    return `'argv' must be a list of at most 200 strings, got ${show(d.argv)}`;
  }
  if (d.timeoutSeconds !== undefined && !(Number.isInteger(d.timeoutSeconds) && (d.timeoutSeconds as number) >= 1)) return `'timeoutSeconds' must be a positive integer, got ${show(d.timeoutSeconds)}`;
  const argv = d.argv as string[];
  // eslint-disable-next-line no-control-regex
  const ctl = argv.find((a) => /[\x00-\x1f\x7f]/.test(a));
  if (ctl !== undefined) return `argument ${show(ctl)} holds a control character`;
  let f: Record<string, string | boolean | string[] | undefined>;
  try {
    f = parseArgs({ args: argv, strict: true, allowPositionals: false, options: trainFlags() }).values as typeof f;
  } catch (e) {
    return `not a 'bioprop train' command line: ${(e as Error).message.replace(/\. To specify a positional.*$/s, '')}`;
  }
  const owned = WORKER_OWNED.filter((k) => f[k] !== undefined);
  if (owned.length) return `--${owned[0]} is not allowed in a job (the worker decides where a run writes)`;
  const rule = typeof f.rule === 'string' ? f.rule : 'bp';
  if (!Object.hasOwn(rules, rule)) return `unknown rule ${show(rule)} (registered: ${Object.keys(rules).join(', ')})`;
  if (typeof f.dataset === 'string' && f.dataset !== 'fashion' && !(DATASETS as readonly string[]).includes(f.dataset)) return `unknown dataset ${show(f.dataset)} (${DATASETS.join(', ')})`;
  for (const kv of (f.param as string[] | undefined) ?? []) {
    const name = /^([A-Za-z_]\w*)=/.exec(kv)?.[1];
    if (!name || !Object.hasOwn(rules[rule]!.defaults, name)) return `--param ${show(kv)}: rule '${rule}' has no such parameter (it has: ${Object.keys(rules[rule]!.defaults).join(', ') || 'none'})`;
  }
  if (typeof f['data-dir'] === 'string') {
    const dir = f['data-dir'];
    if (!isAbsolute(dir)) return `--data-dir ${show(dir)} is not an absolute path`;
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return `--data-dir ${show(dir)} does not exist on this worker`;
    }
    const inside = ctx.dataDirs.some((root) => {
      const r = relative(root, real);
      return r === '' || (!r.startsWith('..') && !isAbsolute(r));
    });
    if (!inside) return `--data-dir ${show(dir)} is outside this worker's data folders (${ctx.dataDirs.join(', ') || "none: start the worker with --data-dir DIR to allow one"})`;
  }
  if (runKey(argv) !== d.key) return `'key' ${show(d.key)} is not the key of its argv (${show(runKey(argv))})`;
  return null;
}
