// Output paths checked before any work: a typo in --save or --out must not cost a whole training run.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './args.js';

const kind = (p: string) => {
  try {
    return statSync(p).isDirectory() ? 'folder' : 'file';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
};

function writable(flag: string, value: string, dir: string): void {
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--${flag} ${value}: cannot write into the folder ${dir}`);
  }
}

/**
 * `--flag FILE` will be written: FILE is not a folder, and its folder exists and is writable (with
 * `create`, the folder may be missing if it can be created: its nearest existing ancestor is a writable
 * folder).
 */
export function checkOutputFile(flag: string, value: string | undefined, o: { create?: boolean } = {}): void {
  if (value === undefined) return;
  if (value.trim() === '') throw new UsageError(`--${flag} is empty; give a file name`);
  const path = resolve(value);
  if (kind(path) === 'folder') throw new UsageError(`--${flag} ${value} is a folder; give a file name`);
  const dir = dirname(path);
  const k = kind(dir);
  if (k === 'missing' && o.create) return checkOutputDir(flag, dir, value);
  if (k === 'missing') throw new UsageError(`--${flag} ${value}: the folder ${dir} does not exist`);
  if (k !== 'folder') throw new UsageError(`--${flag} ${value}: ${dir} is ${k === 'file' ? 'a file, not a folder' : 'not readable'}`);
  writable(flag, value, dir);
}

/** `--flag DIR` will be created if missing and written into: checks the same before any work. */
export function checkOutputDir(flag: string, dir: string | undefined, shown = dir): void {
  if (dir === undefined) return;
  if (dir.trim() === '') throw new UsageError(`--${flag} is empty; give a folder`);
  let p = resolve(dir);
  for (;;) {
    const k = kind(p);
    if (k === 'folder') return writable(flag, shown!, p);
    if (k !== 'missing') throw new UsageError(`--${flag} ${shown}: ${p} is ${k === 'file' ? 'a file, not a folder' : 'not readable'}`);
    const up = dirname(p);
    if (up === p) throw new UsageError(`--${flag} ${shown}: no existing folder above it`);
    p = up;
  }
}
