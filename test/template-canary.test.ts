/**
 * A canary that changes only its pod template (an env var, a memory limit) with the same image is
 * the new version: the canary pair, the metric gate's target and check's share of the new version
 * all see it. The fixture is the orders-api example, whose canary turns a feature flag on and then
 * raises a memory limit without changing its image.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { gateTargetForStage } from '../lib/gate';
import { baselineTemplates, canaryPair, parsePlan, runsNewVersion, type Plan } from '../lib/model';
import { checkPlan, checkStagePair } from '../lib/review/check';
import { isWeighted } from '../lib/routing';
import type { Stack } from '../lib/stacks';
import type { LiveCluster } from '../lib/status/live-cluster';
import { templateDifferences } from '../lib/status/pod-template-match';
import { liveRouterWeights } from '../lib/status/router-weights';
import { matchStage } from '../lib/status/stage-match';
import { differenceLine } from '../lib/status/status-format';
import { assertExit, editStackFile, stacksProject } from './support/cli';
import { EXAMPLE_STACKS, exampleStack, examplePlanData } from './support/example-stacks';
import { asStoredByApiServer, settledCluster, stageTemplates, withDeployment, withEnv } from './support/live-cluster';

/** The orders-api example's plan. */
function ordersApi(): Plan {
  return exampleStack('orders-api').plan;
}

/** The orders-api example's plan with `edit` applied to its plain data first. */
function ordersApiWith(edit: (data: Record<string, any>) => void): Plan {
  const data = examplePlanData('orders-api');
  edit(data);
  return parsePlan(data);
}

/** `canary/stable` per stage, or `none` where nothing runs the new version. */
function gateTargets(plan: Plan): Record<string, string> {
  return Object.fromEntries(
    plan.stages.map((stage, i) => {
      const chosen = gateTargetForStage(plan, i);
      return [stage.name, 'none' in chosen ? 'none' : `${chosen.target.canary.name}/${chosen.target.stable?.name ?? '-'}`];
    }),
  );
}

/** The canary-widened-unwatched findings of `plan` as `stage: problem`. */
function widenedUnwatched(plan: Plan): string[] {
  return checkPlan(plan)
    .filter((f) => f.rule === 'canary-widened-unwatched')
    .map((f) => `${f.stage}: ${f.problem}`);
}

describe('the new version is any pod template the first stage does not run', () => {
  test('a workload that only turns an env var on with the same image runs the new version', () => {
    const plan = ordersApi();
    const baseline = baselineTemplates(plan);
    const flag = plan.stages.find((s) => s.name === 'canary-flag')!;
    assert.equal(runsNewVersion(plan, 'orders-api-canary', flag, baseline), true);
    assert.equal(runsNewVersion(plan, 'orders-api', flag, baseline), false);
  });

  test('no workload of the first stage runs the new version', () => {
    const plan = ordersApi();
    const baseline = baselineTemplates(plan);
    for (const w of plan.workloads) assert.equal(runsNewVersion(plan, w.name, plan.stages[0], baseline), false, w.name);
  });

  test('a workload the first stage does not run is new when its template differs, even with the same image', () => {
    // web-nginx with v2 on v1's image but its own env var: the cutover moves to a new template.
    const data = examplePlanData('web-nginx');
    data.workloads['nginx-v2'].env = { FEATURE_X: 'on' };
    for (const stage of data.stages) if (stage.workloads['nginx-v2']) stage.workloads['nginx-v2'].image = 'nginx:1.16.1';
    const plan = parsePlan(data);
    assert.equal(gateTargets(plan)['v2-canary'], 'nginx-v2/nginx-dm');
  });

  test('a workload that runs another workload’s baseline template under its own labels runs no new version', () => {
    // web-nginx with v2 on v1's image and template: nothing new to measure.
    const data = examplePlanData('web-nginx');
    for (const stage of data.stages) if (stage.workloads['nginx-v2']) stage.workloads['nginx-v2'].image = 'nginx:1.16.1';
    const plan = parsePlan(data);
    assert.equal(gateTargets(plan)['v2-canary'], 'none');
  });

  test('a workload the stage does not run does not run the new version', () => {
    const plan = ordersApi();
    assert.equal(runsNewVersion(plan, 'no-such-workload', plan.stages[1], baselineTemplates(plan)), false);
  });
});

describe('the canary pair of a template-only canary', () => {
  test('the workload whose env var changes first is the canary, the other one stable', () => {
    const pair = canaryPair(ordersApi());
    assert.equal(pair?.canary.name, 'orders-api-canary');
    assert.equal(pair?.stable.name, 'orders-api');
  });

  test('a canary whose first change is a memory limit alone is the canary', () => {
    const plan = ordersApiWith((data) => {
      data.stages = data.stages.filter((s: { name: string }) => s.name !== 'canary-flag');
      for (const stage of data.stages) for (const w of Object.values<Record<string, unknown>>(stage.workloads)) delete w.env;
    });
    assert.equal(canaryPair(plan)?.canary.name, 'orders-api-canary');
  });

  test('the stable workload is the canary when it takes the template change first', () => {
    const plan = ordersApiWith((data) => {
      const flag = data.stages.find((s: { name: string }) => s.name === 'canary-flag');
      flag.workloads['orders-api'].env = { FEATURE_FAST_CHECKOUT: 'on' };
      delete flag.workloads['orders-api-canary'].env;
    });
    assert.equal(canaryPair(plan)?.canary.name, 'orders-api');
  });
});

describe('the metric gate of a template-only canary', () => {
  test('the gate measures the canary against stable from the stage its env var changes', () => {
    assert.deepEqual(gateTargets(ordersApi()), {
      baseline: 'none',
      'canary-flag': 'orders-api-canary/orders-api',
      'canary-memory': 'orders-api-canary/orders-api',
      stable: 'orders-api-canary/orders-api',
    });
  });

  test('the first stage has nothing to measure, and says the template is the baseline too', () => {
    const chosen = gateTargetForStage(ordersApi(), 0);
    assert.ok('none' in chosen);
    assert.match(
      chosen.none,
      /no workload runs a new version yet \(every workload runs the baseline's registry\.example\.com\/shop\/orders-api:3\.2\.0 and pod template\)/,
    );
  });

  test('a stage that returns the canary to the baseline template has nothing to measure', () => {
    const plan = ordersApiWith((data) => {
      const flag = data.stages.find((s: { name: string }) => s.name === 'canary-flag');
      delete flag.workloads['orders-api-canary'].env;
    });
    assert.equal(gateTargets(plan)['canary-flag'], 'none');
  });
});

describe('stepwise gate on a template-only canary', () => {
  test('gate orders-api at canary-flag measures orders-api-canary against orders-api', async () => {
    const project = stacksProject();
    editStackFile(path.join(project.dir, 'stacks'), 'orders-api', (config) => {
      config['stepwise:stage'] = 'canary-flag';
      // Port 9 refuses at once: the report is inconclusive, but names what it would measure.
      config['stepwise:plan'].analysis = { prometheus: { url: 'http://127.0.0.1:9', timeoutSeconds: 2 } };
    });
    const result = await project.run('gate', 'orders-api', '--json');
    assertExit(result, 2);
    const report = JSON.parse(result.stdout) as { canary: string; stable: string };
    assert.equal(report.canary, 'orders-api-canary');
    assert.equal(report.stable, 'orders-api');
  });
});

describe('check: canary-widened-unwatched counts a template-only canary', () => {
  /** orders-api with no soak on any stage (the example soaks the stages that widen its canary). */
  const unsoaked = (edit: (data: any) => void = () => {}) =>
    ordersApiWith((data) => {
      for (const stage of data.stages) delete stage.soak;
      edit(data);
    });

  test('a stage that sends an env-only canary requests with no soak and no gate is a warning', () => {
    assert.deepEqual(widenedUnwatched(unsoaked()), [
      'canary-flag: sends the new version 20% of the requests (0% before) with no soak and no metric gate, so a release moves on as soon as its pods are ready',
      'stable: sends the new version 100% of the requests (20% before) with no soak and no metric gate, so a release moves on as soon as its pods are ready',
    ]);
  });

  test('a limit-only stage that keeps the new version at the same share is not a warning', () => {
    assert.ok(!widenedUnwatched(unsoaked()).some((line) => line.startsWith('canary-memory:')));
  });

  test('a paused canary whose env change is still pending sends the new version nothing', () => {
    const plan = unsoaked((data) => {
      const flag = data.stages.find((s: { name: string }) => s.name === 'canary-flag');
      flag.workloads['orders-api-canary'].paused = true;
    });
    assert.ok(!widenedUnwatched(plan).some((line) => line.startsWith('canary-flag:')));
  });

  test('soak on the widening stages silences the warning: the example soaks them and has none', () => {
    assert.deepEqual(widenedUnwatched(ordersApi()), []);
  });
});

/** Which stage `live` is in for `stack` whose file says `stackStage`, pod templates compared as `stepwise status` does. */
function statusMatch(stack: Stack, live: LiveCluster, stackStage = stack.stage) {
  const routing = stack.plan.traffic;
  const weights = isWeighted(routing) ? liveRouterWeights(stack.plan, routing, live.routerObjects) : undefined;
  return matchStage(stack.plan, routing, live, weights, stackStage, stackStage, stageTemplates(stack));
}

/** `stack` settled at `stage`, every Deployment's pod template as the API server stores it. */
function storedCluster(stack: Stack, stage: string): LiveCluster {
  const cluster = settledCluster(stack, stage);
  return cluster.deployments.reduce((c, d) => withDeployment(c, d.name, asStoredByApiServer), cluster);
}

describe('status tells apart stages that differ only in the pod template', () => {
  test('a cluster at the env-only canary stage is reported there, though the stack file says baseline', () => {
    const stack = exampleStack('orders-api');
    const result = statusMatch(stack, storedCluster(stack, 'canary-flag'), 'baseline');
    assert.equal(result.stage, 'canary-flag');
    assert.deepEqual(result.matches, ['canary-flag']);
  });

  test('a cluster at the limit-only stage is reported there, not at the stage before it', () => {
    const stack = exampleStack('orders-api');
    const result = statusMatch(stack, storedCluster(stack, 'canary-memory'), 'canary-flag');
    assert.deepEqual(result.matches, ['canary-memory']);
  });

  for (const name of EXAMPLE_STACKS) {
    test(`${name}: a cluster settled at each stage, as the API server stores it, is reported at that stage`, () => {
      const stack = exampleStack(name);
      for (const stage of stack.plan.stages) {
        const result = statusMatch(stack, storedCluster(stack, stage.name), stage.name);
        assert.equal(result.stage, stage.name);
        assert.deepEqual(result.drift, []);
      }
    });
  }

  test('an env var changed by hand is drift naming the Deployment, the env var, the live and the planned value', () => {
    const stack = exampleStack('orders-api');
    const live = withDeployment(storedCluster(stack, 'canary-flag'), 'orders-api', withEnv('orders-api', 'FEATURE_FAST_CHECKOUT', 'maybe'));
    const result = statusMatch(stack, live, 'canary-flag');
    assert.equal(result.stage, null);
    assert.deepEqual(result.drift, [
      {
        kind: 'Deployment',
        name: 'orders-api',
        field: 'template.spec.containers.orders-api.env.FEATURE_FAST_CHECKOUT.value',
        live: 'maybe',
        planned: 'off',
      },
    ]);
  });

  test('status prints a template drift as the field, the live value and the stage’s', () => {
    const stack = exampleStack('orders-api');
    const live = withDeployment(storedCluster(stack, 'baseline'), 'orders-api', withEnv('orders-api', 'FEATURE_FAST_CHECKOUT', 'maybe'));
    assert.deepEqual(
      statusMatch(stack, live, 'baseline').drift.map((d) => differenceLine(d, 'baseline')),
      ['Deployment orders-api: template.spec.containers.orders-api.env.FEATURE_FAST_CHECKOUT.value is maybe, baseline has off'],
    );
  });
});

describe('comparing a live pod template with the rendered one', () => {
  test('a quantity the API server rewrote is the same amount', () => {
    const rendered = { spec: { containers: [{ name: 'app', resources: { limits: { memory: '1024Mi', cpu: '1000m' } } }] } };
    const live = { spec: { containers: [{ name: 'app', resources: { limits: { memory: '1Gi', cpu: '1' } } }] } };
    assert.deepEqual(templateDifferences(rendered, live), []);
  });

  test('a limit only the live container has is a difference', () => {
    const rendered = { spec: { containers: [{ name: 'app', resources: { requests: { cpu: '250m' } } }] } };
    const live = { spec: { containers: [{ name: 'app', resources: { requests: { cpu: '250m', memory: '1Gi' } } }] } };
    assert.deepEqual(templateDifferences(rendered, live), [
      { path: 'spec.containers.app.resources.requests.memory', live: '1Gi', planned: null },
    ]);
  });

  test('an env var only the live container has is a difference', () => {
    const rendered = { spec: { containers: [{ name: 'app', env: [{ name: 'A', value: '1' }] }] } };
    const live = {
      spec: {
        containers: [
          {
            name: 'app',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
        ],
      },
    };
    assert.equal(templateDifferences(rendered, live).length, 1);
  });

  test('fields the API server fills in and false values it leaves out are no difference', () => {
    const rendered = { spec: { containers: [{ name: 'app', volumeMounts: [{ name: 'tmp', mountPath: '/tmp', readOnly: false }] }] } };
    const live = {
      spec: {
        dnsPolicy: 'ClusterFirst',
        containers: [{ name: 'app', terminationMessagePath: '/dev/termination-log', volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] }],
      },
    };
    assert.deepEqual(templateDifferences(rendered, live), []);
  });
});

describe('capacity fixes name any pod template change, not only the image', () => {
  test('a stage that changes only an env var and scales down is told to change the pod template and scale down in separate stages', () => {
    const plan = ordersApiWith((data) => {
      const stable = data.stages.find((s: { name: string }) => s.name === 'stable');
      stable.workloads['orders-api'].replicas = 3;
      stable.workloads['orders-api-canary'].replicas = 2;
      data.workloads['orders-api'].strategy = { type: 'RollingUpdate', maxSurge: 0, maxUnavailable: 1 };
    });
    const found = checkPlan(plan, { capacityFloor: 5 }).filter((f) => f.rule === 'capacity-below-floor');
    assert.equal(found.length, 1);
    assert.equal(found[0].stage, 'canary-memory → stable');
    assert.match(found[0].fix, /^change the pod template \(image, env, resources\.\.\.\) and scale down in separate stages/);
  });

  test('a rollback that undoes only a memory limit says it changes the pod template of the workload', () => {
    const plan = ordersApiWith((data) => {
      data.workloads['orders-api-canary'].strategy = { type: 'RollingUpdate', maxSurge: 0, maxUnavailable: 1 };
    });
    const found = checkStagePair({ plan, stage: 'canary-memory' }, { plan, stage: 'canary-flag' }, { capacityFloor: 5 }).filter(
      (f) => f.rule === 'capacity-below-floor',
    );
    assert.equal(found.length, 1);
    assert.match(found[0].fix, /^rolling back changes the pod template of orders-api-canary: /);
  });
});
