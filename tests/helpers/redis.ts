// A Redis server of a test's own, on a free loopback port, and bioprop processes run against it. Needs
// Debian's redis-server (the tests using it are skipped with the install command when it is missing).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pathRequirement } from './requires.js';
import { checkRedis, parseRedisUrl } from '../../src/queue/redis.js';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS = pathRequirement('redis', REDIS_SERVER, `Redis not found at ${REDIS_SERVER}`, 'sudo apt-get install redis-server');
export const BIN = fileURLToPath(new URL('../../../bin/bioprop.js', import.meta.url));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loopback port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function listening(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = connect(port, '127.0.0.1', () => { c.destroy(); resolve(); });
    c.once('error', reject);
  });
}

export interface RedisSetup {
  password?: string;
  /** Persist with an append-only file in the server's folder (survives a restart). */
  appendonly?: boolean;
  /** TLS on the port, with these PEM files. */
  tls?: { cert: string; key: string };
}

export class TestRedis {
  private proc: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'bioprop-redis-'));
  private constructor(readonly port: number, readonly setup: RedisSetup) {}

  static async start(setup: RedisSetup = {}): Promise<TestRedis> {
    const r = new TestRedis(await freePort(), setup);
    await r.restart();
    return r;
  }

  get url(): string {
    return `${this.setup.tls ? 'rediss' : 'redis'}://${this.setup.password ? `:${encodeURIComponent(this.setup.password)}@` : ''}127.0.0.1:${this.port}`;
  }

  /** Starts the server (again, on the same port and folder) and waits until it answers. */
  async restart(): Promise<void> {
    const s = this.setup;
    const args = ['--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', s.appendonly ? 'yes' : 'no', '--logfile', join(this.dir, 'redis.log')];
    if (s.password) args.push('--requirepass', s.password);
    if (s.tls) args.push('--port', '0', '--tls-port', String(this.port), '--tls-cert-file', s.tls.cert, '--tls-key-file', s.tls.key, '--tls-ca-cert-file', s.tls.cert, '--tls-auth-clients', 'no');
    else args.push('--port', String(this.port));
    this.proc = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    const target = parseRedisUrl(this.url);
    // Ready when it answers (TLS: when it listens; this process does not trust the test's certificate).
    const ready = s.tls ? () => listening(this.port) : () => checkRedis(target, 1000);
    for (let i = 0; ; i++) {
      try {
        await ready();
        return;
      } catch (e) {
        if (i > 200 || this.proc.exitCode !== null) {
          this.proc.kill('SIGKILL');
          throw new Error(`test Redis on port ${this.port} did not start: ${(e as Error).message}`);
        }
        await sleep(50);
      }
    }
  }

  /** Stops the server (SIGTERM: it writes its append-only file and exits) and waits for it. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
  }
}

/** A bioprop process with its output collected. */
export interface Proc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `bioprop args…` in its own process group (so a test can kill it with everything it started). */
export function bioprop(args: string[], env: Record<string, string> = {}, bin = BIN): Proc {
  const child = spawn(process.execPath, [bin, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '', err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { out += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
  return { child, out: () => out, err: () => err, exited };
}

/** Kills a process started by bioprop() and everything in its group (kill -9: a machine lost). */
export function killGroup(p: Proc, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-p.child.pid!, signal);
  } catch { /* already gone */ }
}

/** Resolves when `cond` is true, polling every 20 ms; throws `what` after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(20);
  }
}
