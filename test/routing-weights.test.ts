import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlan, stageState, trafficByWorkload, type Plan } from '../lib/model';
import { routedTraffic, routingFindings, stageRouting, weightWithoutReadyPods } from '../lib/routing';
import { examplePlanData, exampleStack } from './support/example-stacks';

/** The share per workload the plan's router gives the stage at `index`. */
const routedAt = (plan: Plan, index: number) => routedTraffic(stageState(plan, index), plan.traffic);

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

describe('routed traffic', () => {
  test('with a weighted router each workload gets its track weight, whatever its pod count', () => {
    const plan = exampleStack('ledger-linkerd').plan;
    // Stage canary: 5 stable pods and 1 canary pod; by replicas the canary would get 1/6.
    const shares = routedAt(plan, 1);
    close(shares['ledger-canary'], 0.01);
    close(shares.ledger, 0.99);
  });

  test('a track weight is spread over the track workloads by their pods', () => {
    const data = examplePlanData('checkout-gateway');
    data.workloads['checkout-canary-b'] = { labels: { app: 'checkout', track: 'canary', shard: 'b' } };
    data.workloads['checkout-canary'].labels = { app: 'checkout', track: 'canary', shard: 'a' };
    data.stages[2].workloads['checkout-canary-b'] = { replicas: 6, image: 'registry.example.com/shop/checkout:3.3.0' };
    const shares = routedAt(parsePlan(data), 2); // canary-25: canary has 2 pods, canary-b 6
    close(shares['checkout-canary'], 0.25 * (2 / 8));
    close(shares['checkout-canary-b'], 0.25 * (6 / 8));
    close(shares.checkout, 0.75);
  });

  test('with replicas it is the share of ready endpoints, as before', () => {
    const plan = exampleStack('fop-gate').plan;
    plan.stages.forEach((_, i) => assert.deepEqual(routedAt(plan, i), trafficByWorkload(stageState(plan, i))));
    close(routedAt(plan, 2)['fop-gate-canary'], 0.3);
  });

  test('every stage of every routed example sends all its requests to pods that exist', () => {
    for (const name of ['checkout-gateway', 'search-nginx', 'ledger-linkerd']) {
      const plan = exampleStack(name).plan;
      plan.stages.forEach((stage, i) => {
        const split = stageRouting(stageState(plan, i), plan.traffic);
        assert.equal(split.unserved, 0, `${name} ${stage.name}`);
        close(
          Object.values(split.byWorkload).reduce((a, b) => a + b, 0),
          1,
        );
      });
    }
  });
});

describe('routing findings', () => {
  test('the routed examples have none', () => {
    for (const name of ['checkout-gateway', 'search-nginx', 'ledger-linkerd', 'fop-gate', 'web-nginx', 'trade-aone']) {
      assert.deepEqual(routingFindings(exampleStack(name).plan), [], name);
    }
  });

  test('a weight sent to a track with no pods in the stage is an error naming the router object', () => {
    const data = examplePlanData('checkout-gateway');
    delete data.stages[1].workloads['checkout-canary']; // stage canary still sends 5%
    const plan = parsePlan(data);
    const findings = routingFindings(plan);
    assert.equal(findings.length, 1);
    assert.deepEqual(
      { ...findings[0], problem: undefined, fix: undefined },
      {
        severity: 'error',
        rule: 'weight-without-ready-pods',
        stage: 'canary',
        object: 'HTTPRoute/checkout',
        problem: undefined,
        fix: undefined,
      },
    );
    assert.match(findings[0].problem, /sends 5% of requests to track 'canary' \(Service checkout-canary\), which has no pods/);
    close(stageRouting(stageState(plan, 1), plan.traffic).unserved, 0.05);
  });

  test('with ingress-nginx the finding names the canary Ingress', () => {
    const data = examplePlanData('search-nginx');
    data.stages[2].workloads['search-canary'].replicas = 0;
    const findings = routingFindings(parsePlan(data));
    assert.deepEqual(
      findings.map((f) => [f.stage, f.object]),
      [['canary-20', 'Ingress/search-canary']],
    );
  });

  test('a stage from another version of the plan that weighs a track the plan does not have is an error, not a crash', () => {
    const plan = exampleStack('checkout-gateway').plan;
    const renamed = { ...plan.stages[1], traffic: { stable: 90, blue: 10 } };
    const findings = weightWithoutReadyPods(plan, { ...stageState(plan, 1), stage: renamed });
    assert.deepEqual(
      findings.map((f) => [f.rule, f.problem]),
      [
        [
          'invalid-traffic-section',
          "stage 'canary' sends 10% of requests to track 'blue', which the plan's gateway-api router does not have",
        ],
      ],
    );
  });

  test('a weighted stage judged against a plan that routes by replicas is an error', () => {
    const plan = exampleStack('fop-gate').plan;
    const weighted = { ...plan.stages[1], traffic: { stable: 95, canary: 5 } };
    const findings = weightWithoutReadyPods(plan, { ...stageState(plan, 1), stage: weighted });
    assert.deepEqual(
      findings.map((f) => [f.rule, /routes by replicas/.test(f.problem)]),
      [['invalid-traffic-section', true]],
    );
  });

  test('as a stage rule it reads only the stage it is given', () => {
    const plan = exampleStack('checkout-gateway').plan;
    const empty = { ...plan.stages[1], workloads: {} };
    const findings = weightWithoutReadyPods(plan, { ...stageState(plan, 1), stage: empty, workloads: [] });
    assert.deepEqual(
      findings.map((f) => f.problem.match(/sends (\d+)% of requests to track '(\w+)'/)?.slice(1)),
      [
        ['95', 'stable'],
        ['5', 'canary'],
      ],
    );
  });
});
