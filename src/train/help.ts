// The `bioprop train` command's flags and their help: the CLI prints it, and a queue worker reads its
// flag table from it (src/queue/job.ts), so the two cannot drift apart.
import { rules } from '../rules/index.js';
import { ENCODERS } from '../encode/index.js';
import { OPTIMIZERS } from '../optim/optimizers.js';
import { SCHEDULES } from '../optim/schedules.js';
import { INIT_SCHEMES } from '../net/init.js';
import { ACT_NAMES as ACTIVATION_NAMES } from '../activations.js';
import { DATASETS } from '../data/index.js';

/** The registered rules with a convolutional form. */
export const convRules = (): string => Object.values(rules).filter((r) => r.conv).map((r) => r.id).join(', ');

export const TRAIN_HELP = `bioprop train — train a network with a learning rule

  --rule ID            learning rule (default bp; 'bioprop rules' lists them)
  --plugin FILE        load rules of your own from FILE, an ES module whose default export is a rule
                       or a list of rules (repeatable; docs/custom-rule.md)
  --dataset NAME       ${DATASETS.join(' | ')} (default mnist)
  --hidden LIST        hidden layer sizes, e.g. 256,256,256, or none (default: the rule's)
  --arch SPEC          hidden layers as a layer list instead of --hidden: lenet5, or e.g.
                       c6k5p2-p2-c16k5-p2-f120-f84 (c<channels>k<kernel>[s<stride>][p<padding>]
                       convolution, p<k> max / a<k> average pooling, f<units> dense; docs/conv.md);
                       convolutions train with ${convRules()}; spiking runs (--spiking, nef)
                       take average pooling only: lenet5avg is c6k5p2-a2-c16k5-a2-f120-f84
  --activation NAME    hidden nonlinearity: ${ACTIVATION_NAMES.join(', ')} (default: the rule's)
  --epochs N           (default: the rule's)
  --batch N            minibatch size (default: the rule's)
  --lr X               learning rate (default: the rule's)
  --optimizer NAME     ${OPTIMIZERS.join(' | ')} (default: the rule's)
  --momentum X         SGD momentum (default: the rule's)
  --weight-decay X     L2 weight decay (default: the rule's)
  --schedule NAME      ${SCHEDULES.join(' | ')} (default: the rule's)
  --init NAME          ${INIT_SCHEMES.join(' | ')} (default: the rule's)
  --param KEY=VALUE    a rule hyperparameter (repeatable)
  --spiking            run the network in spiking LIF neurons (rules with a spiking form; superspike,
                       erbp and nef always run spiking)
  --steps N            time steps per presentation window (default: the rule's)
  --dt SECONDS         simulation step (default: the rule's, 1e-3)
  --encoder NAME       ${ENCODERS.join(' | ')} input spike code (default: the rule's)
  --max-rate HZ        input rate for a pixel of 1 (default: the rule's)
  --seed N             (default 1)
  --threads N          threads for the large kernels (default: the machine's available parallelism, or
                       BIOPROP_THREADS; 'bioprop compare' runs its children on 1); results do not depend on it
  --validation N       carve N training examples out as a validation set and report on it instead of test
  --limit N            train on the first N examples only (quick runs)
  --test-limit N       evaluate on the first N test examples only (quick runs)
  --data-dir DIR       folder holding the dataset's IDX files
  --save FILE          write the trained network (atomic)
  --checkpoint FILE    write the training state to FILE after every epoch (atomic), to resume the run
                       with --resume after an interruption (bioprop eval --load also reads it)
  --resume             with --checkpoint: continue the run saved in FILE if it exists (it must have been
                       made by the same command: same rule, settings, data and seed), else start it;
                       the result is bit-identical to an uninterrupted run
  --resume-or-restart  as --resume, but a checkpoint made by another command (e.g. under defaults that
                       have changed since) is started afresh and overwritten instead of refused: what a
                       sweep wants of its own checkpoints
  --out FILE           write a JSON record of the run
  --align-every N      measure each layer's alignment to backprop every N batches (angles in the epoch
                       summary and the --out history; default off)
  --quiet              only the final summary
`;

