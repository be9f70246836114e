/** `stepwise status`: real endpoints per workload behind each Service, and the traffic share they give, next to the plan's. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stageState } from '../lib/model';
import { isWeighted, routedTraffic } from '../lib/routing';
import { liveEndpointsOf, SERVICE_NAME_LABEL, type LiveCluster } from '../lib/status/live-cluster';
import { serviceTraffic } from '../lib/status/live-traffic';
import { liveRouterWeights } from '../lib/status/router-weights';
import type { Stack } from '../lib/stacks';
import { exampleStack } from './support/example-stacks';
import { settledCluster } from './support/live-cluster';

function trafficAt(stack: Stack, stage: string, live: LiveCluster) {
  const routing = stack.plan.traffic;
  const index = stack.plan.stages.findIndex((s) => s.name === stage);
  const weights = isWeighted(routing) ? liveRouterWeights(stack.plan, routing, live.routerObjects) : undefined;
  return serviceTraffic(stack.plan, routing, index, live, weights);
}

/** `live` with the endpoints of `service` rewritten by `change`. */
function withEndpoints(
  live: LiveCluster,
  service: string,
  change: (e: LiveCluster['endpoints'][number]) => LiveCluster['endpoints'][number],
) {
  return { ...live, endpoints: live.endpoints.map((e) => (e.service === service ? change(e) : e)) };
}

describe('traffic share by ready endpoints', () => {
  test('fop-gate at canary-widened: 7 and 3 ready endpoints give 70% and 30%, as the plan says', () => {
    const stack = exampleStack('fop-gate');
    const [service] = trafficAt(stack, 'canary-widened', settledCluster(stack, 'canary-widened'));
    const plan = stageState(stack.plan, 2).services[0];
    assert.equal(service.name, 'fop-gate');
    assert.equal(service.shareBy, 'ready endpoints');
    assert.equal(service.readyEndpoints, 10);
    assert.equal(service.plannedReadyEndpoints, plan.readyEndpoints);
    assert.deepEqual(
      service.workloads.map((w) => [w.workload, w.ready, w.notReady, w.share, w.plannedReady, w.plannedShare]),
      [
        ['fop-gate', 7, 0, 0.7, 7, plan.traffic['fop-gate']],
        ['fop-gate-canary', 3, 0, 0.3, 3, plan.traffic['fop-gate-canary']],
      ],
    );
  });

  test('an endpoint that is not ready takes no share, and is counted as not ready', () => {
    const stack = exampleStack('fop-gate');
    const settled = settledCluster(stack, 'canary');
    const live = withEndpoints(settled, 'fop-gate', (e) => ({
      ...e,
      endpoints: e.endpoints.map((p) => (p.pod?.startsWith('fop-gate-canary-') ? { ...p, ready: false } : p)),
    }));
    const [service] = trafficAt(stack, 'canary', live);
    const canary = service.workloads.find((w) => w.workload === 'fop-gate-canary');
    assert.deepEqual(canary && [canary.ready, canary.notReady, canary.share, canary.plannedShare], [0, 1, 0, 0.1]);
    assert.equal(service.workloads.find((w) => w.workload === 'fop-gate')?.share, 1);
  });

  test('a pod in an IPv4 and an IPv6 EndpointSlice is one endpoint', () => {
    const slice = (family: string, address: string) => ({
      metadata: { name: `web-${family}`, labels: { [SERVICE_NAME_LABEL]: 'web' } },
      endpoints: [{ addresses: [address], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'web-1' } }],
    });
    const [web] = liveEndpointsOf([slice('v4', '10.0.0.1'), slice('v6', 'fd00::1')]);
    assert.deepEqual(web.endpoints, [{ pod: 'web-1', address: '10.0.0.1', ready: true }]);
  });

  test('an endpoint whose ready condition is unset counts as ready, as the API documents', () => {
    const [web] = liveEndpointsOf([
      { metadata: { labels: { [SERVICE_NAME_LABEL]: 'web' } }, endpoints: [{ addresses: ['10.0.0.1'], conditions: {} }] },
    ]);
    assert.deepEqual(web.endpoints, [{ address: '10.0.0.1', ready: true }]);
  });

  test('a pod without an owning ReplicaSet belongs to the Deployment whose selector matches it; another pod to none', () => {
    const stack = exampleStack('web-nginx');
    const settled = settledCluster(stack, 'v1-only');
    const live: LiveCluster = {
      ...settled,
      pods: [
        ...settled.pods,
        { name: 'debug-copy', labels: { name: 'nginx', version: 'v1' } },
        { name: 'hand-made', labels: { name: 'nginx' } },
      ],
    };
    const extra = [
      { pod: 'debug-copy', address: '10.244.9.1', ready: true },
      { pod: 'hand-made', address: '10.244.9.2', ready: true },
    ];
    const [service] = trafficAt(
      stack,
      'v1-only',
      withEndpoints(live, 'nginx-svc', (e) => ({ ...e, endpoints: [...e.endpoints, ...extra] })),
    );
    assert.deepEqual(
      service.workloads.map((w) => [w.workload, w.ready, w.share]),
      [
        ['nginx-dm', 7, 7 / 8],
        [null, 1, 1 / 8],
      ],
    );
  });
});

describe('traffic share by router weights', () => {
  test("search-nginx at canary-30: the split Service's share is the Ingress weights; the track Services' by endpoints", () => {
    const stack = exampleStack('search-nginx');
    const services = trafficAt(stack, 'canary-30', settledCluster(stack, 'canary-30'));
    const routed = routedTraffic(stageState(stack.plan, 3), stack.plan.traffic);
    const [search, ...tracks] = services;
    assert.equal(search.shareBy, 'router weights');
    for (const w of search.workloads) {
      assert.ok(w.workload !== null);
      assert.ok(Math.abs((w.share ?? NaN) - routed[w.workload]) < 1e-9, `${w.workload}: ${w.share} against ${routed[w.workload]}`);
      assert.equal(w.plannedShare, routed[w.workload]);
    }
    assert.deepEqual(
      tracks.map((t) => [t.name, t.shareBy, t.workloads.map((w) => [w.workload, w.share])]),
      [
        ['search-stable', 'ready endpoints', [['search', 1]]],
        ['search-canary', 'ready endpoints', [['search-canary', 1]]],
      ],
    );
  });

  test('with the weights unknown, the live share of the split Service is unknown (null), not guessed', () => {
    const stack = exampleStack('checkout-gateway');
    const live: LiveCluster = {
      ...settledCluster(stack, 'canary'),
      routerObjects: [{ kind: 'HTTPRoute', name: 'checkout', found: 'missing' }],
    };
    const [checkout] = trafficAt(stack, 'canary', live);
    const planned = routedTraffic(stageState(stack.plan, 1), stack.plan.traffic);
    assert.deepEqual(
      checkout.workloads.map((w) => [w.workload, w.share, w.plannedShare]),
      [
        ['checkout', null, planned.checkout],
        ['checkout-canary', null, planned['checkout-canary']],
      ],
    );
    assert.ok(Math.abs(planned['checkout-canary'] - 0.05) < 1e-9, 'the plan sends the canary 5%');
  });
});
