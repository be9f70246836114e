import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveService, resolveWorkload, type ServiceProps } from '../lib/constructs';
import { StepwiseErrors } from '../lib/model';
import { stageOutputs } from '../lib/pulumi/release-outputs';
import { SelectorCutover, type SelectorCutoverArgs } from '../lib/pulumi/components';
import { recordRegistrations, valueOf } from './support/pulumi-mocks';

/** A selector cutover at its cutover stage, as a Pulumi program of one's own states it. */
const CUTOVER: SelectorCutoverArgs = {
  stage: 'cutover',
  fromStage: 'v2-scaled',
  namespace: 'web',
  services: [{ name: 'nginx', selector: { name: 'nginx', version: 'v2' }, ports: [{ port: 80 }], type: 'NodePort' }],
  workloads: [
    { name: 'nginx-dm', labels: { name: 'nginx', version: 'v1' }, image: 'nginx:1.16.1', replicas: 6 },
    { name: 'nginx-v2', labels: { name: 'nginx', version: 'v2' }, image: 'nginx:1.18.0', replicas: 6 },
  ],
};

describe('the Pulumi components with typed args', () => {
  test('a SelectorCutover exports the stage, where it came from, and every request on v2', async () => {
    await recordRegistrations('web');
    const release = new SelectorCutover('web', CUTOVER);
    assert.equal(await valueOf(release.stage), 'cutover');
    assert.equal(await valueOf(release.fromStage), 'v2-scaled');
    const workloads = await valueOf(release.workloads);
    assert.deepEqual([workloads['nginx-dm'].trafficShare, workloads['nginx-v2'].trafficShare], [0, 1]);
    assert.deepEqual((await valueOf(release.services)).nginx.endpoints, ['nginx-v2']);
  });

  test("a workload two Services select gets the first Service's share, as kube-proxy spreads requests", () => {
    // api-stable selects api alone; api selects both tracks, 3 and 1 pods. The first Service decides.
    const services: ServiceProps[] = [
      { name: 'api-stable', selector: { app: 'api', track: 'stable' }, ports: [{ port: 80 }] },
      { name: 'api', selector: { app: 'api' }, ports: [{ port: 80 }] },
    ];
    const outputs = stageOutputs({
      stage: 'canary',
      fromStage: 'canary',
      workloads: [
        { name: 'api', labels: { app: 'api', track: 'stable' }, image: 'api:1.4.0', replicas: 3 },
        { name: 'api-canary', labels: { app: 'api', track: 'canary' }, image: 'api:1.5.0', replicas: 1 },
      ].map(resolveWorkload),
      services: services.map(resolveService),
    });
    assert.deepEqual(
      Object.entries(outputs.workloads).map(([name, w]) => [name, w.trafficShare]),
      [
        ['api', 1],
        ['api-canary', 0.25],
      ],
    );
    assert.deepEqual(outputs.services.api.trafficShare, { api: 0.75, 'api-canary': 0.25 });
  });

  test('createNamespace: false registers no Namespace', async () => {
    const registrations = await recordRegistrations('web');
    const release = new SelectorCutover('web', { ...CUTOVER, createNamespace: false });
    await Promise.all([...release.objects.values()].map((o) => valueOf(o.resource.urn)));
    assert.equal(release.namespace, undefined);
    assert.ok(registrations.length > 0);
    assert.equal(registrations.filter((r) => r.type === 'kubernetes:core/v1:Namespace').length, 0);
  });

  test("the component's own args and the construct's props are refused together, each naming its arg", () => {
    assert.throws(
      () =>
        new SelectorCutover('web', {
          ...CUTOVER,
          namespace: undefined,
          createNamespace: true,
          phases: { 'nginx-v3': 'make' },
          workloads: [CUTOVER.workloads[0], { ...CUTOVER.workloads[1], image: '' }],
        }),
      (error: unknown) =>
        error instanceof StepwiseErrors &&
        JSON.stringify(error.errors.map((e) => e.keyPath)) === JSON.stringify(['phases.nginx-v3', 'createNamespace', 'workloads[1].image']),
    );
  });
});
