// `--plugin FILE`: rules written outside the package (docs/custom-rule.md). FILE is an ES module whose
// default export is a rule (defineRule({ … })) or a list of rules; each is registered before the rule
// names on the command line are checked, so `train --rule` and `compare` accept them.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './args.js';
import { registerRule } from '../rules/index.js';
import type { AnyRule } from '../rules/types.js';

/** Loads and registers the rules of each file; returns the files as absolute paths (for child runs). */
export async function loadPlugins(files: readonly string[], flag = '--plugin'): Promise<string[]> {
  const paths: string[] = [];
  for (const file of files) {
    const path = resolve(file);
    if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`${flag} ${file}: no such file`);
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    } catch (e) {
      throw new Error(`${flag} ${file}: could not load it: ${(e as Error).message}`);
    }
    const list = Array.isArray(mod.default) ? mod.default : [mod.default];
    if (mod.default === undefined || list.length === 0) {
      throw new UsageError(`${flag} ${file} exports no rule: give it 'export default defineRule({ … })' (see docs/custom-rule.md)`);
    }
    for (const rule of list) {
      try {
        registerRule(rule as AnyRule);
      } catch (e) {
        throw new UsageError(`${flag} ${file}: ${(e as Error).message}`);
      }
    }
    paths.push(path);
  }
  return paths;
}
