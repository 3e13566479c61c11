// Node file I/O for checkpoints: atomic writes (temp file in the same folder, fsync, rename), so a
// crash never leaves a half-written network file under the target name.
import { readFile } from 'node:fs/promises';
import { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

let tmpCount = 0;
const tmpName = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.${tmpCount++}.tmp`);

/** writeFileAtomicSync for async callers (the CLI's --save / --out): one implementation of the protocol. */
export async function writeFileAtomic(path: string, bytes: Uint8Array, what = 'save'): Promise<void> {
  writeFileAtomicSync(path, bytes, what);
}

/**
 * Writes `bytes` to `path` atomically: temp file in the same folder, write, fsync, rename over `path`,
 * then fsync the folder (best effort) so the rename itself is durable. A failure leaves `path` as it was
 * and no temp file. Synchronous, so a checkpoint can be written from inside Trainer.fit's onEpoch.
 * `what` opens every error message (the operation or the flag, e.g. '--out').
 */
export function writeFileAtomicSync(path: string, bytes: Uint8Array, what = 'save'): void {
  const tmp = tmpName(path);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (e) {
    throw new Error(`${what}: could not write ${path}: ${(e as Error).message}`);
  }
  try {
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw new Error(`${what}: could not write ${path}: ${(e as Error).message}`);
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw new Error(`${what}: could not move the new file into place at ${path}: ${(e as Error).message}`);
  }
  try {
    const dfd = openSync(dirname(path), 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* not every platform can fsync a folder (Windows); the rename is done either way */ }
}

export async function readFileBytes(path: string, what = 'file'): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${what} not found: ${path}`);
    if (code === 'EISDIR') throw new Error(`${what} ${path} is a folder; give the file inside it`);
    throw new Error(`could not read ${what} ${path}: ${(e as Error).message}`);
  }
}
