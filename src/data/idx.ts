// IDX files (LeCun's MNIST container): parse, validate, and pair images with labels. Browser-safe:
// nothing here imports a Node module; gzip is decoded with DecompressionStream (decodeIdx). Node's file
// reading (and node:zlib) lives in src/data/node.ts.
//
// Layout: byte 0-1 = 0x00 0x00, byte 2 = type code (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32,
// 0x0E f64), byte 3 = number of dimensions d; then d big-endian u32 sizes; then the elements, row-major,
// big-endian for multi-byte types. A valid file is exactly 4 + 4d + size(type)·Πdims bytes long.

export type IdxDtype = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: element type, dimensions (outermost first) and the elements in row-major order. */
export interface Idx {
  dtype: IdxDtype;
  dims: number[];
  data: IdxData;
}

const TYPES: Record<number, { dtype: IdxDtype; bytes: number }> = {
  0x08: { dtype: 'u8', bytes: 1 },
  0x09: { dtype: 'i8', bytes: 1 },
  0x0b: { dtype: 'i16', bytes: 2 },
  0x0c: { dtype: 'i32', bytes: 4 },
  0x0d: { dtype: 'f32', bytes: 4 },
  0x0e: { dtype: 'f64', bytes: 8 },
};

/** The IDX type code of each dtype (for writers, e.g. tests). */
export const IDX_TYPE_CODES: Readonly<Record<IdxDtype, number>> = { u8: 0x08, i8: 0x09, i16: 0x0b, i32: 0x0c, f32: 0x0d, f64: 0x0e };

/** More dimensions than this is not a dataset but a corrupt header. */
const MAX_DIMS = 16;
/** Largest payload we accept: what a 32-bit WebAssembly memory (and a JS ArrayBuffer) can reasonably hold. */
const MAX_BYTES = 2 ** 32;

const hex = (b: number) => b.toString(16).padStart(2, '0');

/** True when `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

interface IdxHeader {
  type: { dtype: IdxDtype; bytes: number };
  dims: number[];
  /** Header bytes (4 + 4 per dimension). */
  header: number;
  /** Elements. */
  count: number;
  /** Data bytes. */
  payload: number;
}

/**
 * Reads and checks an IDX header from the start of a file: null when `bytes` is too short to hold it
 * all, an Error naming the file for a bad magic, type code or dimensions.
 */
function readHeader(bytes: Uint8Array, name: string): IdxHeader | null {
  if (bytes.length < 4) return null;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${name}: bad magic: first bytes are ${hex(bytes[0]!)} ${hex(bytes[1]!)}, expected 00 00 (not an IDX file)`);
  }
  const code = bytes[2]!;
  const type = TYPES[code];
  if (type === undefined) {
    throw new Error(`${name}: unknown IDX type code 0x${hex(code)} (expected 0x08 u8, 0x09 i8, 0x0b i16, 0x0c i32, 0x0d f32 or 0x0e f64)`);
  }
  const ndims = bytes[3]!;
  if (ndims === 0) throw new Error(`${name}: zero dimensions in the IDX header`);
  if (ndims > MAX_DIMS) throw new Error(`${name}: absurd number of dimensions ${ndims} in the IDX header (at most ${MAX_DIMS})`);
  const header = 4 + 4 * ndims;
  if (bytes.length < header) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const shape = `[${dims.join(', ')}]`;
  const zero = dims.indexOf(0);
  if (zero >= 0) throw new Error(`${name}: dimension ${zero} of ${shape} is 0 (an empty IDX file is not a dataset)`);
  const payload = count * type.bytes;
  if (payload > MAX_BYTES) {
    throw new Error(`${name}: absurd dimensions ${shape} of ${type.dtype}: ${payload} bytes, more than ${MAX_BYTES} (corrupt header?)`);
  }
  return { type, dims, header, count, payload };
}

/** The largest IDX file parseIdx accepts (the largest header and payload): the bound before a header is known. */
export const MAX_IDX_FILE_BYTES = 4 + 4 * MAX_DIMS + MAX_BYTES;

/**
 * The size in bytes an IDX file declares (header + data), read from its first bytes: what its gzip stream
 * may expand to at most, so decompression can stop there. Null when `prefix` is too short to hold the
 * header; throws parseIdx's error for a bad header.
 */
export function idxDeclaredSize(prefix: Uint8Array, name: string): number | null {
  const h = readHeader(prefix, name);
  return h === null ? null : h.header + h.payload;
}

/** The refusal of a gzip stream that expands past what its IDX header declares (a corrupt file or a decompression bomb). */
export function gzipBombError(name: string, declared: number): Error {
  return new Error(`${name}: the gzip stream expands to more than the ${declared} bytes its IDX header declares; ` +
    'refused without decompressing the rest (a corrupt file or a decompression bomb)');
}

/**
 * Parses an uncompressed IDX file. `name` (a path or file name) is used in every error. u8 and i8 data
 * are views over `bytes` (no copy); multi-byte types are decoded from big-endian into new arrays.
 * Throws on: gzip bytes, bad magic, unknown type code, zero/absurd dimensions, truncated or oversized files.
 */
export function parseIdx(bytes: Uint8Array, name: string): Idx {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${name}: parseIdx expects a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (isGzip(bytes)) {
    throw new Error(`${name}: looks gzip-compressed (starts with 1f 8b); decompress it first (readIdxFile and decodeIdx do)`);
  }
  if (bytes.length < 4) throw new Error(`${name}: too short for an IDX header (${bytes.length} bytes, need at least 4)`);
  const h = readHeader(bytes, name);
  if (h === null) {
    throw new Error(`${name}: truncated header: ${bytes[3]} dimensions need ${4 + 4 * bytes[3]!} header bytes, the file has ${bytes.length}`);
  }
  const { type, dims, header, count, payload } = h;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = `[${dims.join(', ')}]`;
  const expected = header + payload;
  if (bytes.length < expected) {
    throw new Error(
      `${name}: truncated: ${shape} ${type.dtype} needs ${expected} bytes (${header} header + ${payload} data), ` +
        `the file has ${bytes.length} (${expected - bytes.length} missing)`,
    );
  }
  if (bytes.length > expected) {
    throw new Error(
      `${name}: oversized: ${shape} ${type.dtype} needs ${expected} bytes (${header} header + ${payload} data), ` +
        `the file has ${bytes.length} (${bytes.length - expected} bytes of trailing garbage)`,
    );
  }
  const off = bytes.byteOffset + header;
  let data: IdxData;
  switch (type.dtype) {
    case 'u8':
      data = new Uint8Array(bytes.buffer, off, count);
      break;
    case 'i8':
      data = new Int8Array(bytes.buffer, off, count);
      break;
    case 'i16': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt16(header + 2 * i, false);
      data = a;
      break;
    }
    case 'i32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(header + 4 * i, false);
      data = a;
      break;
    }
    case 'f32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(header + 4 * i, false);
      data = a;
      break;
    }
    case 'f64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(header + 8 * i, false);
      data = a;
      break;
    }
  }
  return { dtype: type.dtype, dims, data };
}

/**
 * Encodes an IDX file (the inverse of parseIdx): for tests, synthetic data and caching. `dims` must
 * multiply to `data.length`.
 */
export function encodeIdx(dtype: IdxDtype, dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  const type = TYPES[IDX_TYPE_CODES[dtype]]!;
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeIdx: dims [${dims.join(', ')}] hold ${count} elements, data has ${data.length}`);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * type.bytes);
  const view = new DataView(out.buffer);
  out[2] = IDX_TYPE_CODES[dtype];
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const v = data[i]!, o = header + i * type.bytes;
    switch (dtype) {
      case 'u8': view.setUint8(o, v); break;
      case 'i8': view.setInt8(o, v); break;
      case 'i16': view.setInt16(o, v, false); break;
      case 'i32': view.setInt32(o, v, false); break;
      case 'f32': view.setFloat32(o, v, false); break;
      case 'f64': view.setFloat64(o, v, false); break;
    }
  }
  return out;
}

/**
 * Gunzips with the platform's DecompressionStream (browsers, Deno, Node ≥ 18), chunk by chunk: once the
 * IDX header is out, output past the size it declares is refused at once (gzipBombError). Errors name
 * the file.
 */
export async function gunzipStream(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new Error(`${name}: is gzip-compressed and this engine has no DecompressionStream; decompress it first`);
  }
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let limit = MAX_IDX_FILE_BYTES;
  let known = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (!known) {
        const declared = idxDeclaredSize(concat(chunks, Math.min(total, 4 + 4 * MAX_DIMS)), name);
        if (declared !== null) [limit, known] = [declared, true];
      }
      if (total > limit) throw known ? gzipBombError(name, limit) : new Error(`${name}: the gzip stream expands past ${limit} bytes, more than an IDX file may hold`);
    }
  } catch (e) {
    void reader.cancel().catch(() => {});
    if (e instanceof Error && e.message.startsWith(`${name}: `)) throw e;
    // Some engines reject a stream cut short with an empty message.
    throw new Error(`${name}: corrupt gzip stream (${(e as Error).message || 'damaged, or it ends early'})`);
  }
  return concat(chunks, total);
}

/** The first `n` bytes of `chunks` joined (all of them when n is their total). */
function concat(chunks: readonly Uint8Array[], n: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === n) return chunks[0]!;
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    if (off >= n) break;
    const part = c.subarray(0, n - off);
    out.set(part, off);
    off += part.length;
  }
  return out;
}

/**
 * Decodes IDX bytes that may be gzip-compressed (detected by the 1f 8b magic), without Node modules:
 * the browser path (fetch → arrayBuffer → decodeIdx).
 */
export async function decodeIdx(buffer: ArrayBuffer | Uint8Array, name: string): Promise<Idx> {
  let bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (isGzip(bytes)) bytes = await gunzipStream(bytes, name);
  return parseIdx(bytes, name);
}

/** What an image/label pair must look like. Defaults: MNIST's 28 × 28 images and 10 classes. */
export interface PairShape {
  rows?: number;
  cols?: number;
  classes?: number;
}

/**
 * Checks that `images` is [N, rows, cols] u8 and `labels` is [N] u8 with every label < classes.
 * Errors name both files. Returns N.
 */
export function checkPair(images: Idx, labels: Idx, imagesName: string, labelsName: string, shape: PairShape = {}): number {
  const { rows = 28, cols = 28, classes = 10 } = shape;
  const pair = `${imagesName} / ${labelsName}`;
  if (images.dtype !== 'u8' || images.dims.length !== 3 || images.dims[1] !== rows || images.dims[2] !== cols) {
    throw new Error(`${pair}: images ${imagesName} are [${images.dims.join(', ')}] ${images.dtype}, expected [N, ${rows}, ${cols}] u8`);
  }
  if (labels.dtype !== 'u8' || labels.dims.length !== 1) {
    throw new Error(`${pair}: labels ${labelsName} are [${labels.dims.join(', ')}] ${labels.dtype}, expected [N] u8`);
  }
  const n = images.dims[0]!;
  if (labels.dims[0] !== n) {
    throw new Error(`${pair}: ${n} images in ${imagesName} but ${labels.dims[0]} labels in ${labelsName}`);
  }
  const l = labels.data as Uint8Array;
  for (let i = 0; i < l.length; i++) {
    if (l[i]! >= classes) {
      throw new Error(`${pair}: label ${i} in ${labelsName} is ${l[i]}, expected < ${classes} classes`);
    }
  }
  return n;
}
