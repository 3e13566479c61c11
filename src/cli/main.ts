// The `bioprop` command line: train | eval | rules | demo. User errors print one line and exit non-zero
// (2 for usage, 1 otherwise), without a stack trace unless BIOPROP_DEBUG is set.
import { train, TRAIN_HELP } from './train.js';
import { evaluate, EVAL_HELP } from './eval.js';
import { listRules } from './rules.js';
import { demo } from './demo.js';
import { compare } from './compare.js';
import { worker } from './worker.js';
import { UsageError } from './args.js';
import { VERSION } from '../version.js';

const HELP = `bioprop ${VERSION} — biologically plausible alternatives to backprop, on a WebAssembly SIMD core

usage: bioprop <command> [flags]

  train     train a network with a learning rule on MNIST or Fashion-MNIST
  eval      evaluate a saved network
  rules     list the learning rules and the objections each removes
  compare   sweep rules × depths × rate/spiking × datasets × seeds and write the comparison report
  worker    train the runs of a sweep queued on Redis ('compare --queue'), on any machine
  demo      run the kernels on a small example

'bioprop <command> --help' shows a command's flags.

${TRAIN_HELP}
${EVAL_HELP}`;

const commands: Record<string, (argv: string[]) => Promise<void>> = { train, eval: evaluate, rules: listRules, demo, compare, worker };

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const run = Object.hasOwn(commands, cmd) ? commands[cmd] : undefined;
  if (!run) {
    process.stderr.write(`bioprop: unknown command '${cmd}' (commands: ${Object.keys(commands).join(', ')}; see 'bioprop --help')\n`);
    return 2;
  }
  try {
    await run(rest);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bioprop ${cmd}: ${e.message}\n`);
      return 2;
    }
    // Every other error is reported as one line (data missing, corrupt file, divergence, …); set
    // BIOPROP_DEBUG=1 to see the stack trace of an unexpected one.
    if (process.env.BIOPROP_DEBUG) throw e;
    process.stderr.write(`bioprop ${cmd}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

// A closed stdout (`bioprop compare --dry-run | head`) ends the command quietly, as Unix tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
