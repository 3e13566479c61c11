// Versioned, checksummed network files.
// Layout (little-endian):
//   0  8 bytes  magic "BIOPROP\0"
//   8  u32      format version (1)
//  12  u32      header length H in bytes
//  16  H bytes  header, UTF-8 JSON: { library, rule, seed, sizes, activations, outputActivation, loss,
//               bias, init, meta, tensors: [{ name, shape, offset }] }   (offset in floats)
//  16+H         zero padding to a multiple of 4
//  P            float32 payload: every tensor, in header order (two entries may share an offset: one
//               tensor under two names, as a training-state file's W0 and ws.5; src/io/training-state.ts)
//  end−4 u32    CRC-32 (IEEE) of every byte before it
// The payload is copied byte for byte from WASM memory (little-endian by definition), never through a
// float conversion, so every bit pattern survives (a NaN's payload too: training-state files hold WASM
// RNG states in float32 tensors).
// Browser-safe: encode/decode work on bytes; src/io/file.ts adds the atomic Node write.
import type { Backend } from '../backend.js';
import { Network, type LossName } from '../net/network.js';
import { SpikingNetwork, type SpikingOptions } from '../net/spiking.js';
import type { InitScheme } from '../net/init.js';
import { VERSION } from '../version.js';
import { tensorBytes } from '../core/tensor.js';

export const CHECKPOINT_FORMAT = 1;
const MAGIC = [0x42, 0x49, 0x4f, 0x50, 0x52, 0x4f, 0x50, 0x00]; // "BIOPROP\0"

export interface CheckpointHeader {
  library: string;
  rule: string;
  seed: number;
  sizes: number[];
  activations: string[];
  outputActivation: string;
  loss: LossName;
  bias: boolean;
  init: InitScheme;
  /** A network built from a layer spec (src/net/arch.ts): the spec and the input's [h, w, c]; absent for an MLP. */
  arch?: string;
  inputShape?: [number, number, number] | null;
  meta: Record<string, unknown>;
  tensors: { name: string; shape: number[]; offset: number }[];
}

let crcTable: Uint32Array | null = null;
/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib and PNG compute it. */
export function crc32(bytes: Uint8Array, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A tensor to write: its shape and its float32 data as little-endian bytes; `aliases` name it again. */
export interface TensorEntry {
  name: string;
  shape: readonly number[];
  bytes: Uint8Array;
  aliases?: string[];
}

/** The header of a network file for `net`, without its tensor list. */
export function networkHeader(net: Network, rule: string, meta: Record<string, unknown>): Omit<CheckpointHeader, 'tensors'> {
  return {
    library: VERSION, rule, seed: net.seed, sizes: [...net.sizes], activations: [...net.activations],
    outputActivation: net.outputActivation, loss: net.loss, bias: net.bias, init: net.init, meta,
    ...(net.arch !== null ? { arch: net.arch, inputShape: net.inputShape ? [...net.inputShape] as [number, number, number] : null } : {}),
  };
}

/** Serialises a header and tensors into the file layout above (the payload byte for byte). */
export function encodeTensorFile(head: Omit<CheckpointHeader, 'tensors'>, entries: readonly TensorEntry[]): Uint8Array {
  const tensors: CheckpointHeader['tensors'] = [];
  let offset = 0;
  for (const e of entries) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.bytes.length !== size * 4) throw new Error(`checkpoint: tensor ${e.name} has ${e.bytes.length} bytes, its shape [${e.shape.join(', ')}] needs ${size * 4}`);
    for (const name of [e.name, ...(e.aliases ?? [])]) tensors.push({ name, shape: [...e.shape], offset });
    offset += size;
  }
  const hb = new TextEncoder().encode(JSON.stringify({ ...head, tensors }));
  const payloadStart = (16 + hb.length + 3) & ~3;
  const total = payloadStart + offset * 4 + 4;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(8, CHECKPOINT_FORMAT, true);
  dv.setUint32(12, hb.length, true);
  out.set(hb, 16);
  let p = payloadStart;
  for (const e of entries) {
    out.set(e.bytes, p);
    p += e.bytes.length;
  }
  dv.setUint32(total - 4, crc32(out, total - 4), true);
  return out;
}

/** Serialises a network's structure and weights. `rule` and `meta` are recorded for provenance. */
export function encodeCheckpoint(net: Network, rule: string, meta: Record<string, unknown> = {}): Uint8Array {
  const entries = net.layers.flatMap((l) => [
    { name: `W${l.index}`, shape: l.W.shape, bytes: tensorBytes(l.W) },
    { name: `b${l.index}`, shape: l.b.shape, bytes: tensorBytes(l.b) },
  ]);
  return encodeTensorFile(networkHeader(net, rule, meta), entries);
}

/**
 * Parses and verifies a checkpoint; throws a clear error naming `source` for any defect. `payload` holds
 * the float32 values, `raw` the same payload as bytes (little-endian, every bit as written).
 */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): { header: CheckpointHeader; payload: Float32Array; raw: Uint8Array } {
  const fail = (what: string): never => {
    throw new Error(`${source}: not a valid bioprop network file: ${what}`);
  };
  if (bytes.length < 20) fail(`only ${bytes.length} bytes (truncated)`);
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC[i]) fail('bad magic (expected "BIOPROP\\0")');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== CHECKPOINT_FORMAT) fail(`format version ${version}, this library reads version ${CHECKPOINT_FORMAT}`);
  const stored = dv.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes, bytes.length - 4);
  if (stored !== actual) fail(`checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)}): the file is truncated or corrupted`);
  const hlen = dv.getUint32(12, true);
  if (16 + hlen > bytes.length - 4) fail(`header length ${hlen} runs past the end of the file`);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen))) as CheckpointHeader;
  } catch (e) {
    return fail(`unreadable header (${(e as Error).message})`);
  }
  const payloadStart = (16 + hlen + 3) & ~3;
  const floats = (bytes.length - 4 - payloadStart) / 4;
  if (!Number.isInteger(floats) || floats < 0) fail('payload is not a whole number of float32 values');
  const need = header.tensors.reduce((s, t) => Math.max(s, t.offset + t.shape.reduce((a, b) => a * b, 1)), 0);
  if (need !== floats) fail(`payload holds ${floats} values, the header describes ${need}`);
  const payload = new Float32Array(floats);
  for (let i = 0; i < floats; i++) payload[i] = dv.getFloat32(payloadStart + 4 * i, true);
  return { header, payload, raw: bytes.subarray(payloadStart, payloadStart + floats * 4) };
}

/** The simulator options a spiking run saved (meta.spiking), or null for a rate network. */
export function checkpointSpiking(header: CheckpointHeader): SpikingOptions | null {
  const sp = header.meta.spiking;
  return sp && typeof sp === 'object' ? (sp as SpikingOptions) : null;
}

/**
 * Rebuilds a network from a checkpoint, for `batch` rows per pass. A network saved from a spiking run
 * (meta.spiking: its simulator options) comes back as a SpikingNetwork with the same neurons, steps and
 * encoder, unless `rate` is set (the same weights in the plain rate network); `sim` replaces the window,
 * the input code or the step the readout starts at that it was trained with (how accuracy depends on the
 * time and the input a spiking network is given).
 */
export function networkFromCheckpoint(
  lib: Backend, file: Uint8Array | ReturnType<typeof decodeCheckpoint>, batch: number, source = 'checkpoint',
  o: { rate?: boolean; sim?: Pick<SpikingOptions, 'steps' | 'encoder' | 'readoutStart'> } = {},
): { net: Network; header: CheckpointHeader } {
  const { header, payload } = file instanceof Uint8Array ? decodeCheckpoint(file, source) : file; // bytes, or a file decoded already
  const saved = o.rate ? null : checkpointSpiking(header);
  const over = Object.fromEntries(Object.entries(o.sim ?? {}).filter(([, v]) => v !== undefined));
  const spiking = saved ? { ...saved, ...over } : saved;
  const opts = {
    sizes: header.arch ? [header.sizes[0]!, header.sizes[header.sizes.length - 1]!] : header.sizes, activation: header.activations,
    outputActivation: header.outputActivation, loss: header.loss, bias: header.bias, init: header.init, batch, seed: header.seed,
    ...(header.arch ? { arch: header.arch, inputShape: header.inputShape ?? undefined } : {}),
  };
  const net = spiking ? new SpikingNetwork(lib, { ...opts, spiking }) : new Network(lib, opts);
  try {
    for (const l of net.layers) {
      for (const [name, t] of [[`W${l.index}`, l.W], [`b${l.index}`, l.b]] as const) {
        const rec = header.tensors.find((x) => x.name === name);
        if (!rec) throw new Error(`${source}: tensor ${name} missing from the file`);
        if (rec.shape.length !== t.shape.length || rec.shape.some((d, i) => d !== t.shape[i])) {
          throw new Error(`${source}: tensor ${name} is [${rec.shape.join(', ')}] in the file, the network needs [${t.shape.join(', ')}]`);
        }
        t.set(payload.subarray(rec.offset, rec.offset + t.size));
      }
    }
  } catch (e) {
    net.dispose();
    throw e;
  }
  return { net, header };
}
