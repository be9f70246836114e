import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dependenciesOf, recordRegistrations, registrationOf, valueOf, type Registration } from './support/pulumi-mocks';

/** Resolves once `done()` holds, polling (registrations are recorded asynchronously). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** The Kubernetes objects among `registrations`, as `Kind/name`, sorted. */
function objectsOf(registrations: readonly Registration[]): string[] {
  return registrations
    .filter((r) => r.custom)
    .map((r) => `${String(r.inputs.kind)}/${(r.inputs.metadata as { name: string }).name}`)
    .sort();
}

describe('examples/pulumi-program: a Pulumi program using the CanaryService component directly', () => {
  test('the program registers one CanaryService component parenting the namespace and every object, and exports the baseline', async () => {
    // Mocks first, then the program: imported earlier, it would have registered nothing.
    const registrations = await recordRegistrations('dev');
    const program = await import('../examples/pulumi-program/index.js');
    await until(() => registrations.length === 7);
    const [component] = registrations.filter((r) => !r.custom);
    assert.equal(component.type, 'stepwise:index:CanaryService');
    assert.equal(component.name, 'api');
    assert.deepEqual(objectsOf(registrations), [
      'Deployment/api',
      'Deployment/api-canary',
      'Namespace/shop',
      'PodDisruptionBudget/api',
      'PodDisruptionBudget/api-canary',
      'Service/api',
    ]);
    for (const r of registrations.filter((r) => r.custom)) assert.equal(r.parent, component.urn, r.name);
    assert.equal(await valueOf(program.currentStage), 'baseline');
    const workloads = await valueOf(program.workloads);
    assert.deepEqual(Object.fromEntries(Object.entries(workloads).map(([name, w]) => [name, [w.replicas, w.trafficShare]])), {
      api: [9, 0.9],
      'api-canary': [1, 0.1],
    });
  });

  test('widening the canary applies it make-before-break: canary up, then the Service, then stable down', async () => {
    const registrations = await recordRegistrations('dev');
    const { apiRelease } = await import('../examples/pulumi-program/api-release.js');
    const release = apiRelease('canary-widened');
    await Promise.all([...release.objects.values()].map((o) => valueOf(o.resource.urn)));
    const objects = registrations.filter((r) => r.custom && r.inputs.kind !== 'Namespace');
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Service', 'api'), objects), ['Deployment/api-canary']);
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Deployment', 'api'), objects), ['Service/api']);
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Deployment', 'api-canary'), objects), []);
    assert.equal((registrationOf(objects, 'Deployment', 'api').inputs.spec as { replicas: number }).replicas, 7);
  });
});
