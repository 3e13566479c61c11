// `bioprop worker`: train the runs of a queued sweep (`bioprop compare --queue`) on this machine.
import { parseArgs } from 'node:util';
import { realpathSync } from 'node:fs';
import { usage, int, UsageError } from './args.js';
import { MAX_THREADS } from '../wasm/pool.js';
import { parseRedisUrl } from '../queue/redis.js';
import { runWorker } from '../queue/worker.js';

export const WORKER_HELP = `bioprop worker — train the runs of a sweep queued with 'bioprop compare --queue URL'

  --queue URL          the sweep's Redis: redis://[[user]:password@]host[:port][/db], rediss://… for TLS
  --concurrency N      runs at a time on this machine (default 1)
  --threads N          threads per run (default 1: the runs of a worker share its cores; choose
                       concurrency × threads <= cores)
  --data-dir DIR       a folder the runs may read datasets from with --data-dir (repeatable; default:
                       none, runs read the installed datasets)
  --lock-seconds S     a run whose worker has not renewed its lock for S seconds is handed to another
                       worker, which resumes it from its last stored epoch (default 30)
  --stalled-seconds S  how often lost runs are looked for (default 30)
  --idle-exit S        exit once a sweep has been queued and the queue has had nothing waiting or
                       running for S seconds (batch jobs)

  Each run is trained as by a local sweep (a child 'bioprop train' process) and its training state is
  stored in Redis after every epoch. Runs queued by another bioprop version or build are refused. Keep
  Redis on a private network: anyone who can write to it can fill the queue (though never run a command).
`;

export async function worker(argv: string[]): Promise<void> {
  const { values: f } = usage('worker', () => parseArgs({ args: argv, strict: true, allowPositionals: false, options: {
    queue: { type: 'string' }, concurrency: { type: 'string' }, threads: { type: 'string' }, 'data-dir': { type: 'string', multiple: true },
    'lock-seconds': { type: 'string' }, 'stalled-seconds': { type: 'string' }, 'idle-exit': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  } }));
  if (f.help) {
    process.stdout.write(WORKER_HELP);
    return;
  }
  if (f.queue === undefined) throw new UsageError("--queue URL is required (the Redis of the sweep, e.g. redis://10.0.0.5:6379; see 'bioprop worker --help')");
  const target = parseRedisUrl(f.queue);
  const concurrency = int('concurrency', f.concurrency, 1, 1024) ?? 1;
  const threads = int('threads', f.threads, 1, MAX_THREADS);
  const dataDirs = (f['data-dir'] ?? []).map((d) => {
    try {
      return realpathSync(d);
    } catch {
      throw new UsageError(`--data-dir ${d}: no such folder`);
    }
  });
  const seconds = (flag: string, v: string | undefined) => int(flag, v, 1, 86_400);
  const lockSeconds = seconds('lock-seconds', f['lock-seconds']);
  const stalledSeconds = seconds('stalled-seconds', f['stalled-seconds']);
  const idleExitSeconds = seconds('idle-exit', f['idle-exit']);

  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const s = await runWorker({
      target, concurrency, dataDirs, lockSeconds, stalledSeconds, idleExitSeconds, signal: ac.signal,
      extraArgs: threads !== undefined ? ['--threads', String(threads)] : [],
    });
    process.stderr.write(`worker: ${s.ran} runs trained, ${s.failed} failed tries, ${s.refused} refused\n`);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
