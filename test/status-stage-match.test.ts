/** `stepwise status`: which stage a cluster is in, and what drifted, judged without a cluster. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWeighted, type WeightedRouting } from '../lib/routing';
import { liveRouterWeights } from '../lib/status/router-weights';
import { matchStage } from '../lib/status/stage-match';
import { differenceLine } from '../lib/status/status-format';
import type { LiveCluster, LiveRouterObject } from '../lib/status/live-cluster';
import type { Stack } from '../lib/stacks';
import { EXAMPLE_STACKS, exampleStack } from './support/example-stacks';
import { scaledTo, settledCluster, withDeployment, withoutService } from './support/live-cluster';

/** Which stage `live` is in, for `stack` whose file says `stackStage`. */
function match(stack: Stack, live: LiveCluster, stackStage = stack.stage) {
  const routing = stack.plan.traffic;
  const weights = isWeighted(routing) ? liveRouterWeights(stack.plan, routing, live.routerObjects) : undefined;
  return matchStage(stack.plan, routing, live, weights, stackStage, stackStage);
}

describe('the stage a settled cluster is in', () => {
  for (const name of EXAMPLE_STACKS) {
    test(`${name}: a cluster settled at each stage is reported at that stage`, () => {
      const stack = exampleStack(name);
      for (const stage of stack.plan.stages) {
        const result = match(stack, settledCluster(stack, stage.name), stage.name);
        assert.equal(result.stage, stage.name);
        assert.ok(result.matches.includes(stage.name));
        assert.deepEqual(result.drift, []);
      }
    });
  }

  test('the stage the cluster is in, not the one the stack file says, when the file was promoted but not applied', () => {
    const stack = exampleStack('fop-gate');
    const result = match(stack, settledCluster(stack, 'canary'), 'canary-widened');
    assert.equal(result.stage, 'canary');
    assert.deepEqual(result.matches, ['canary']);
  });

  test('stages that differ only in weights all match while the router cannot be read; the stack file’s stage is preferred', () => {
    const stack = exampleStack('checkout-gateway');
    const unread: LiveCluster = {
      ...settledCluster(stack, 'canary-25'),
      routerObjects: [{ kind: 'HTTPRoute', name: 'checkout', found: 'not-served', apiVersion: 'gateway.networking.k8s.io/v1' }],
    };
    assert.deepEqual(match(stack, unread, 'canary-25').matches, ['canary', 'canary-25']);
    assert.equal(match(stack, unread, 'canary-25').stage, 'canary-25');
    assert.equal(match(stack, unread, 'canary').stage, 'canary');
    // With the HTTPRoute read, its weights tell the two apart.
    assert.deepEqual(match(stack, settledCluster(stack, 'canary-25'), 'canary').matches, ['canary-25']);
  });
});

describe('drift: no stage matches, and what differs from the stack file’s stage', () => {
  test('a Deployment scaled by hand: the workload, spec.replicas, the live and the planned value', () => {
    const stack = exampleStack('fop-gate');
    const live = withDeployment(settledCluster(stack, 'baseline'), 'fop-gate', scaledTo(7));
    const result = match(stack, live, 'baseline');
    assert.equal(result.stage, null);
    assert.deepEqual(result.drift, [{ kind: 'Deployment', name: 'fop-gate', field: 'spec.replicas', live: 7, planned: 9 }]);
    assert.equal(differenceLine(result.drift[0], 'baseline'), 'Deployment fop-gate: spec.replicas is 7, baseline has 9');
  });

  test('the nearest stage is the one with the fewest differences', () => {
    const stack = exampleStack('fop-gate');
    const live = withDeployment(settledCluster(stack, 'canary'), 'fop-gate', scaledTo(8));
    const result = match(stack, live, 'baseline');
    assert.equal(result.stage, null);
    assert.equal(result.drift.length, 2); // the canary's image and fop-gate's replicas
    assert.deepEqual(result.nearest, { stage: 'canary', differences: 1 });
  });

  test('an image set by hand names the container', () => {
    const stack = exampleStack('fop-gate');
    const live = withDeployment(settledCluster(stack, 'stable'), 'fop-gate-canary', (d) => ({
      ...d,
      containers: [{ name: 'fop-gate', image: 'registry.example.com/dora/fop-gate:1.5.1-hotfix' }],
    }));
    assert.deepEqual(match(stack, live, 'stable').drift, [
      {
        kind: 'Deployment',
        name: 'fop-gate-canary',
        field: 'containers.fop-gate.image',
        live: 'registry.example.com/dora/fop-gate:1.5.1-hotfix',
        planned: 'registry.example.com/dora/fop-gate:1.5.0',
      },
    ]);
  });

  test('a Deployment paused by hand', () => {
    const stack = exampleStack('fop-gate');
    const live = withDeployment(settledCluster(stack, 'canary'), 'fop-gate', (d) => ({ ...d, paused: true }));
    assert.deepEqual(match(stack, live, 'canary').drift, [
      { kind: 'Deployment', name: 'fop-gate', field: 'spec.paused', live: true, planned: false },
    ]);
  });

  test('a Service selector switched by hand', () => {
    const stack = exampleStack('web-nginx');
    const settled = settledCluster(stack, 'v2-scaled');
    const live = { ...settled, services: settled.services.map((s) => ({ ...s, selector: { name: 'nginx', version: 'v2' } })) };
    // That is exactly the next stage, cutover.
    assert.equal(match(stack, live, 'v2-scaled').stage, 'cutover');
    const drifted = { ...settled, services: settled.services.map((s) => ({ ...s, selector: { name: 'nginx', version: 'v3' } })) };
    const result = match(stack, drifted, 'v2-scaled');
    assert.equal(result.stage, null);
    assert.deepEqual(result.drift, [
      { kind: 'Service', name: 'nginx-svc', field: 'spec.selector', live: 'name=nginx,version=v3', planned: 'name=nginx' },
    ]);
  });

  test('a missing Service and a Deployment the stage does not run', () => {
    const stack = exampleStack('web-nginx');
    const live = withoutService(settledCluster(stack, 'v2-canary'), 'nginx-svc');
    const result = match(stack, live, 'v1-only');
    assert.equal(result.stage, null);
    assert.deepEqual(result.drift, [
      { kind: 'Deployment', name: 'nginx-v2', field: 'exists', live: true, planned: false },
      { kind: 'Service', name: 'nginx-svc', field: 'exists', live: false, planned: true },
    ]);
    assert.equal(differenceLine(result.drift[0], 'v1-only'), 'Deployment nginx-v2 exists; v1-only does not have it');
    assert.equal(differenceLine(result.drift[1], 'v1-only'), 'Service nginx-svc is missing');
  });

  test("a router weight changed by hand is drift of the router's object", () => {
    const stack = exampleStack('search-nginx');
    const settled = settledCluster(stack, 'canary-20');
    const routerObjects = settled.routerObjects.map((o): LiveRouterObject => {
      if (o.found !== 'present' || o.name !== 'search-canary') return o;
      const metadata = {
        ...o.object.metadata,
        annotations: { ...o.object.metadata?.annotations, 'nginx.ingress.kubernetes.io/canary-weight': '35' },
      };
      return { ...o, object: { ...o.object, metadata } };
    });
    const result = match(stack, { ...settled, routerObjects }, 'canary-20');
    assert.equal(result.stage, null);
    assert.deepEqual(result.drift, [
      { kind: 'Ingress', name: 'search-canary', field: 'weights.stable', live: 65, planned: 80 },
      { kind: 'Ingress', name: 'search-canary', field: 'weights.canary', live: 35, planned: 20 },
    ]);
  });
});

describe("the router's weights, read back from its objects", () => {
  const routingOf = (stack: Stack) => stack.plan.traffic as WeightedRouting;

  for (const [name, stage, kind, objectName] of [
    ['checkout-gateway', 'canary-50', 'HTTPRoute', 'checkout'],
    ['search-nginx', 'canary-30', 'Ingress', 'search-canary'],
    ['ledger-linkerd', 'canary-20', 'TrafficSplit', 'ledger'],
  ] as const) {
    test(`${name}: the ${kind} of ${stage} carries the stage's weights`, () => {
      const stack = exampleStack(name);
      const routing = routingOf(stack);
      const index = stack.plan.stages.findIndex((s) => s.name === stage);
      const weights = liveRouterWeights(stack.plan, routing, settledCluster(stack, stage).routerObjects);
      assert.deepEqual(weights, { kind, name: objectName, weights: routing.stageWeights[index] });
    });
  }

  test('a missing or unserved router object leaves the weights unknown, saying why', () => {
    const stack = exampleStack('checkout-gateway');
    const routing = routingOf(stack);
    assert.deepEqual(liveRouterWeights(stack.plan, routing, [{ kind: 'HTTPRoute', name: 'checkout', found: 'missing' }]), {
      kind: 'HTTPRoute',
      name: 'checkout',
      unknown: 'HTTPRoute checkout is missing',
    });
    const unserved = liveRouterWeights(stack.plan, routing, [
      { kind: 'HTTPRoute', name: 'checkout', found: 'not-served', apiVersion: 'gateway.networking.k8s.io/v1' },
    ]);
    assert.deepEqual(unserved, {
      kind: 'HTTPRoute',
      name: 'checkout',
      unknown: 'the cluster does not serve gateway.networking.k8s.io/v1 HTTPRoute',
    });
  });

  test('an HTTPRoute that no longer names a track Service leaves the weights unknown', () => {
    const stack = exampleStack('checkout-gateway');
    const route: LiveRouterObject = {
      kind: 'HTTPRoute',
      name: 'checkout',
      found: 'present',
      object: { spec: { rules: [{ backendRefs: [{ name: 'checkout-stable', port: 80, weight: 100 }] }] } },
    };
    assert.deepEqual(liveRouterWeights(stack.plan, routingOf(stack), [route]), {
      kind: 'HTTPRoute',
      name: 'checkout',
      unknown: 'HTTPRoute checkout sends nothing to Service checkout-canary (track canary)',
    });
  });
});
