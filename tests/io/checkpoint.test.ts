import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backend } from '../helpers/setup.js';
import { seeded } from '../helpers/fill.js';
import { Network } from '../../src/net/network.js';
import { encodeCheckpoint, decodeCheckpoint, networkFromCheckpoint, checkpointSpiking, crc32 } from '../../src/io/checkpoint.js';
import { SpikingNetwork } from '../../src/net/spiking.js';
import { writeFileAtomic } from '../../src/io/file.js';

async function net() {
  const lib = await backend();
  const n = new Network(lib, { sizes: [7, 5, 3], activation: 'tanh', init: 'xavier', batch: 4, seed: 9 });
  n.layers.forEach((l, i) => l.b.set(seeded(l.outSize, i)));
  return { lib, n };
}

test('crc32 matches the IEEE check value', () => {
  assert.is(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('save → load round-trips bit-exactly, through an atomic file write', async () => {
  const { lib, n } = await net();
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-ckpt-'));
  const file = join(dir, 'net.bioprop');
  await writeFileAtomic(file, encodeCheckpoint(n, 'bp', { note: 'x' }));
  assert.equal(readdirSync(dir), ['net.bioprop'], 'no temp file left behind');
  const { net: m, header } = networkFromCheckpoint(lib, new Uint8Array(readFileSync(file)), 2, file);
  assert.is(header.rule, 'bp');
  assert.equal(header.meta, { note: 'x' });
  assert.equal(m.sizes, n.sizes);
  n.layers.forEach((l, i) => {
    assert.equal(Array.from(m.layers[i]!.W.data), Array.from(l.W.data));
    assert.equal(Array.from(m.layers[i]!.b.data), Array.from(l.b.data));
  });
  n.dispose();
  m.dispose();
});

test('corrupted, truncated and foreign files are refused with clear errors', async () => {
  const { n } = await net();
  const good = encodeCheckpoint(n, 'bp');
  const flipped = good.slice();
  flipped[good.length >> 1] = flipped[good.length >> 1]! ^ 0x10;
  assert.throws(() => decodeCheckpoint(flipped, 'f.bin'), /f.bin: not a valid bioprop network file: checksum mismatch/);
  assert.throws(() => decodeCheckpoint(good.subarray(0, good.length - 9), 'f.bin'), /checksum mismatch|truncated/);
  assert.throws(() => decodeCheckpoint(good.subarray(0, 10), 'f.bin'), /truncated/);
  const foreign = good.slice();
  foreign[0] = 0x50;
  assert.throws(() => decodeCheckpoint(foreign, 'f.bin'), /bad magic/);
  n.dispose();
});

test('an atomic write into a missing folder fails cleanly and leaves no file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bioprop-ckpt-'));
  let err: unknown;
  try {
    await writeFileAtomic(join(dir, 'missing', 'net.bioprop'), new Uint8Array(8));
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Error);
  assert.equal(readdirSync(dir), []);
  // an existing file is replaced whole, never partially
  const file = join(dir, 'a.bin');
  writeFileSync(file, 'old');
  await writeFileAtomic(file, new TextEncoder().encode('new contents'));
  assert.is(readFileSync(file, 'utf8'), 'new contents');
});


test('a spiking network saved with its simulator options reloads spiking and gives the same outputs; --rate reloads it as rate', async () => {
  const lib = await backend();
  const spiking = { steps: 12, dt: 1e-3, encoder: 'poisson' as const, maxRate: 150, seed: 3, neuronParams: { tauMem: 15e-3, refractory: 2e-3 } };
  const a = new SpikingNetwork(lib, { sizes: [7, 6, 3], batch: 4, seed: 9, spiking });
  const bytes = encodeCheckpoint(a, 'dfa', { spiking });
  const { net: b, header } = networkFromCheckpoint(lib, bytes, 4, 'spiking.bioprop');
  assert.equal(checkpointSpiking(header), spiking);
  assert.ok(b instanceof SpikingNetwork, 'rebuilt as a SpikingNetwork');
  const sb = (b as SpikingNetwork).sim;
  assert.equal([sb.steps, sb.dt, sb.maxRate, sb.encoderName, sb.np.tauMem, sb.np.refractory], [12, 1e-3, 150, 'poisson', 15e-3, 2e-3]);
  const x = seeded(4 * 7, 11).map((v) => Math.abs(v));
  for (const n of [a, b]) { n.input.set(x); n.forward(4); }
  // Same weights, same options, same seed, fresh state: the same window, bit for bit.
  assert.equal(Array.from(b.output.post.data.subarray(0, 12)), Array.from(a.output.post.data.subarray(0, 12)));
  const { net: r } = networkFromCheckpoint(lib, bytes, 4, 'spiking.bioprop', { rate: true });
  assert.not.ok(r instanceof SpikingNetwork, '--rate: a plain Network');
  assert.equal(Array.from(r.layers[0]!.W.data), Array.from(a.layers[0]!.W.data));
  a.dispose(); b.dispose(); r.dispose();
});

test.run();
