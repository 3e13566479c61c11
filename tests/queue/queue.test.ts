// A sweep on a queue, end to end: a Redis of the test's own, `bioprop compare --queue` and `bioprop
// worker` processes, tiny MNIST slices. Compared with the same sweep run locally (`--workers 2`), record
// for record; then a worker killed mid-run, Redis restarted, the coordinator killed and restarted, and
// what a worker must refuse.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { testNeeding, type Requirement } from '../helpers/requires.js';
import { REDIS, TestRedis, bioprop, killGroup, until, freePort, sleep, type Proc } from '../helpers/redis.js';
import { parseResults, type ResultLine } from '../../src/report/results.js';
import { decodeTrainingState } from '../../src/io/training-state.js';
import { runKey } from '../../src/report/config.js';
import { identity, jobIdOf, JOB_LAYOUT } from '../../src/queue/job.js';
import { KEYS, PREFIX, QUEUE, parseRedisUrl, connectionOptions } from '../../src/queue/redis.js';

const dir = mkdtempSync(join(tmpdir(), 'bioprop-queue-'));
const cfg = (name: string, c: Record<string, unknown>) => {
  const p = join(dir, `${name}.json`);
  writeFileSync(p, JSON.stringify({ name, datasets: ['mnist'], depths: [1], width: 8, modes: ['rate'], ...c }));
  return p;
};
// Four fast rules, two epochs on slices: the sweep the queued and the local runs must agree on.
const SMALL = cfg('small', { rules: ['bp', 'fa', 'dfa', 'sign'], seeds: [1], epochs: 2, limit: 300, testLimit: 200 });
const RUNS = 4;
// Stalled runs are found within a few seconds (BullMQ's defaults are 30 s).
const FAST_STALL = ['--lock-seconds', '3', '--stalled-seconds', '1'];

const read = (p: string) => (existsSync(p) ? parseResults(readFileSync(p, 'utf8'), p).lines : []);
type QueueInfo = { worker: string | null; attempts: number };
const queueOf = (l: ResultLine) => (l as ResultLine & { queue: QueueInfo }).queue;
/** What must not depend on where or how a run ran: everything but timings. */
function outcome(lines: ResultLine[]) {
  return Object.fromEntries(lines.map((l) => [l.key, l.status === 'ok'
    ? { acc: l.record.testAccuracy, train: l.record.trainAccuracy, history: l.record.history.map((h) => [h.trainLoss, h.trainAccuracy, h.testAccuracy, h.testLoss]) }
    : l.error]));
}
const noStack = (s: string) => assert.not.match(s, /\n\s+at /, 'no stack trace');
async function ok(p: Proc, what: string, ms = 90_000) {
  const timer = setTimeout(() => killGroup(p), ms);
  const r = await p.exited;
  clearTimeout(timer);
  assert.is(r.code, 0, `${what} exited ${r.code ?? r.signal}:\n${p.err()}`);
}
function uniqueKeys(lines: ResultLine[]) {
  assert.is(new Set(lines.map((l) => l.key)).size, lines.length, 'each run recorded once');
}

let local: Promise<ResultLine[]> | undefined;
/** The small sweep run locally with two workers (once). */
function localSmall(): Promise<ResultLine[]> {
  local ??= (async () => {
    const results = join(dir, 'local', 'results.jsonl');
    await ok(bioprop(['compare', '--config', SMALL, '--workers', '2', '--results', results]), 'the local sweep');
    const lines = read(results);
    assert.is(lines.length, RUNS);
    return lines;
  })();
  return local;
}

testNeeding(REDIS, 'a coordinator and two workers give the results of --workers 2 locally, record for record (Redis with a password)', async () => {
  const redis = await TestRedis.start({ password: 'p@ss word' });
  const procs: Proc[] = [];
  try {
    const want = await localSmall();
    const results = join(dir, 'queued', 'results.jsonl');
    const c = bioprop(['compare', '--config', SMALL, '--queue', redis.url, '--results', results]);
    const w = [bioprop(['worker', '--queue', redis.url, '--idle-exit', '1']), bioprop(['worker', '--queue', redis.url, '--idle-exit', '1'])];
    procs.push(c, ...w);
    await ok(c, 'the coordinator');
    for (const x of w) await ok(x, 'a worker');
    const got = read(results);
    assert.is(got.length, RUNS);
    uniqueKeys(got);
    assert.ok(got.every((l) => l.status === 'ok'));
    assert.equal(outcome(got), outcome(want), 'the same accuracies and losses, run by run');
    const pids = new Set(w.map((x) => String(x.child.pid)));
    assert.ok(got.every((l) => pids.has(String(queueOf(l).worker).split(':').pop() ?? '')), 'each run was trained by one of the two workers');
    assert.match(c.err(), new RegExp(`queue overhead per run over ${RUNS} runs: enqueue→start with a worker free median \\d+ ms`));
    assert.ok(existsSync(join(dir, 'queued', 'report.md')));
    // Nothing left behind in Redis: no job, no stored state.
    const db = new Redis(connectionOptions(parseRedisUrl(redis.url), 'test'));
    try {
      assert.equal(await db.keys(`${PREFIX}:state:*`), []);
      assert.equal((await db.keys(`${PREFIX}:${QUEUE}:run-*`)), []);
    } finally {
      db.disconnect();
    }

    // A wrong or missing password: one line naming the server.
    for (const url of [redis.url.replace('p%40ss%20word', 'wrong'), redis.url.replace(/:[^:@/]*@/, '')]) {
      const bad = bioprop(['worker', '--queue', url]);
      const r = await bad.exited;
      assert.is(r.code, 1);
      assert.match(bad.err(), new RegExp(`Redis at redis://127\\.0\\.0\\.1:${redis.port} (refused the credentials of the URL|needs a password: give it in the URL)`));
      noStack(bad.err());
    }
  } finally {
    for (const p of procs) killGroup(p);
    await redis.stop();
  }
});

testNeeding(REDIS, 'a worker killed (kill -9) mid-run: the other worker resumes the run from its stored epoch, bit-identical, nothing lost or run twice', async () => {
  // Two runs long enough (6 epochs) to be killed between epochs with time to spare.
  const KILL = cfg('kill', { rules: ['bp'], seeds: [1, 2], width: 64, epochs: 6, limit: 3000, testLimit: 300 });
  const redis = await TestRedis.start();
  const procs: Proc[] = [];
  const db = new Redis(connectionOptions(parseRedisUrl(redis.url), 'test'));
  const queue = new Queue(QUEUE, { connection: connectionOptions(parseRedisUrl(redis.url), 'test'), prefix: PREFIX });
  try {
    const refResults = join(dir, 'kill-local', 'results.jsonl');
    await ok(bioprop(['compare', '--config', KILL, '--workers', '2', '--results', refResults]), 'the local sweep');
    const results = join(dir, 'kill', 'results.jsonl');
    const c = bioprop(['compare', '--config', KILL, '--queue', redis.url, '--results', results]);
    const a = bioprop(['worker', '--queue', redis.url, ...FAST_STALL]);
    const b = bioprop(['worker', '--queue', redis.url, ...FAST_STALL]);
    procs.push(c, a, b);
    // Wait for a run that a worker holds with a stored state of 1 to 3 of its 6 epochs (so at least three
    // epochs are left: the kill lands mid-run), and kill the worker training it with its child. The holder
    // is read in the same check: a run seen between two polls may have finished and left the queue.
    let jobId = '', epoch = 0, key = '';
    let victim: Proc | undefined;
    await until(async () => {
      for (const k of await db.keys(`${PREFIX}:state:*`)) {
        const bytes = await db.hgetBuffer(k, 'bytes');
        if (!bytes) continue;
        const e = decodeTrainingState(new Uint8Array(bytes)).state.epoch;
        if (e < 1 || e > 3) continue;
        const id = k.slice(`${PREFIX}:state:`.length);
        const job = await queue.getJob(id);
        const holder = job?.processedBy ?? (job?.progress as { worker?: string } | undefined)?.worker;
        const w = [a, b].find((p) => holder?.endsWith(`:${p.child.pid}`));
        if (!job || !w) continue;
        // A short run can finish between this read and the kill. Freeze the worker and its child first,
        // then check the run is still active in the queue: a frozen worker cannot complete it, so the kill
        // then lands mid-run for certain. If it had already finished, thaw and look again.
        killGroup(w, 'SIGSTOP');
        await sleep(100); // a completion already on the wire reaches Redis before the state is read
        if ((await queue.getJobState(id)) !== 'active') {
          killGroup(w, 'SIGCONT');
          continue;
        }
        jobId = id; epoch = e; victim = w; key = (job.data as { key: string }).key;
        return true;
      }
      return false;
    }, 'a worker holding a run with a stored training state');
    assert.ok(victim, `the worker holding ${jobId}`);
    killGroup(victim!);
    const survivor = victim === a ? b : a;
    assert.not.ok(read(results).some((l) => l.key === key), 'killed before the run finished');

    await ok(c, 'the coordinator');
    const got = read(results);
    assert.is(got.length, 2);
    uniqueKeys(got);
    assert.equal(outcome(got), outcome(read(refResults)), 'bit-identical to the uninterrupted local runs');
    const line = got.find((l) => l.key === key)!;
    assert.is(line.status, 'ok');
    const rec = line.status === 'ok' ? (line.record as { resumedFrom?: number | null }) : {};
    assert.ok((rec.resumedFrom ?? 0) >= epoch, `resumed from its stored epoch (resumedFrom ${rec.resumedFrom}, stored ${epoch})`);
    assert.match(String(queueOf(line).worker), new RegExp(`:${survivor.child.pid}$`), 'finished on the other worker');
    assert.match(survivor.err(), new RegExp(`resuming ${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(await db.keys(`${PREFIX}:state:*`), [], 'the stored states are deleted once recorded');
  } finally {
    for (const p of procs) killGroup(p);
    await queue.close();
    db.disconnect();
    await redis.stop();
  }
});

testNeeding(REDIS, 'Redis restarted (AOF) mid-sweep: the sweep continues; the coordinator killed and restarted picks it up', async () => {
  const redis = await TestRedis.start({ appendonly: true });
  const procs: Proc[] = [];
  try {
    const want = await localSmall();
    const results = join(dir, 'restart', 'results.jsonl');
    const args = ['compare', '--config', SMALL, '--queue', redis.url, '--results', results];
    const c1 = bioprop(args);
    const w = bioprop(['worker', '--queue', redis.url, ...FAST_STALL]);
    procs.push(c1, w);
    await until(() => read(results).length >= 1, 'the first recorded run');
    await redis.stop();
    await sleep(300);
    await redis.restart();
    await until(() => read(results).length >= 2, 'a run recorded after the restart');
    assert.is(c1.child.exitCode, null, 'the coordinator rode out the restart');
    assert.is(w.child.exitCode, null, 'the worker rode out the restart');
    killGroup(c1);
    await c1.exited;
    // While no coordinator follows: --report-only takes what has finished so far.
    const ro = bioprop([...args, '--report-only']);
    await ok(ro, 'compare --report-only');
    assert.match(ro.err(), /compare: \d+ finished runs? taken from the queue on redis:\/\/127\.0\.0\.1:\d+/);
    assert.match(ro.out(), /wrote .*report\.md/);
    const before = read(results).length;
    const c2 = bioprop(args);
    procs.push(c2);
    await ok(c2, 'the restarted coordinator');
    assert.match(c2.err(), new RegExp(`${before} of ${RUNS} runs already in`));
    const got = read(results);
    assert.is(got.length, RUNS);
    uniqueKeys(got);
    assert.equal(outcome(got), outcome(want));
  } finally {
    for (const p of procs) killGroup(p);
    await redis.stop();
  }
});

/** This installation copied with another version number: a worker of another build. */
function otherVersion(): string {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const copy = mkdtempSync(join(tmpdir(), 'bioprop-other-'));
  cpSync(join(root, 'bin'), join(copy, 'bin'), { recursive: true });
  cpSync(join(root, 'dist', 'src'), join(copy, 'dist', 'src'), { recursive: true });
  mkdirSync(join(copy, 'build'));
  for (const f of ['release.wasm', 'scalar.wasm']) cpSync(join(root, 'build', f), join(copy, 'build', f));
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  const v = join(copy, 'dist', 'src', 'version.js');
  writeFileSync(v, readFileSync(v, 'utf8').replace(/VERSION = '[^']*'/, "VERSION = '0.0.0-other'"));
  return join(copy, 'bin', 'bioprop.js');
}

testNeeding(REDIS, 'refused: hand-written jobs (a shell command, an unknown flag, a path outside the data folders, a file to write, not a run) and a worker of another build; a run failing on every try is recorded and the sweep goes on', async () => {
  const redis = await TestRedis.start();
  const target = parseRedisUrl(redis.url);
  const procs: Proc[] = [];
  const queue = new Queue(QUEUE, { connection: connectionOptions(target, 'test'), prefix: PREFIX });
  const db = new Redis(connectionOptions(target, 'test'));
  try {
    const mark = join(dir, 'pwned');
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    const me = identity();
    const jobs: [string, unknown, RegExp][] = [
      ['shell', ['--rule', 'bp', '--limit', '100', `; touch ${mark}`], /Unexpected argument '; touch/],
      ['subst', ['--rule', `$(touch ${mark})`], /unknown rule/],
      ['flag', ['--rule', 'bp', '--exec', `touch ${mark}`], /Unknown option '--exec'/],
      ['outside', ['--rule', 'bp', '--data-dir', '/etc'], /--data-dir "\/etc" is outside this worker's data folders/],
      ['write', ['--rule', 'bp', '--save', mark], /--save is not allowed in a job/],
      ['notrun', { cmd: `touch ${mark}` }, /unknown field 'cmd'/],
    ];
    for (const [id, d] of jobs) {
      const body = Array.isArray(d) ? { layout: JOB_LAYOUT, key: runKey(d as string[]), argv: d, ...me } : d;
      await queue.add('by hand', body, { jobId: `hand-${id}`, attempts: 3 });
    }
    const w = bioprop(['worker', '--queue', redis.url, '--data-dir', data, '--idle-exit', '1']);
    procs.push(w);
    await ok(w, 'the worker');
    for (const [id, , why] of jobs) {
      const j = await queue.getJob(`hand-${id}`);
      assert.is(await j!.getState(), 'failed', id);
      assert.match(j!.failedReason, /^refused: /, id);
      assert.match(j!.failedReason, why, id);
      assert.is(j!.attemptsMade, 1, `${id}: not retried`);
    }
    assert.not.ok(existsSync(mark), 'nothing ran');
    assert.not.match(w.err(), /starting|resuming/, 'no run was started');
    assert.is(await db.llen(KEYS.refused), jobs.length, 'each refusal recorded in Redis');
    await queue.obliterate({ force: true });

    // A sweep whose bp run diverges on every try, beside one that trains.
    const BAD = cfg('bad', { rules: ['bp', 'fa'], seeds: [1], epochs: 1, limit: 200, testLimit: 100, ruleArgs: { bp: ['--lr', '1e30'] } });
    const results = join(dir, 'bad', 'results.jsonl');
    const c = bioprop(['compare', '--config', BAD, '--queue', redis.url, '--results', results]);
    procs.push(c);
    await until(async () => (await db.get(KEYS.build)) !== null, 'the coordinator to publish its build');
    // A worker of another build refuses at once and takes no run.
    const other = otherVersion();
    const o1 = bioprop(['worker', '--queue', redis.url], {}, other);
    assert.is((await o1.exited).code, 1);
    assert.match(o1.err(), new RegExp(`refused: the sweep was queued by bioprop ${me.version} \\(build ${me.build}\\), this worker is bioprop 0\\.0\\.0-other \\(build [0-9a-f]+\\): results would not be comparable`));
    noStack(o1.err());
    // Without the published build it takes a run, sees the run's build, gives it back untouched and exits.
    await db.del(KEYS.build);
    const o2 = bioprop(['worker', '--queue', redis.url], {}, other);
    assert.is((await o2.exited).code, 1);
    assert.match(o2.err(), /refused job run-[0-9a-f]+: the sweep was queued by bioprop/);
    const counts = await queue.getJobCounts('wait', 'active', 'completed', 'failed');
    assert.equal(counts, { wait: 2, active: 0, completed: 0, failed: 0 }, 'both runs still waiting');
    for (const j of await queue.getJobs(['wait'])) assert.is(j!.attemptsMade, 0, 'no attempt used');

    const w2 = bioprop(['worker', '--queue', redis.url, '--idle-exit', '2']);
    procs.push(w2);
    await ok(c, 'the coordinator');
    assert.match(c.err(), /worker \S+ refused: the sweep was queued by bioprop/, 'the coordinator shows the refusal');
    const got = read(results);
    assert.is(got.length, 2);
    const bp = got.find((l) => l.run.rule === 'bp')!, fa = got.find((l) => l.run.rule === 'fa')!;
    assert.is(bp.status, 'error');
    assert.match(bp.status === 'error' ? bp.error : '', /diverged/);
    assert.is(queueOf(bp).attempts, 3, 'tried three times');
    assert.is(fa.status, 'ok', 'the sweep went on');
    assert.match(c.err(), /FAILED bp mnist 1×8 rate seed 1: .*diverged/);
    assert.match(readFileSync(join(dir, 'bad', 'report.md'), 'utf8'), /## Failed runs/);
    await ok(w2, 'the worker');
  } finally {
    for (const p of procs) killGroup(p);
    await queue.close();
    db.disconnect();
    await redis.stop();
  }
});

// TLS needs a certificate: made with openssl.
const REDIS_TLS: Requirement = {
  name: 'redis', available: REDIS.available && existsSync('/usr/bin/openssl'),
  missing: `${REDIS.available ? '' : `${REDIS.missing}; `}openssl ${existsSync('/usr/bin/openssl') ? 'found' : 'not found'} at /usr/bin/openssl`, install: 'sudo apt-get install redis-server openssl',
};
testNeeding(REDIS_TLS,
  'rediss:// (TLS with a private CA in NODE_EXTRA_CA_CERTS): a one-run sweep through a worker', async () => {
    const tls = mkdtempSync(join(tmpdir(), 'bioprop-tls-'));
    const cert = join(tls, 'cert.pem'), key = join(tls, 'key.pem');
    const r = spawnSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    const redis = await TestRedis.start({ tls: { cert, key }, password: 'tls-secret' });
    const procs: Proc[] = [];
    try {
      const ONE = cfg('one', { rules: ['bp'], seeds: [1], epochs: 1, limit: 200, testLimit: 100 });
      const results = join(dir, 'tls', 'results.jsonl');
      const env = { NODE_EXTRA_CA_CERTS: cert };
      const c = bioprop(['compare', '--config', ONE, '--queue', redis.url, '--results', results], env);
      const w = bioprop(['worker', '--queue', redis.url, '--idle-exit', '1'], env);
      procs.push(c, w);
      await ok(c, 'the coordinator');
      await ok(w, 'the worker');
      assert.is(read(results).length, 1);
      // Plain redis:// to a TLS port fails with a message, not a hang.
      const plain = bioprop(['worker', '--queue', redis.url.replace('rediss://', 'redis://')]);
      const p = await plain.exited;
      assert.is(p.code, 1);
      assert.match(plain.err(), new RegExp(`127\\.0\\.0\\.1:${redis.port}`));
      noStack(plain.err());
    } finally {
      for (const p of procs) killGroup(p);
      await redis.stop();
    }
  });

test('bad inputs, no Redis needed: unreachable Redis, malformed URLs, a config that does not parse, a thread count the pool cannot take', async () => {
  const port = await freePort();
  for (const cmd of [['compare', '--config', SMALL], ['worker']]) {
    const p = bioprop([...cmd, '--queue', `redis://127.0.0.1:${port}`]);
    assert.is((await p.exited).code, 1);
    assert.match(p.err(), new RegExp(`bioprop ${cmd[0]}: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\n$`));
    noStack(p.err());
  }
  for (const url of ['http://127.0.0.1:6379', 'redis://127.0.0.1:6379/queue', '127.0.0.1:6379']) {
    const p = bioprop(['worker', '--queue', url]);
    assert.is((await p.exited).code, 2);
    assert.match(p.err(), /bioprop worker: --queue must be a Redis URL redis:\/\/\[\[user\]:password@\]host\[:port\]\[\/db\] or rediss:\/\/… \(TLS\), got/);
  }
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{ "rules": ["bp"], ');
  const b = bioprop(['compare', '--config', broken, '--queue', `redis://127.0.0.1:${port}`]);
  assert.is((await b.exited).code, 1);
  assert.match(b.err(), /broken\.json: cannot read the sweep config/);
  const t = bioprop(['worker', '--queue', `redis://127.0.0.1:${port}`, '--threads', '65']);
  assert.is((await t.exited).code, 2);
  assert.match(t.err(), /--threads must be an integer in \[1, 64\], got '65'/);
  const t2 = bioprop(['worker', '--queue', `redis://127.0.0.1:${port}`, '--threads', '2']);
  assert.is((await t2.exited).code, 1, '--threads 2 is accepted (then Redis is not there)');
  assert.match(t2.err(), /cannot reach Redis/);
  const w = bioprop(['compare', '--config', SMALL, '--queue', `redis://127.0.0.1:${port}`, '--workers', '2']);
  assert.is((await w.exited).code, 2);
  assert.match(w.err(), /--workers is for a local sweep/);
});

test.run();
