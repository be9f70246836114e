import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parsePlan, stagePolicies, formatDuration } from '../lib/model';
import { checkPlan } from '../lib/review/check';
import { planView } from '../lib/review/plan-json';
import { stageDiff } from '../lib/review/diff-stages';
import { stackFromConfig } from '../lib/stacks';
import { runCli } from './support/cli';
import { copyOfStacks } from './support/example-stacks';
import { exampleConfig, examplePlanData, exampleStack } from './support/example-stacks';

/** fop-gate's plan data with `edit` applied to its stage `stage`. */
function fopGateWith(stage: string, edit: (s: Record<string, unknown>) => void): Record<string, any> {
  const data = examplePlanData('fop-gate');
  edit(data.stages.find((s: any) => s.name === stage));
  return data;
}

/** The messages a stack file with `plan` gets, naming the file and the key path. */
function stackProblems(plan: unknown): string[] {
  const config = { ...exampleConfig('fop-gate'), 'stepwise:plan': plan };
  try {
    stackFromConfig('fop-gate', 'stacks/Pulumi.fop-gate.yaml', config);
  } catch (error) {
    return (error as { errors: { message: string }[] }).errors.map((e) => e.message);
  }
  assert.fail('the stack was accepted');
}

describe('stage release policy', () => {
  test('soak, approval and onFailure are read per stage, with their defaults', () => {
    const data = fopGateWith('canary-widened', (s) => Object.assign(s, { soak: '1h30m', approval: 'required', onFailure: 'pause' }));
    const policies = stagePolicies(parsePlan(data));
    assert.deepEqual(policies[0], { stage: 'baseline', soakSeconds: 0, approvalRequired: false, onFailure: 'rollback', written: false });
    assert.deepEqual(policies[2], {
      stage: 'canary-widened',
      soakSeconds: 5400,
      approvalRequired: true,
      onFailure: 'pause',
      written: true,
    });
  });

  test('a duration is hours, minutes and seconds in that order', () => {
    for (const [written, seconds] of [
      ['30s', 30],
      ['5m', 300],
      ['2h', 7200],
      ['1m30s', 90],
      ['24h', 86400],
    ] as const) {
      const plan = parsePlan(fopGateWith('canary', (s) => (s.soak = written)));
      assert.equal(stagePolicies(plan)[1].soakSeconds, seconds, written);
    }
    assert.equal(formatDuration(5400), '1h30m');
    assert.equal(formatDuration(0), '0s');
  });

  test('a bad soak names the file, the key path under the plan and the fix', () => {
    for (const soak of ['5 minutes', 5, '30s5m', '', '25h']) {
      const messages = stackProblems(fopGateWith('canary', (s) => (s.soak = soak)));
      assert.equal(messages.length, 1, String(soak));
      assert.match(messages[0], /stacks\/Pulumi\.fop-gate\.yaml/);
      assert.match(messages[0], /config\.stepwise:plan\.stages\[1\]\.soak/);
      assert.match(messages[0], /30s, 5m or 1h30m|at most 24h/);
    }
  });

  test('a misspelt approval or onFailure value suggests the right one; a misspelt key too', () => {
    assert.match(
      stackProblems(fopGateWith('canary', (s) => (s.approval = 'requird')))[0],
      /stages\[1\]\.approval.*did you mean 'required'/,
    );
    assert.match(
      stackProblems(fopGateWith('canary', (s) => (s.onFailure = 'rollbak')))[0],
      /stages\[1\]\.onFailure.*did you mean 'rollback'/,
    );
    assert.match(
      stackProblems(fopGateWith('canary', (s) => (s.onfailure = 'pause')))[0],
      /stages\[1\]\.onfailure.*is not a known key.*did you mean 'onFailure'/,
    );
  });
});

describe('check: canary-widened-unwatched', () => {
  test('a stage that sends the new version more requests with no soak and no gate is a warning naming the stage and the fix', () => {
    const plan = parsePlan(fopGateWith('canary-widened', (s) => delete s.soak));
    const found = checkPlan(plan).filter((f) => f.rule === 'canary-widened-unwatched');
    assert.equal(found.length, 1);
    assert.equal(found[0].severity, 'warning');
    assert.equal(found[0].stage, 'canary-widened');
    assert.match(found[0].problem, /30% of the requests \(10% before\)/);
    assert.match(found[0].fix, /soak: 5m.*analysis section/);
  });

  test('an analysis section (a metric gate) watches every stage', () => {
    const data = fopGateWith('canary-widened', (s) => delete s.soak);
    data.analysis = { prometheus: { url: 'http://prometheus.monitoring:9090' } };
    assert.deepEqual(
      checkPlan(parsePlan(data)).filter((f) => f.rule === 'canary-widened-unwatched'),
      [],
    );
  });

  test('a stage that narrows or keeps the share needs no soak', () => {
    // baseline is the first stage; every example stack soaks each stage that widens.
    for (const stack of ['fop-gate', 'checkout-gateway', 'ledger-linkerd', 'search-nginx']) {
      assert.deepEqual(
        checkPlan(exampleStack(stack).plan).filter((f) => f.rule === 'canary-widened-unwatched'),
        [],
        stack,
      );
    }
  });
});

describe('plan and diff show the policy', () => {
  test('plan --json has a release entry only on stages that set a policy key', () => {
    const view = planView(exampleStack('fop-gate'));
    assert.equal(view.stages[0].release, undefined);
    assert.deepEqual(view.stages[1].release, { soak: '5m', approval: 'none', onFailure: 'rollback' });
  });

  test('the plan table prints a release line under the stage', async () => {
    const result = await runCli(['plan', 'fop-gate']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /canary-widened[^\n]*\n(?:[^\n]*\n){2}\s+release: soak 5m, no approval, on failure rollback\n/);
  });

  test('diff names the policy of the stage it moves to', async () => {
    const diff = stageDiff(
      { plan: exampleStack('fop-gate').plan, stage: 'baseline' },
      { plan: exampleStack('fop-gate').plan, stage: 'canary' },
    );
    assert.deepEqual(diff.release, { soak: '5m', approval: 'none', onFailure: 'rollback' });
    const result = await runCli(['diff', 'fop-gate', '--to', 'canary']);
    assert.match(result.stdout, /Release policy of canary: soak 5m, no approval, on failure rollback/);
  });

  test('check --json lists the unwatched stage of a stack file', async () => {
    const dir = copyOfStacks();
    const file = path.join(dir, 'Pulumi.fop-gate.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/(name: canary-widened\n[^\n]*\n)\s+soak: 5m\n/, '$1'));
    const result = await runCli(['check', 'fop-gate', '--json', '--stacks', dir]);
    assert.equal(result.code, 0);
    const findings = JSON.parse(result.stdout).findings as { rule: string; stage: string }[];
    assert.deepEqual(
      findings.map((f) => [f.rule, f.stage]),
      [['canary-widened-unwatched', 'canary-widened']],
    );
  });
});

describe('check shows the release policy', () => {
  test('check --json lists each stage that sets a policy, in the words plan and diff use', async () => {
    const result = await runCli(['check', 'fop-gate', '--json', '--stacks', copyOfStacks()]);
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.stdout).release, [
      { stage: 'canary', soak: '5m', approval: 'none', onFailure: 'rollback' },
      { stage: 'canary-widened', soak: '5m', approval: 'none', onFailure: 'rollback' },
      { stage: 'stable', soak: '5m', approval: 'none', onFailure: 'rollback' },
    ]);
  });
});
