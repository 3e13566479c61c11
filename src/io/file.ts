// Node file I/O for checkpoints: atomic writes (temp file in the same folder, fsync, rename), so a
// crash never leaves a half-written network file under the target name.
import { open, rename, unlink, readFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw new Error(`save: could not write ${path}: ${(e as Error).message}`);
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw new Error(`save: could not move the new file into place at ${path}: ${(e as Error).message}`);
  }
}

export async function readFileBytes(path: string, what = 'file'): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${what} not found: ${path}` : `could not read ${what} ${path}: ${(e as Error).message}`);
  }
}
