// What a worker accepts from the queue, the --queue URL, and the Redis version check: in-process, no Redis.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { refusal, trainFlags, jobIdOf, identity, JOB_LAYOUT } from '../../src/queue/job.js';
import { parseRedisUrl, checkServerInfo, versionAtLeast } from '../../src/queue/redis.js';
import { describeTimes } from '../../src/queue/coordinator.js';
import { expandConfig, fullPreset, quickPreset, runKey, validateConfig } from '../../src/report/config.js';
import { rules } from '../../src/rules/index.js';
import { TRAIN_HELP } from '../../src/cli/train.js';

const me = identity();
const job = (argv: string[], extra: Record<string, unknown> = {}) => ({ layout: JOB_LAYOUT, key: runKey(argv), argv, ...me, ...extra });
const none = { dataDirs: [] as string[] };

test('every run the presets and a config with every kind of flag plan is accepted', () => {
  const plans = [
    ...expandConfig(quickPreset(Object.values(rules), 2), rules),
    ...expandConfig(fullPreset(), rules),
    ...expandConfig(validateConfig({
      rules: ['fa', 'dfa'], datasets: ['fashion-mnist'], depths: [0, 2], seeds: [7], epochs: 2, limit: 100, testLimit: 50,
      args: ['--batch', '32', '--optimizer', 'adam', '--schedule', 'cosine', '--quiet', '--validation', '50'],
      modeArgs: { spiking: ['--spiking', '--steps', '10', '--encoder', 'poisson'] }, ruleArgs: { fa: ['--lr', '0.01', '--param', 'feedbackScale=1'] },
    }, rules), rules),
  ];
  assert.ok(plans.length > 500);
  for (const r of plans) assert.is(refusal(job(r.argv), none), null, r.key);
});

test("the flag table is the train command's: every flag of its help, values and switches told apart", () => {
  const f = trainFlags();
  const inHelp = [...TRAIN_HELP.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]);
  assert.equal(Object.keys(f).sort(), [...new Set(inHelp)].sort());
  assert.equal(f.spiking, { type: 'boolean' });
  assert.equal(f.resume, { type: 'boolean' });
  assert.equal(f.lr, { type: 'string' });
  assert.equal(f.param, { type: 'string', multiple: true });
  // The same table parses what train parses.
  assert.equal({ ...parseArgs({ args: ['--rule', 'fa', '--spiking', '--param', 'a=1', '--param', 'b=2'], options: f, strict: true }).values }, { rule: 'fa', spiking: true, param: ['a=1', 'b=2'] });
});

test('a job that is not a run, a shell command, an unknown flag, a file to write or a path outside the data folders is refused', () => {
  const data = mkdtempSync(join(tmpdir(), 'bioprop-job-'));
  mkdirSync(join(data, 'mnist'));
  symlinkSync('/etc', join(data, 'escape'));
  const ctx = { dataDirs: [data] };
  const cases: [unknown, RegExp][] = [
    [null, /not a run \(expected an object, got null\)/],
    [['--rule', 'bp'], /not a run/],
    [{ cmd: 'rm -rf /' }, /unknown field 'cmd'/],
    [job(['--rule', 'bp'], { shell: 'sh -c id' }), /unknown field 'shell'/],
    [job(['--rule', 'bp'], { layout: 2 }), /job layout 2, this worker reads layout 1/],
    [{ layout: JOB_LAYOUT, key: '--rule bp', argv: ['--rule', 'bp'] }, /a run names the bioprop version and build that queued it/],
    [job(['--rule', 'bp', 'rm -rf /']), /not a 'bioprop train' command line: Unexpected argument 'rm -rf \/'/],
    [job(['--rule', 'bp', '--exec', 'sh']), /not a 'bioprop train' command line: Unknown option '--exec'/],
    [job(['--rule', '$(touch /tmp/x)']), /unknown rule "\$\(touch \/tmp\/x\)"/],
    [job(['--rule', 'bp', '--param', 'x=$(id)']), /--param "x=\$\(id\)": rule 'bp' has no such parameter/],
    [job(['--rule', 'bp', '--dataset', 'cifar']), /unknown dataset "cifar"/],
    [job(['--rule', 'bp', '--out', '/tmp/evil.json']), /--out is not allowed in a job/],
    [job(['--rule', 'bp', '--save', '/home/x/.bashrc']), /--save is not allowed/],
    [job(['--rule', 'bp', '--checkpoint', '/tmp/c', '--resume']), /--checkpoint is not allowed/],
    [job(['--rule', 'bp', '--data-dir', '/etc']), /--data-dir "\/etc" is outside this worker's data folders/],
    [job(['--rule', 'bp', '--data-dir', join(data, 'escape')]), /is outside this worker's data folders/],
    [job(['--rule', 'bp', '--data-dir', join(data, '..', 'x')]), /does not exist on this worker|outside/],
    [job(['--rule', 'bp', '--data-dir', 'mnist']), /is not an absolute path/],
    [job(['--rule', 'bp', '--seed', '1\n2']), /control character/],
    [{ ...job(['--rule', 'bp']), key: '--rule fa' }, /'key' "--rule fa" is not the key of its argv/],
    [job(['--rule', 'bp'], { timeoutSeconds: -1 }), /'timeoutSeconds' must be a positive integer/],
  ];
  for (const [d, want] of cases) {
    const why = refusal(d, ctx);
    assert.ok(why !== null, `refused: ${JSON.stringify(d)}`);
    assert.match(why!, want);
  }
  assert.is(refusal(job(['--rule', 'bp', '--data-dir', join(data, 'mnist')]), ctx), null, 'a folder inside the data folders is fine');
  assert.is(refusal(job(['--rule', 'bp', '--data-dir', data]), ctx), null);
  assert.match(refusal(job(['--rule', 'bp', '--data-dir', data]), none)!, /none: start the worker with --data-dir DIR/);
});

test('job ids: one per run key, without the colon BullMQ reserves', () => {
  const a = jobIdOf('--rule bp --param x=1:2'), b = jobIdOf('--rule bp --param x=1:3');
  assert.not.match(a, /:/);
  assert.is.not(a, b);
  assert.is(a, jobIdOf('--rule bp --param x=1:2'));
});

test('--queue URLs: host, port, db, user and password (percent-decoded), TLS; malformed ones named with the form expected', () => {
  assert.equal(parseRedisUrl('redis://10.0.0.5'), { host: '10.0.0.5', port: 6379, db: 0, tls: false, where: 'redis://10.0.0.5' });
  assert.equal(parseRedisUrl('rediss://u:p%40ss@h.example:6380/3'), { host: 'h.example', port: 6380, db: 3, tls: true, where: 'rediss://h.example:6380/3', username: 'u', password: 'p@ss' });
  assert.equal(parseRedisUrl('redis://:secret@[::1]:7000').host, '::1');
  assert.is(parseRedisUrl('redis://:secret@h').password, 'secret');
  for (const [url, why] of [['localhost:6379', 'scheme'], ['http://h', "scheme 'http'"], ['redis://', 'no host'], ['redis//h', 'not a URL'],
    ['redis://h:70000', 'not a URL'], ['redis://h/abc', "database 'abc'"], ['redis://h?db=1', 'no query']] as const) {
    assert.throws(() => parseRedisUrl(url), (e: Error) => e.name === 'UsageError' && e.message.includes('--queue must be a Redis URL redis://') && e.message.includes(why), url);
  }
  assert.throws(() => parseRedisUrl('http://u:hunter2@h'), (e: Error) => !e.message.includes('hunter2'), 'the password is not echoed');
});

test('Redis older than 6.2 is refused with its version and the one needed', () => {
  assert.is(checkServerInfo('# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n', 'redis://h:1'), '7.0.15');
  assert.is(checkServerInfo('redis_version:6.2.0\r\n', 'x'), '6.2.0');
  assert.throws(() => checkServerInfo('redis_version:6.0.16\r\n', 'redis://h:1'), /Redis at redis:\/\/h:1 is version 6\.0\.16; the queue \(BullMQ\) needs Redis 6\.2 or newer/);
  assert.throws(() => checkServerInfo('hello', 'redis://h:1'), /without a redis_version/);
  assert.ok(versionAtLeast('10.0', '6.2.0') && !versionAtLeast('6.1.9', '6.2.0'));
});

test("queue overhead: a run's start counts from when its worker was free, not from when it was queued", () => {
  // Worker a: runs 1 and 2 back to back (run 2 queued at 0, started 10 ms after run 1 finished);
  // worker b: run 3 queued at 0, started at 30. Child runs take 1 s less 20 ms around them.
  const line = describeTimes([
    { worker: 'a', enqueued: 0, started: 50, finished: 1070, recorded: 1080, childSeconds: 1 },
    { worker: 'a', enqueued: 0, started: 1080, finished: 2100, recorded: 2140, childSeconds: 1 },
    { worker: 'b', enqueued: 0, started: 30, finished: 1050, recorded: 1070, childSeconds: 1 },
  ]);
  assert.is(line, 'queue overhead per run over 3 runs: enqueue→start with a worker free median 30 ms (max 50 ms), ' +
    'worker around the child run median 20 ms (max 20 ms), finish→record median 20 ms (max 40 ms)');
});

test.run();
