/**
 * Replicas an autoscaler changed. A HorizontalPodAutoscaler resizes a Deployment through its
 * `scale` subresource, as the controller-manager's field manager. The first test does the same
 * by hand, to show exactly what the next `pulumi up` does: every object the program applies
 * carries `pulumi.com/patchForce`, so it depends on whether the update applies that Deployment at
 * all (Pulumi diffs the program against its own state, not against the cluster). The second runs
 * the real HPA controller: without a metrics API (the test cluster serves none) it still holds a
 * Deployment within `minReplicas`..`maxReplicas`, which is enough to see the two fight.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from './support/kube-api';
import { ReleaseProject } from './support/pulumi-engine';
import { useSuite, withMinReadySeconds } from './support/suite';
import { TransitionObserver } from './support/transition-observer';

const suite = useSuite();

/** What the HPA controller does: a PUT of the Deployment's scale subresource, as kube-controller-manager. */
async function autoscale(namespace: string, deployment: string, replicas: number): Promise<void> {
  const url = `/apis/apps/v1/namespaces/${namespace}/deployments/${deployment}/scale`;
  const scale = (await suite.cluster.api.get(url)) as { spec: { replicas: number } };
  const response = await suite.cluster.api.raw(
    'PUT',
    `${url}?fieldManager=kube-controller-manager`,
    JSON.stringify({ ...scale, spec: { ...scale.spec, replicas } }),
  );
  assert.equal(response.status, 200, response.body);
}

test('after an autoscaler changed replicas, pulumi up sets them back on the Deployments it updates, and pulumi up --refresh on all', async () => {
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', withMinReadySeconds(1));
  const { plan } = project.read();
  const replicas = async (name: string) =>
    ((await suite.cluster.api.get(`/apis/apps/v1/namespaces/${plan.namespace}/deployments/${name}`)) as { spec: { replicas: number } }).spec
      .replicas;
  try {
    assert.equal((await project.up()).summary.result, 'succeeded', 'pulumi up of baseline (9 stable, 1 canary)');
    await autoscale(plan.namespace, 'fop-gate', 12);
    await autoscale(plan.namespace, 'fop-gate-canary', 3);

    // canary: the canary gets a new image (its Deployment is updated), stable is unchanged.
    project.stepwise('promote', 'fop-gate', '--skip-gate');
    const promoted = await project.up();
    assert.equal(promoted.summary.result, 'succeeded', 'pulumi up of canary');
    assert.equal(await replicas('fop-gate-canary'), 1, "the updated canary Deployment has the stage's replicas again");
    assert.equal(await replicas('fop-gate'), 12, "the stable Deployment, unchanged in the program, keeps the autoscaler's replicas");
    assert.deepEqual(
      Object.keys(promoted.summary.resourceChanges ?? {}).sort(),
      ['read', 'same', 'update'],
      'the update did not touch stable',
    );

    const refreshed = await project.up({ refresh: true });
    assert.equal(refreshed.summary.result, 'succeeded', 'pulumi up --refresh at the same stage');
    assert.equal(await replicas('fop-gate'), 9, "after a refresh Pulumi sees the autoscaler's change and sets the stage's replicas");
  } finally {
    await project.destroy();
  }
});

test('a real HorizontalPodAutoscaler takes the replicas back after pulumi up set the stage replicas', async (t) => {
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', withMinReadySeconds(1));
  const { plan } = project.read();
  const hpas = `/apis/autoscaling/v2/namespaces/${plan.namespace}/horizontalpodautoscalers`;
  const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
  const canaryReplicas = (since: number) =>
    observer
      .since(since)
      .filter((o) => o.kind === 'deployment' && o.name === 'fop-gate-canary')
      .map((o) => (o.kind === 'deployment' ? o.replicas : 0));
  const until = async (what: string, done: () => boolean) => {
    const deadline = performance.now() + 60_000; // the HPA controller syncs every 15 s
    while (!done()) {
      if (performance.now() > deadline) assert.fail(`${what} within 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  try {
    assert.equal((await project.up()).summary.result, 'succeeded', 'pulumi up of baseline (1 canary pod)');
    const hpa: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'fop-gate-canary', namespace: plan.namespace },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'fop-gate-canary' }, minReplicas: 3, maxReplicas: 4 },
    };
    await suite.cluster.api.apply(hpas, hpa);
    const start = performance.now();
    await until('the HPA scaled the canary to its minReplicas 3', () => canaryReplicas(start).includes(3));

    project.stepwise('promote', 'fop-gate', '--skip-gate');
    const since = performance.now();
    assert.equal((await project.up()).summary.result, 'succeeded', 'pulumi up of canary (a new canary image, 1 pod)');
    assert.ok(canaryReplicas(since).includes(1), "pulumi up set the stage's 1 replica");
    await until('the HPA scaled the canary back to 3', () => canaryReplicas(since).lastIndexOf(3) > canaryReplicas(since).indexOf(1));
    const seen = observer.since(since).filter((o) => o.kind === 'deployment' && o.name === 'fop-gate-canary');
    const setByPulumi = seen.find((o) => o.kind === 'deployment' && o.replicas === 1) as { at: number };
    const takenBack = seen.find((o) => o.kind === 'deployment' && o.replicas === 3 && o.at > setByPulumi.at) as { at: number };
    t.diagnostic(`the HPA took the replicas back ${((takenBack.at - setByPulumi.at) / 1000).toFixed(1)} s after pulumi up set them`);
  } finally {
    observer.stop();
    await suite.cluster.api.delete(`${hpas}/fop-gate-canary`);
    await project.destroy();
  }
});
