/**
 * A scale-down waits for the router. pulumi-kubernetes has no await logic for an HTTPRoute: it
 * applies it and returns, and the Deployments that depend on it scale down at once, before any
 * Gateway has taken the new weights. The Pulumi program puts a `pulumi.com/waitFor` on the route
 * (lib/pulumi/route-accepted.ts) that holds until every parent Gateway reports it `Accepted` at
 * its current generation. A stand-in gateway controller (support/gateway-controller.ts) accepts
 * each new generation of a route after a delay, and the tests compare when it did with when the
 * canary was scaled down.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { ReleaseProject } from './support/pulumi-engine';
import { useSuite, withMinReadySeconds } from './support/suite';
import { TransitionObserver } from './support/transition-observer';

const suite = useSuite();

/** Why the tests are skipped on a cluster the suite did not start (`KUBECONFIG`): they time the suite's own stand-in. */
const STAND_IN_ONLY = 'needs the stand-in gateway controller of a cluster the suite starts';

/** How long the stand-in gateway takes to accept a new generation of a route: long enough to tell before from after. */
const GATEWAY_DELAY_MS = 8_000;

/** checkout-gateway, quick to roll; `waitForAccepted: false` when `wait` is false. */
function checkoutGateway(wait: boolean): (yaml: string) => string {
  return (yaml) => {
    const document = parseDocument(withMinReadySeconds(1)(yaml));
    if (!wait) document.setIn(['config', 'stepwise:plan', 'traffic', 'waitForAccepted'], false);
    return document.toString();
  };
}

/**
 * Deploys checkout-gateway at `canary` (2 canary pods, 5% of requests), rolls it back to
 * `baseline` (0% to the canary, then the canary scales to 1 pod: a break after the switch), and
 * returns when the stand-in gateway accepted the route's new generation and when the canary was
 * scaled down, both as `performance.now()` times.
 */
async function rollBackTheCanary(wait: boolean): Promise<{ accepted: number; scaledDown: number; generation: number }> {
  const gateway = suite.gateway;
  assert.ok(gateway, 'the stand-in gateway controller runs on a cluster the suite started');
  const project = await ReleaseProject.create(suite.engine, 'checkout-gateway', checkoutGateway(wait));
  const { plan } = project.read();
  const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
  gateway.delayMs = GATEWAY_DELAY_MS;
  // Only this project's route: an earlier test's route had the same name and generations.
  const acceptedBefore = gateway.accepted.length;
  /** When the stand-in accepted `generation` of this project's route (waiting for it a while), or undefined. */
  const acceptance = async (generation: number) => {
    const find = () => gateway.accepted.slice(acceptedBefore).find((a) => a.name === 'checkout' && a.generation === generation);
    const deadline = performance.now() + 2 * GATEWAY_DELAY_MS;
    while (!find() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return find();
  };
  try {
    assert.equal((await project.up()).summary.result, 'succeeded', 'pulumi up of baseline');
    project.stepwise('promote', 'checkout-gateway', '--skip-gate');
    assert.equal((await project.up()).summary.result, 'succeeded', 'pulumi up of canary');
    const route = `/apis/gateway.networking.k8s.io/v1/namespaces/${plan.namespace}/httproutes/checkout`;
    const before = (await suite.cluster.api.get(route)) as { metadata: { generation: number } };
    assert.ok(
      await acceptance(before.metadata.generation),
      'before the rollback, the route is accepted at its generation (a status a stale check would take for the new one)',
    );

    project.stepwise('rollback', 'checkout-gateway');
    const since = performance.now();
    assert.equal((await project.up()).summary.result, 'succeeded', 'pulumi up of the rollback to baseline');
    const { generation } = ((await suite.cluster.api.get(route)) as { metadata: { generation: number } }).metadata;
    assert.ok(generation > before.metadata.generation, 'the rollback changed the route');
    const accepted = await acceptance(generation);
    assert.ok(accepted, `the stand-in gateway never accepted generation ${generation}`);
    const scaledDown = observer
      .since(since)
      .find((o) => o.kind === 'deployment' && o.name === 'checkout-canary' && o.replicas === 1 && o.type === 'MODIFIED');
    assert.ok(scaledDown, 'the canary was scaled down to 1 pod');
    assert.deepEqual(gateway.errors, []);
    return { accepted: accepted.at, scaledDown: scaledDown.at, generation };
  } finally {
    gateway.delayMs = 0;
    observer.stop();
    await project.destroy();
  }
}

test('pulumi up scales the canary down only after the Gateway accepted the route with the new weights', async (t) => {
  if (!suite.gateway) return t.skip(STAND_IN_ONLY);
  const { accepted, scaledDown, generation } = await rollBackTheCanary(true);
  t.diagnostic(`scaled down ${((scaledDown - accepted) / 1000).toFixed(2)} s after the Gateway accepted the route`);
  assert.ok(
    scaledDown > accepted,
    `the canary was scaled down ${((accepted - scaledDown) / 1000).toFixed(1)} s before the Gateway accepted generation ${generation} of the route`,
  );
});

test('with traffic.waitForAccepted: false, pulumi-kubernetes does not wait for the route: the canary scales down before the Gateway acts', async (t) => {
  if (!suite.gateway) return t.skip(STAND_IN_ONLY);
  const { accepted, scaledDown } = await rollBackTheCanary(false);
  t.diagnostic(`scaled down ${((accepted - scaledDown) / 1000).toFixed(2)} s before the Gateway accepted the route`);
  assert.ok(scaledDown < accepted, 'pulumi-kubernetes has no await for an HTTPRoute: the scale-down followed the route at once');
});
