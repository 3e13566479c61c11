// The Redis side of a queued sweep: the `--queue` URL, a first connection that fails fast with a plain
// message (unreachable, refused password, too old), and the options of the long-lived connections,
// which reconnect for as long as it takes (a Redis restart must not end a sweep). Node only.
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisOptions as QueueConnection } from 'bullmq';
import { UsageError } from '../core/check.js';

/** Where the queue lives. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** host:port[/db] for messages (never the password). */
  where: string;
}

/** BullMQ's key prefix and queue name: every key of a sweep's queue starts with 'bioprop:sweep:'. */
export const PREFIX = 'bioprop';
export const QUEUE = 'sweep';
/** Keys of our own beside the queue's. */
export const KEYS = {
  /** The training state of a job's run (hash: argv, bytes). */
  state: (jobId: string) => `${PREFIX}:state:${jobId}`,
  /** Jobs and workers refused by a worker, one JSON line each (a list). */
  refused: `${PREFIX}:refused`,
  /** The version and build of the coordinator that last enqueued runs. */
  build: `${PREFIX}:build`,
};

/** The oldest Redis the queue runs on (BullMQ's scripts need 6.2). */
export const MIN_REDIS = '6.2.0';

const URL_FORM = 'redis://[[user]:password@]host[:port][/db] or rediss://… (TLS)';

/** Parses a `--queue` URL; errors name the flag, the expected form and what was given (password hidden). */
export function parseRedisUrl(s: string, flag = 'queue'): RedisTarget {
  const shown = s.replace(/\/\/([^@/]*)@/, '//***@');
  const bad = (why: string): never => {
    throw new UsageError(`--${flag} must be a Redis URL ${URL_FORM}, got '${shown}' (${why})`);
  };
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return bad('not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') bad(`scheme '${u.protocol.replace(/:$/, '')}'`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) bad('no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!(port >= 1 && port <= 65535)) bad(`port ${u.port}`);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path)) bad(`database '${path}' is not a number`);
  if (u.search || u.hash) bad('no query or fragment expected');
  const db = path === '' ? 0 : Number(path);
  const t: RedisTarget = { host, port, db, tls: u.protocol === 'rediss:', where: `${u.protocol === 'rediss:' ? 'rediss' : 'redis'}://${u.host}${db ? `/${db}` : ''}` };
  if (u.username) t.username = decodeURIComponent(u.username);
  if (u.password) t.password = decodeURIComponent(u.password);
  return t;
}

function baseOptions(t: RedisTarget): RedisOptions {
  return {
    host: t.host, port: t.port, db: t.db, username: t.username, password: t.password,
    // TLS checks the server's certificate against the host of the URL; a private CA goes in NODE_EXTRA_CA_CERTS.
    ...(t.tls ? { tls: {} } : {}),
  };
}

/**
 * Options of a long-lived connection (BullMQ's and ours): commands wait while Redis is away and the
 * client reconnects every second or two until it is back.
 */
export function connectionOptions(t: RedisTarget, name: string): RedisOptions & QueueConnection {
  return { ...baseOptions(t), connectionName: name, maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy: (n) => Math.min(250 * n, 2000) };
}

/** 'a.b.c' ≥ 'x.y.z', numerically. */
export function versionAtLeast(v: string, min: string): boolean {
  const a = v.split('.').map(Number), b = min.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0, y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** The redis_version of an INFO reply; throws when it is older than MIN_REDIS. */
export function checkServerInfo(info: string, where: string): string {
  const v = /^redis_version:([\d.]+)/m.exec(info)?.[1];
  if (!v) throw new Error(`${where} answered INFO without a redis_version: is it a Redis server?`);
  if (!versionAtLeast(v, MIN_REDIS)) throw new Error(`Redis at ${where} is version ${v}; the queue (BullMQ) needs Redis ${MIN_REDIS.replace(/\.0$/, '')} or newer`);
  return v;
}

/**
 * Connects once, without retrying, and checks the server: resolves with its version, or throws one line
 * saying where and why (refused connection, timeout, TLS, password, version) — before any work is done.
 */
export async function checkRedis(t: RedisTarget, timeoutMs = 5000): Promise<string> {
  const c = new Redis({ ...baseOptions(t), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: timeoutMs });
  let last: Error | undefined;
  c.on('error', (e: Error) => { last = e; });
  try {
    const authError = (m: string) => {
      const said = m.split('\n')[0]!.replace(/\.$/, '');
      if (/WRONGPASS|invalid password|invalid username/i.test(m)) return new Error(`Redis at ${t.where} refused the credentials of the URL (${said})`);
      if (/NOAUTH/.test(m)) return new Error(`Redis at ${t.where} needs a password: give it in the URL, redis://[user]:PASSWORD@host:port (${said.slice(0, 60)}…)`);
      return null;
    };
    try {
      await c.connect();
    } catch (e) {
      const m = (last ?? (e as Error)).message;
      throw authError(m) ?? new Error(`cannot reach Redis at ${t.where}: ${m}` +
        (t.tls ? ' (rediss:// needs a Redis with TLS on that port; a self-signed certificate needs NODE_EXTRA_CA_CERTS)' : ''));
    }
    let info: string;
    try {
      info = await c.info('server');
    } catch (e) {
      const m = (e as Error).message;
      throw authError(m) ?? new Error(`Redis at ${t.where}: ${m}`);
    }
    return checkServerInfo(info, t.where);
  } finally {
    c.disconnect();
  }
}

/** An 'error' listener for a long-lived connection: one line per distinct message, at most every 10 s. */
export function connectionLogger(t: RedisTarget, say: (s: string) => void): (e: Error) => void {
  let lastMsg = '', lastAt = 0;
  return (e: Error) => {
    const now = Date.now();
    if (e.message === lastMsg && now - lastAt < 10_000) return;
    lastMsg = e.message;
    lastAt = now;
    say(`Redis at ${t.where}: ${e.message} (retrying)`);
  };
}
