import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlan, type Plan } from '../lib/model';
import { checkPlan, checkStagePair } from '../lib/review/check';
import type { Finding } from '../lib/model/finding';
import { EXAMPLE_STACKS, examplePlanData, exampleStack } from './support/example-stacks';

const errors = (findings: readonly Finding[]) => findings.filter((f) => f.severity === 'error');
const warnings = (findings: readonly Finding[]) => findings.filter((f) => f.severity === 'warning');

/** web-nginx with the v2-scaled stage removed and v2 left at 1 pod through the cutover: the naive cutover. */
function naiveCutoverPlan(): Plan {
  const data = examplePlanData('web-nginx');
  data.stages = data.stages.filter((s: any) => s.name !== 'v2-scaled');
  data.stages.find((s: any) => s.name === 'cutover').workloads['nginx-v2'].replicas = 1;
  return parsePlan(data);
}

describe('check on the example stacks', () => {
  for (const name of EXAMPLE_STACKS) {
    test(`${name} has no errors`, () => {
      assert.deepEqual(errors(checkPlan(exampleStack(name).plan)), []);
    });
  }

  test('fop-gate has no warnings: it needs no security overrides', () => {
    assert.deepEqual(checkPlan(exampleStack('fop-gate').plan), []);
  });

  test('web-nginx warns, per workload, about running as root, the writable root filesystem and the added capabilities, with the reason', () => {
    const found = warnings(checkPlan(exampleStack('web-nginx').plan));
    assert.equal(found.length, 6);
    for (const workload of ['nginx-dm', 'nginx-v2']) {
      const mine = found.filter((f) => f.object === `Deployment/${workload}`);
      assert.deepEqual(
        mine.map((f) => f.rule),
        Array(3).fill('pod-security-override'),
      );
      assert.ok(mine.some((f) => f.problem.includes('securityOverrides.runAsRoot')));
      assert.ok(mine.some((f) => f.problem.includes('securityOverrides.writableRootFilesystem')));
      assert.ok(mine.some((f) => f.problem.includes('CHOWN, SETGID, SETUID') && !f.problem.includes('NET_BIND_SERVICE,')));
      for (const f of mine) assert.match(f.problem, /reason: the official nginx image starts as root/);
    }
  });

  test('trade-aone warns about hostPath for every batch, and not about NET_BIND_SERVICE, which restricted allows', () => {
    const found = warnings(checkPlan(exampleStack('trade-aone').plan));
    assert.deepEqual(
      found.map((f) => f.object),
      ['trade-aone-1', 'trade-aone-2', 'trade-aone-3', 'trade-aone-4', 'trade-aone-5'].map((w) => `Deployment/${w}`),
    );
    for (const f of found) {
      assert.match(f.problem, /hostPath/);
      assert.match(f.problem, /reason: logs go to a hostPath/);
    }
  });
});

describe('capacity during transitions', () => {
  test('the naive nginx cutover from 7 endpoints to 1 is flagged, with the fix "scale v2 first"', () => {
    const found = errors(checkPlan(naiveCutoverPlan()));
    assert.equal(found.length, 1);
    const [f] = found;
    assert.equal(f.rule, 'cutover-below-floor');
    assert.equal(f.stage, 'v2-canary → cutover');
    assert.equal(f.object, 'Service/nginx-svc');
    assert.match(f.problem, /from 7 to 1 ready endpoint/);
    assert.match(f.problem, /capacity floor of 6/);
    assert.match(f.fix, /^scale v2 first: scale nginx-v2 to at least 6 replicas in a stage before 'cutover'/);
  });

  test('scaling v2 up in the cutover stage itself is safe: the make phase comes before the switch', () => {
    const data = examplePlanData('web-nginx');
    data.stages = data.stages.filter((s: any) => s.name !== 'v2-scaled');
    assert.deepEqual(errors(checkPlan(parsePlan(data))), []);
  });

  test('a scale-down below the floor is flagged once, at the transition that does it', () => {
    const data = examplePlanData('fop-gate');
    data.stages[2].workloads['fop-gate'].replicas = 3; // canary-widened: 3 + 3 pods instead of 7 + 3
    const found = errors(checkPlan(parsePlan(data)));
    assert.equal(found.length, 1, JSON.stringify(found, null, 2));
    assert.equal(found[0].rule, 'capacity-below-floor');
    assert.equal(found[0].stage, 'canary → canary-widened');
    assert.match(found[0].problem, /drops to 6 ready endpoints during the break phase/);
    assert.match(found[0].problem, /capacity floor of 10 \(10 before, 6 after; losing pods: fop-gate\)/);
  });

  test('a configured checks.capacityFloor applies: a rollout with maxUnavailable 2 is then flagged in the make phase', () => {
    const data = examplePlanData('fop-gate');
    data.defaults.strategy = { type: 'RollingUpdate', maxSurge: 0, maxUnavailable: 2 };
    assert.deepEqual(errors(checkPlan(parsePlan(data))), [], 'the default floor allows what maxUnavailable allows');
    data.checks = { capacityFloor: 10 };
    const found = errors(checkPlan(parsePlan(data)));
    const first = found.find((f) => f.stage === 'baseline → canary');
    assert.ok(first, JSON.stringify(found, null, 2));
    assert.equal(first.rule, 'capacity-below-floor');
    assert.match(first.problem, /drops to 9 ready endpoints during the make phase/);
  });

  test('the capacityFloor option overrides the plan: 11 is above the 10 pods fop-gate starts with', () => {
    const found = errors(checkPlan(exampleStack('fop-gate').plan, { capacityFloor: 11 }));
    assert.ok(found.some((f) => f.rule === 'stage-below-floor' && f.stage === 'baseline' && /floor of 11/.test(f.problem)));
    assert.deepEqual(errors(checkPlan(exampleStack('fop-gate').plan, { capacityFloor: '50%' })), []);
  });
});

describe('capacity fixes read in the singular for one', () => {
  test('a floor of 1 asks for "1 replica", in the first stage and after a scale-down to nothing', () => {
    const data = examplePlanData('fop-gate');
    data.checks = { capacityFloor: 1 };
    for (const name of ['fop-gate', 'fop-gate-canary']) {
      data.stages[0].workloads[name].replicas = 0;
      data.stages[3].workloads[name].replicas = 0;
    }
    const found = errors(checkPlan(parsePlan(data)));
    const fixes = (rule: string) => found.filter((f) => f.rule === rule).map((f) => f.fix);
    assert.match(fixes('stage-below-floor').join('\n'), /^give the first stage at least 1 replica behind the Service,/);
    assert.match(fixes('capacity-below-floor').join('\n'), /keep at least 1 replica behind the Service/);
  });

  test('a cutover below a floor of 1 asks to scale the new workload to 1 replica', () => {
    const data = examplePlanData('web-nginx');
    data.checks = { capacityFloor: 1 };
    data.stages = data.stages.filter((s: any) => s.name !== 'v2-scaled');
    data.stages.find((s: any) => s.name === 'v2-canary').workloads['nginx-v2'].replicas = 0;
    data.stages.find((s: any) => s.name === 'cutover').workloads['nginx-v2'].replicas = 0;
    const found = errors(checkPlan(parsePlan(data))).filter((f) => f.rule === 'cutover-below-floor');
    assert.ok(found.length > 0);
    assert.match(found[0].fix, /scale nginx-v2 to at least 1 replica in a stage before 'cutover'/);
  });
});

describe('endpoints and deletions', () => {
  test('a Service whose selector matches no workload in a stage is flagged', () => {
    const data = examplePlanData('web-nginx');
    data.stages[3].services['nginx-svc'].selector = { name: 'nginx', version: 'v3' };
    const found = errors(checkPlan(parsePlan(data))).filter((f) => f.rule === 'service-without-endpoints');
    assert.deepEqual(
      found.map((f) => [f.stage, f.object]),
      [['cutover', 'Service/nginx-svc']],
    );
    assert.match(found[0].problem, /selector name=nginx,version=v3 matches none of the workloads in this stage \(nginx-dm and nginx-v2\)/);
  });

  test('a Service whose workloads all have 0 replicas is flagged', () => {
    const data = examplePlanData('fop-gate');
    data.stages[3].workloads['fop-gate'].replicas = 0;
    data.stages[3].workloads['fop-gate-canary'].replicas = 0;
    const found = errors(checkPlan(parsePlan(data))).filter((f) => f.rule === 'service-without-endpoints');
    assert.equal(found.length, 1);
    assert.equal(found[0].stage, 'stable');
    assert.match(found[0].problem, /\(fop-gate and fop-gate-canary\) have 0 replicas/);
  });

  test('deleting a workload the Service still selects is accepted when the Service keeps its floor, like scaling it to 0', () => {
    for (const remove of [true, false]) {
      const data = examplePlanData('fop-gate');
      if (remove) delete data.stages[3].workloads['fop-gate-canary'];
      else data.stages[3].workloads['fop-gate-canary'].replicas = 0;
      data.stages[3].workloads['fop-gate'].replicas = 10; // 10 endpoints after: exactly the floor
      assert.deepEqual(errors(checkPlan(parsePlan(data))), [], remove ? 'deleted' : 'scaled to 0');
    }
  });

  test('below the floor, deleting a selected workload and scaling it to 0 get the same finding', () => {
    const problems = [true, false].map((remove) => {
      const data = examplePlanData('fop-gate');
      if (remove) delete data.stages[3].workloads['fop-gate-canary'];
      else data.stages[3].workloads['fop-gate-canary'].replicas = 0;
      const found = errors(checkPlan(parsePlan(data)));
      assert.deepEqual(
        found.map((f) => [f.rule, f.stage, f.object]),
        [['capacity-below-floor', 'canary-widened → stable', 'Service/fop-gate']],
      );
      return found[0].problem;
    });
    assert.match(problems[0], /drops to 9 ready endpoints during the break phase .*losing pods: fop-gate-canary \(deleted\)\)/);
    assert.equal(problems[1], problems[0].replace(' (deleted)', ''));
  });

  test('removing v1 while the Service selects it again keeps the floor of 6 (v2 is ready), so it is accepted', () => {
    const data = examplePlanData('web-nginx');
    data.stages[4].services['nginx-svc'].selector = { name: 'nginx' };
    assert.deepEqual(errors(checkPlan(parsePlan(data))), []);
  });

  test('deleting a workload already scaled to 0 is not flagged', () => {
    const data = examplePlanData('fop-gate');
    data.stages[3].workloads['fop-gate'].replicas = 10;
    data.stages[3].workloads['fop-gate-canary'].replicas = 0;
    data.stages.push({ name: 'canary-gone', workloads: { 'fop-gate': data.stages[3].workloads['fop-gate'] } });
    assert.deepEqual(errors(checkPlan(parsePlan(data))), []);
  });
});

describe('Deployment rules on plans parsePlan would reject (Plan objects changed after parsing)', () => {
  test('overlapping Deployment selectors are flagged as a warning', () => {
    const plan = exampleStack('fop-gate').plan;
    const stable = { ...plan.workloads[0], selector: { matchLabels: { app: 'fop-gate' }, matchExpressions: [] } };
    const findings = checkPlan({ ...plan, workloads: [stable, plan.workloads[1]] });
    assert.deepEqual(errors(findings), []);
    const found = warnings(findings).filter((f) => f.rule === 'overlapping-selectors');
    assert.deepEqual(
      found.map((f) => [f.rule, f.object]),
      [['overlapping-selectors', 'Deployment/fop-gate']],
    );
    assert.match(found[0].problem, /also matches the pods of workload 'fop-gate-canary'/);
  });

  test('maxSurge and maxUnavailable both zero are flagged', () => {
    const plan = exampleStack('fop-gate').plan;
    const canary = {
      ...plan.workloads[1],
      strategy: { type: 'RollingUpdate' as const, maxSurge: 0 as const, maxUnavailable: '0%' as const },
    };
    const found = errors(checkPlan({ ...plan, workloads: [plan.workloads[0], canary] }));
    assert.deepEqual(
      found.map((f) => [f.rule, f.object]),
      [['rolling-update-cannot-progress', 'Deployment/fop-gate-canary']],
    );
  });
});

describe('checkStagePair: two stages, possibly of two versions of a plan', () => {
  test('a Deployment selector changed between two versions of the plan is flagged', () => {
    const before = exampleStack('fop-gate').plan;
    const data = examplePlanData('fop-gate');
    data.workloads['fop-gate'] = { labels: { app: 'fop-gate', track: 'stable', tier: 'web' } };
    const after = parsePlan(data);
    const found = checkStagePair({ plan: before, stage: 'canary' }, { plan: after, stage: 'canary-widened' });
    assert.deepEqual(
      found.map((f) => [f.rule, f.stage, f.object]),
      [['deployment-selector-changed', 'canary → canary-widened', 'Deployment/fop-gate']],
    );
    assert.match(found[0].problem, /from app=fop-gate,track=stable to app=fop-gate,tier=web,track=stable/);
  });

  test('a Deployment renamed between two versions of the plan is flagged, and so is deleting the old one', () => {
    const before = exampleStack('fop-gate').plan;
    const data = examplePlanData('fop-gate');
    data.workloads['fop-gate-canary-2'] = data.workloads['fop-gate-canary'];
    delete data.workloads['fop-gate-canary'];
    for (const stage of data.stages) {
      stage.workloads['fop-gate-canary-2'] = stage.workloads['fop-gate-canary'];
      delete stage.workloads['fop-gate-canary'];
    }
    const found = checkStagePair({ plan: before, stage: 'canary' }, { plan: parsePlan(data), stage: 'canary' });
    // The old name's pod is deleted while the Service selects it, but the new name's is ready
    // first, so the Service keeps its floor: only the rename is an error.
    assert.deepEqual(
      found.map((f) => [f.rule, f.object]),
      [['deployment-renamed', 'Deployment/fop-gate-canary-2']],
    );
    assert.match(found[0].fix, /keep the name 'fop-gate-canary'/);
  });

  test('two stages of one plan get the transition rules: the naive cutover, and a safe one', () => {
    const naive = naiveCutoverPlan();
    assert.deepEqual(
      checkStagePair({ plan: naive, stage: 'v2-canary' }, { plan: naive, stage: 'cutover' }).map((f) => f.rule),
      ['cutover-below-floor'],
    );
    const web = exampleStack('web-nginx').plan;
    assert.deepEqual(checkStagePair({ plan: web, stage: 'v2-scaled' }, { plan: web, stage: 'cutover' }), []);
  });

  test('rolling back from v2-canary or v2-scaled to v1-only deletes v2 at once, which leaves 6 endpoints, the floor: accepted', () => {
    const web = exampleStack('web-nginx').plan;
    for (const from of ['v2-canary', 'v2-scaled']) {
      assert.deepEqual(checkStagePair({ plan: web, stage: from }, { plan: web, stage: 'v1-only' }), [], from);
    }
  });

  test('a rollback below the floor gets advice a rollback can follow, not "in an earlier stage"', () => {
    const web = parsePlan({ ...examplePlanData('web-nginx'), checks: { capacityFloor: 7 } });
    const found = checkStagePair({ plan: web, stage: 'v2-canary' }, { plan: web, stage: 'v1-only' });
    assert.deepEqual(
      found.map((f) => [f.rule, f.stage, f.object]),
      [['capacity-below-floor', 'v2-canary → v1-only', 'Service/nginx-svc']],
    );
    assert.match(found[0].problem, /losing pods: nginx-v2 \(deleted\)/);
    assert.match(
      found[0].fix,
      /^stage 'v1-only' keeps only 6 behind the Service: roll back to a stage that keeps at least 7 \(stepwise rollback --to STAGE\), or give 'v1-only' at least 7 replicas behind the Service in the stack file/,
    );
    assert.doesNotMatch(found[0].fix, /earlier stage|--capacity-floor/);
  });

  test("a rollback that switches the selector to too few pods gets a rollback's advice too", () => {
    const data = examplePlanData('web-nginx');
    const v2 = { replicas: 6, image: 'nginx:1.18.0' };
    data.stages = [
      data.stages[0],
      { name: 'v1-shrunk', workloads: { 'nginx-dm': { replicas: 2, image: 'nginx:1.16.1' }, 'nginx-v2': v2 } },
      { name: 'v2-only', workloads: { 'nginx-v2': v2 }, services: { 'nginx-svc': { selector: { name: 'nginx', version: 'v2' } } } },
    ];
    data.stages[1].services = { 'nginx-svc': { selector: { name: 'nginx', version: 'v1' } } };
    const plan = parsePlan(data);
    const found = checkStagePair({ plan, stage: 'v2-only' }, { plan, stage: 'v1-shrunk' }).filter((f) => f.rule === 'cutover-below-floor');
    assert.equal(found.length, 1);
    assert.match(
      found[0].fix,
      /^roll back to a stage that keeps the old selector or has 6 ready pods behind the new one \(stepwise rollback --to STAGE\), or scale nginx-dm to at least 6 replicas in stage 'v1-shrunk' in the stack file$/,
    );
  });

  test('an unknown stage is a StepwiseError naming the stages there are', () => {
    const web = exampleStack('web-nginx').plan;
    assert.throws(
      () => checkStagePair({ plan: web, stage: 'nope' }, { plan: web, stage: 'cutover' }),
      /unknown stage 'nope'.*v1-only, v2-canary/,
    );
  });
});

describe('finding order', () => {
  test('errors come before warnings, and findings follow the stage order', () => {
    const data = examplePlanData('web-nginx');
    data.stages = data.stages.filter((s: any) => s.name !== 'v2-scaled');
    data.stages[2].workloads['nginx-v2'].replicas = 1; // naive cutover
    data.stages[1].services = { 'nginx-svc': { selector: { name: 'nginx', version: 'v9' } } }; // v2-canary has no endpoints
    const found = checkPlan(parsePlan(data));
    const firstWarning = found.findIndex((f) => f.severity === 'warning');
    assert.ok(firstWarning > 0 && found.slice(firstWarning).every((f) => f.severity === 'warning'));
    const stages = errors(found).map((f) => f.stage);
    assert.deepEqual(stages.slice(0, 2), ['v1-only → v2-canary', 'v2-canary']);
    assert.deepEqual(checkPlan(parsePlan(data)), found, 'the same plan gives the same findings in the same order');
  });

  test('the order comes from the stages, not from parsing the labels back: a plan built in code may name a stage with an arrow', () => {
    const data = examplePlanData('web-nginx');
    data.stages = data.stages.filter((s: any) => s.name !== 'v2-scaled');
    data.stages[2].workloads['nginx-v2'].replicas = 1; // naive cutover
    data.stages[1].services = { 'nginx-svc': { selector: { name: 'nginx', version: 'v9' } } }; // v2-canary has no endpoints
    const parsed = parsePlan(data);
    // parsePlan refuses such a name; a Plan built in code does not go through it.
    const plan = { ...parsed, stages: parsed.stages.map((s, i) => (i === 1 ? { ...s, name: 'v1 → v2 canary' } : s)) };
    const stages = errors(checkPlan(plan)).map((f) => f.stage);
    assert.deepEqual(stages.slice(0, 2), ['v1-only → v1 → v2 canary', 'v1 → v2 canary']);
  });
});
