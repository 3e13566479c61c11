// Node-only file access for datasets: read an IDX file (raw or gzip, detected by the 1f 8b magic) and
// find dataset files in a folder. Node modules are imported dynamically so that bundling this module
// for a browser does not fail; calling these functions outside Node throws a clear error.
import { type Idx, isGzip, parseIdx, idxDeclaredSize, gzipBombError, MAX_IDX_FILE_BYTES } from './idx.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

function needNode(what: string): void {
  if (!isNode) throw new Error(`${what} reads files and needs Node; in a browser fetch the bytes and use decodeIdx()`);
}

/**
 * Gunzips an IDX file with node:zlib, bounded by the size its header declares: the first bytes are
 * decompressed alone to read the header, then zlib's maxOutputLength stops the whole stream the moment
 * it passes that size (gzipBombError), so a small file that expands to gigabytes costs nothing. A
 * corrupt stream becomes an Error naming the file.
 */
export async function gunzipNode(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  needNode('gunzipNode');
  const zlib = await import('node:zlib');
  const { constants: bufferConstants } = await import('node:buffer');
  let declared: number | null = null;
  try {
    // A sync flush decompresses what these bytes hold without asking for the end of the stream.
    const head = zlib.gunzipSync(bytes.subarray(0, HEAD_INPUT_BYTES), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    declared = idxDeclaredSize(new Uint8Array(head.buffer, head.byteOffset, head.byteLength), name);
  } catch (e) {
    if ((e as Error).message.startsWith(`${name}: `)) throw e; // a bad IDX header
    throw new Error(`${name}: corrupt gzip stream (${(e as Error).message})`);
  }
  const limit = Math.min(declared ?? MAX_IDX_FILE_BYTES, bufferConstants.MAX_LENGTH);
  return new Promise((resolve, reject) => {
    zlib.gunzip(bytes, { maxOutputLength: limit }, (err, out) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        reject(declared === null ? new Error(`${name}: the gzip stream expands past ${limit} bytes, more than an IDX file may hold`) : gzipBombError(name, limit));
      } else if (err) {
        reject(new Error(`${name}: corrupt gzip stream (${err.message})`));
      } else {
        resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
      }
    });
  });
}

/** Compressed bytes decompressed to read an IDX header (at most 68 bytes of output; deflate needs far fewer). */
const HEAD_INPUT_BYTES = 4096;

/** Reads and parses an IDX file, gunzipping it first when it starts with 1f 8b. Errors name the path. */
export async function readIdxFile(path: string): Promise<Idx> {
  needNode('readIdxFile');
  const { readFile } = await import('node:fs/promises');
  let buf: Uint8Array;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  }
  let bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (isGzip(bytes)) bytes = await gunzipNode(bytes, path);
  return parseIdx(bytes, path);
}

/**
 * For each base name, the path of `dir/base` or else `dir/base.gz` (the first that is a file), or null
 * when neither exists.
 */
export async function findFiles(dir: string, bases: readonly string[]): Promise<(string | null)[]> {
  needNode('findFiles');
  const { stat } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const isFile = (p: string) => stat(p).then((s) => s.isFile(), () => false);
  return Promise.all(
    bases.map(async (base) => {
      for (const p of [join(dir, base), join(dir, `${base}.gz`)]) if (await isFile(p)) return p;
      return null;
    }),
  );
}

/** The four files of an MNIST-format dataset, in the order train images, train labels, test images, test labels. */
export const IDX_BASES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;

/** The four decoded files of an MNIST-format dataset and their paths (for error messages). */
export interface IdxSet {
  trainImages: Idx;
  trainLabels: Idx;
  testImages: Idx;
  testLabels: Idx;
  paths: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
}

/**
 * Reads the four MNIST-format files from `dir` (raw or .gz). When any is missing, throws
 * `${what} not found in ${dir}: ${hint} … (missing: …)`.
 */
export async function readIdxSet(dir: string, what: string, hint: string): Promise<IdxSet> {
  const found = await findFiles(dir, IDX_BASES);
  const missing = IDX_BASES.filter((_, i) => found[i] === null);
  if (missing.length > 0) {
    const wanted = IDX_BASES.map((b) => `${b}(.gz)`).join(', ');
    throw new Error(`${what} not found in ${dir}: ${hint} ${wanted} (missing: ${missing.map((b) => `${b}(.gz)`).join(', ')})`);
  }
  const [a, b, c, d] = found as string[];
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([a!, b!, c!, d!].map(readIdxFile));
  return {
    trainImages: trainImages!,
    trainLabels: trainLabels!,
    testImages: testImages!,
    testLabels: testLabels!,
    paths: { trainImages: a!, trainLabels: b!, testImages: c!, testLabels: d! },
  };
}
