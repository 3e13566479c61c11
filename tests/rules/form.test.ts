// A run's form (src/rules/form.ts): what the CLI, the browser worker, the report's run keys and the test
// cases derive from Rule.spiking, for each kind of rule.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rules, registerRule } from '../../src/rules/index.js';
import { SPIKING_PARTS, defineRule } from '../../src/rules/types.js';
import { ruleForm, ruleDefaults, spikingObjections } from '../../src/rules/form.js';

test('a rate-only rule stays rate even when spiking is asked for (the CLI rejects --spiking before)', () => {
  const rateOnly = defineRule({ ...rules.bp!, id: 'rate-only', spiking: undefined, noSpiking: 'a reason' });
  const f = ruleForm(rateOnly, true);
  assert.is(f.spiking, false);
  assert.is(f.sim, null);
  assert.equal(f.train, rateOnly.train);
});

test('a rule with a spiking form on a SpikingNetwork: its paper settings and training overrides only when asked', () => {
  const fa = rules.fa!;
  const rate = ruleForm(fa, false);
  assert.is(rate.spiking, false);
  assert.is(rate.sim, null);
  assert.is(rate.train.lr, fa.train.lr);
  const spk = ruleForm(fa, true);
  assert.is(spk.spiking, true);
  assert.equal(spk.sim, fa.spiking!.sim);
  assert.is(spk.train.lr, fa.spiking!.train!.lr);
  assert.is(spk.train.hidden, fa.train.hidden);
  assert.equal(spk.ruleParams, {});
});

test("a rule's convolutional defaults apply to a network with convolutions only, and its spiking overrides on top", () => {
  const base = rules.bp!;
  const r = defineRule({ ...base, id: 'conv-defaults', defaults: { a: 1, b: 2 }, convDefaults: { train: { lr: 0.3, epochs: 7 }, params: { b: 5 } } });
  assert.equal(ruleForm(r, false).train, base.train);
  assert.equal(ruleForm(r, false, {}, true).train, { ...base.train, lr: 0.3, epochs: 7 });
  assert.equal(ruleForm(r, true, {}, true).train, { ...base.train, lr: 0.3, epochs: 7, ...base.spiking!.train });
  assert.equal(ruleForm(r, false, { b: 9 }, true).ruleParams, { b: 9 }, 'the given parameters, which the Trainer lays over the defaults');
  assert.equal(ruleDefaults(r, false), { a: 1, b: 2 });
  assert.equal(ruleDefaults(r, true), { a: 1, b: 5 });
});

test("a rule's convolutional spiking defaults apply to a spiking network with convolutions only, over the spiking form's", () => {
  const base = rules.fa!;
  const r = defineRule({ ...base, id: 'conv-spiking-defaults', convDefaults: { train: { lr: 0.3 }, spiking: { train: { lr: 0.02, batch: 20 }, sim: { steps: 150, gain: 2 } } } });
  const form = base.spiking!;
  assert.equal(ruleForm(r, true, {}, true).train, { ...base.train, ...form.train, lr: 0.02, batch: 20 }, "the conv spiking recipe over the spiking form over the conv recipe");
  assert.equal(ruleForm(r, true, {}, true).sim, { ...form.sim, steps: 150, gain: 2 });
  assert.equal(ruleForm(r, true, {}, false).sim, form.sim, 'dense spiking: the form alone');
  assert.equal(ruleForm(r, true, {}, false).train, { ...base.train, ...form.train });
  assert.equal(ruleForm(r, false, {}, true).train, { ...base.train, lr: 0.3 }, 'conv rate: no spiking override');
  assert.is(ruleForm(r, false, {}, true).sim, null);
});

test('a spiking-only rule runs spiking whether or not it is asked', () => {
  for (const id of ['superspike', 'erbp', 'nef']) {
    const f = ruleForm(rules[id]!, false);
    assert.is(f.spiking, true, id);
    assert.equal(f.sim, rules[id]!.spiking!.sim, id);
  }
});

test("a rule with its own neurons: no SpikingNetwork, its 'spiking' parameter set, its spiking-only parameters unused in a rate run", () => {
  const d = rules.dendrites!;
  const asked = ruleForm(d, true, { etaHidden: 5 });
  assert.is(asked.spiking, true);
  assert.is(asked.sim, null);
  assert.equal(asked.ruleParams, { etaHidden: 5, spiking: true });
  assert.equal(asked.train.batch, d.spiking!.train!.batch);
  assert.equal(asked.unused, []);
  assert.equal(asked.implied, ['spiking']);
  const byParam = ruleForm(d, false, { spiking: true });
  assert.is(byParam.spiking, true, '--param spiking=true asks for the spiking form too');
  assert.equal(byParam.train.batch, d.spiking!.train!.batch);
  const rate = ruleForm(d, false);
  assert.is(rate.spiking, false);
  assert.equal(rate.ruleParams, {});
  assert.equal(rate.unused, d.spiking!.own);
  assert.equal(rate.train, d.train);
});

test('every spiking form says what is spiking in it, part by part; a rule without one may say why', () => {
  for (const r of Object.values(rules)) {
    if (!r.spiking) continue;
    for (const k of SPIKING_PARTS) assert.ok(typeof r.spiking.parts[k] === 'string' && r.spiking.parts[k].length > 20, `${r.id}: spiking.parts.${k}`);
    assert.is(r.noSpiking, undefined, `${r.id} has a spiking form and a reason for having none`);
  }
});

test('registerRule refuses a spiking form that does not describe its parts, and a noSpiking beside a spiking form', () => {
  const base = { ...rules.fa!, id: 'parts-check' };
  const { parts: _parts, ...noParts } = rules.fa!.spiking!;
  assert.throws(() => registerRule({ ...base, spiking: noParts as never }), /registerRule 'parts-check': spiking\.parts must say .* missing or empty: forward, feedback, error, update/);
  assert.throws(() => registerRule({ ...base, spiking: { ...rules.fa!.spiking!, parts: { ...rules.fa!.spiking!.parts, error: ' ' } } }), /missing or empty: error$/);
  assert.throws(() => registerRule({ ...base, noSpiking: 'a reason' }), /noSpiking must be the reason a rule without a spiking form/);
  // The same for the convolutional form: a reason for lacking one only when conv is unset.
  assert.throws(() => registerRule({ ...base, noConv: 'a reason' }), /registerRule 'parts-check': noConv must be the reason a rule without a convolutional form has none \(a non-empty string, and conv unset\), got "a reason"/);
  assert.throws(() => registerRule({ ...base, conv: undefined, noConv: ' ' }), /noConv must be the reason/);
  assert.is(rules['parts-check'], undefined);
});

test("a spiking form's objections: checked by registerRule, carried into the report's rule metadata", async () => {
  const base = { ...rules.fa!, id: 'objections-check' };
  assert.throws(() => registerRule({ ...base, spiking: { ...rules.fa!.spiking!, objections: { removes: ['spikes' as never] } } }), /spiking\.objections\.removes must be a list of weightTransport/);
  const { ruleMeta } = await import('../../src/report/config.js');
  assert.equal(ruleMeta(rules.fa!).spikingObjections, { removes: ['weightTransport'], partly: ['spiking'] });
  // bp's spiking form (BPTT) has spikes forward, a non-local backward: the spiking objection in part.
  assert.equal(ruleMeta(rules.bp!).spikingObjections, { removes: [], partly: ['spiking'] });
  assert.is(ruleMeta(rules.erbp!).spikingObjections, undefined, 'a spiking-only rule: no separate claim');
  // Every form run on a SpikingNetwork removes the spiking objection at least in part.
  for (const r of Object.values(rules)) {
    if (!r.spiking || r.spiking.only || r.spiking.own) continue;
    const so = spikingObjections(r)!;
    assert.ok(so.partly.includes('spiking') || so.removes.includes('spiking'), `${r.id}: its spiking form removes the spiking objection at least in part`);
    assert.equal(so.removes, [...(r.spiking.objections ?? r.objections).removes], r.id);
  }
  // A spiking-only rule's form is the rule: no separate claim.
  assert.equal(spikingObjections(rules.erbp!), { removes: [...rules.erbp!.objections.removes], partly: [...(rules.erbp!.objections.partly ?? [])] });
  assert.is(spikingObjections(defineRule({ ...rules.fa!, id: 'no-form', spiking: undefined })), null);
});

test.run();
