// Tests that need something npm does not install (a Debian dataset, a browser, a Redis server). On a
// machine with only Node and npm such a test is registered with uvu's `test.skip`, so the summary counts
// it under "Skipped", and tests/run.js lists each skip with its reason and install command. CI sets
// BIOPROP_REQUIRE=all (or a comma-separated list of requirement names): a required test is registered
// normally and fails with the install hint when the thing is missing.
import { test } from 'uvu';
import { existsSync } from 'node:fs';
import { FASHION_DIR } from '../../src/data/index.js';

export interface Requirement {
  /** Short name, also the token BIOPROP_REQUIRE accepts. */
  readonly name: string;
  /** True when the thing is here. */
  readonly available: boolean;
  /** What is missing, in words. */
  readonly missing: string;
  /** The command that installs it. */
  readonly install: string;
}

export interface SkipNote { test: string; requirement: string; missing: string; install: string }

declare global {
  // eslint-disable-next-line no-var
  var BIOPROP_SKIPS: SkipNote[] | undefined;
}

/** Whether CI asked for `name` to be present (BIOPROP_REQUIRE=all, or a list naming it). */
export function required(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.BIOPROP_REQUIRE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return v.includes('all') || v.includes(name);
}

/** A requirement met when `path` exists. */
export function pathRequirement(name: string, path: string, missing: string, install: string): Requirement {
  return { name, available: existsSync(path), missing, install };
}

export const FASHION_MNIST: Requirement = pathRequirement(
  'fashion-mnist', FASHION_DIR, `Fashion-MNIST not found in ${FASHION_DIR}`, 'sudo apt-get install dataset-fashion-mnist',
);

/**
 * Registers `fn` as a uvu test when `req` is available or required; otherwise as a skipped test whose
 * reason tests/run.js prints.
 */
export function testNeeding(req: Requirement, name: string, fn: () => unknown): void {
  if (req.available || required(req.name)) {
    test(name, async () => {
      if (!req.available) throw new Error(`${req.missing} and BIOPROP_REQUIRE asks for ${req.name}: ${req.install}`);
      await fn();
    });
    return;
  }
  (globalThis.BIOPROP_SKIPS ??= []).push({ test: name, requirement: req.name, missing: req.missing, install: req.install });
  test.skip(name, async () => { await fn(); });
}
