// Every rule that learns from rates and derivatives on a SpikingNetwork (a spiking form with simulator
// settings, neither spiking-only nor simulating its own neurons): with its spiking defaults (the form's
// window, shortened; its training overrides) the loss falls on a seeded spiking task, and the same seed
// gives the same weights. Resuming is covered for the same forms by tests/train/resume.test.ts
// (tests/helpers/rule-cases.ts lists every spiking form).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { blobs } from '../helpers/synthetic.js';
import { rules } from '../../src/rules/index.js';
import { ruleForm } from '../../src/rules/form.js';
import { SpikingNetwork } from '../../src/net/spiking.js';
import { Trainer } from '../../src/train/trainer.js';

const EPOCHS = 10;

/** Variants a rule's parameters select, run besides its defaults. */
const VARIANTS: Record<string, Record<string, unknown>[]> = { sign: [{ variant: 'frsf' }, { variant: 'brsf' }, { manhattan: true }] };

for (const [id, rule] of Object.entries(rules)) {
  const form = ruleForm(rule, true);
  if (!form.sim || rule.spiking?.only) continue;
  for (const ruleParams of [{}, ...(VARIANTS[id] ?? [])]) {
    test(`${id} spiking ${JSON.stringify(ruleParams)}: with its spiking defaults the loss falls on a seeded spiking task; same seed, same weights`, async () => {
      const lib = await backend();
      const train = blobs(lib, 600, 1); // 600 examples of 4 classes, balanced (the chance bound below)
      const d = form.train;
      const run = () => {
        // 40-step windows: the form's neurons, encoder and rates, a shorter window.
        const net = new SpikingNetwork(lib, {
          sizes: [20, 24, 24, 4], activation: d.activation, init: d.init, batch: 30, seed: 5,
          spiking: { ...form.sim, steps: 40 },
        });
        const tr = new Trainer(lib, net, rule, {
          optimizer: d.optimizer, lr: d.lr, momentum: d.momentum, weightDecay: d.weightDecay, schedule: d.schedule, epochs: EPOCHS, ruleParams,
        });
        const r = tr.fit(train, { epochs: EPOCHS });
        const w = net.layers.map((l) => Array.from(l.W.data));
        net.dispose();
        return { r, w };
      };
      const a = run(), b = run();
      const first = a.r.history[0]!.trainLoss, last = a.r.history[EPOCHS - 1]!.trainLoss;
      assert.ok(Number.isFinite(last) && last < first, `loss ${first} → ${last}`);
      // Learning, not drift: the last epoch classifies its 600 examples above chance (1/4) by more than four
      // binomial standard deviations. The loss alone is no measure for the reward-driven rules (agrel,
      // qagrel): they raise the chosen class's reward, and their cross-entropy can fall slowly while the
      // accuracy climbs.
      const chance = 1 / 4, n = 600, acc = a.r.history[EPOCHS - 1]!.trainAccuracy;
      assert.ok(acc > chance + 4 * Math.sqrt((chance * (1 - chance)) / n), `last epoch's training accuracy ${acc}, chance ${chance}`);
      assert.equal(a.w, b.w, 'bit-identical weights for the same seed');
      train.dispose();
    });
  }
}

test.run();
