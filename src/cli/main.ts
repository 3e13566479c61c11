// The `bioprop` command line. Commands arrive with the training issue; until then, `demo` runs the kernels.
import { load } from '../index.js';

const [cmd] = process.argv.slice(2);
if (cmd === 'demo' || cmd === undefined) {
  const lib = await load();
  const x = lib.tensor([4], [1, 2, 3, 4]);
  const y = lib.tensor([4], [10, 20, 30, 40]);
  lib.axpy(y, 0.5, x);
  console.log(`axpy: y = 0.5 x + y = [${Array.from(y.data).join(', ')}]`);
  x.dispose();
  y.dispose();
} else {
  console.error(`bioprop: unknown command '${cmd}'`);
  process.exit(2);
}
