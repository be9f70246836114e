/**
 * The blog's selector cutover on a real control plane with the real Pulumi engine, starting from
 * what the blog runs: nginx-dm (selector and pod labels `name: nginx` only, 6 × nginx:1.16.1) and
 * the NodePort Service nginx-svc, applied with `kubectl apply` exactly as the blog writes them, with
 * no stepwise label. Then `pulumi up` at every stage of test/fixtures/stacks/Pulumi.blog-nginx.yaml:
 * nginx-dm is adopted (same UID), nginx-v2 joins and is scaled up, the Service switches to
 * `version: v2`, nginx-dm is deleted. nginx-dm's selector matches nginx-v2's pods all along.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { namespaceObject } from '../lib/constructs/release-namespace';
import { kubectl } from './support/binaries';
import type { KubeObject } from './support/kube-api';
import { assertMoveKeptPromises, deploymentUids, startMove } from './support/move-promises';
import { ReleaseProject } from './support/pulumi-engine';
import { useSuite, withMinReadySeconds } from './support/suite';
import { describeNamespace, TransitionObserver, type Observation } from './support/transition-observer';

const suite = useSuite();
const run = promisify(execFile);
const kubectlRun = (...args: string[]) => run(kubectl(suite.binaries), ['--kubeconfig', suite.cluster.kubeconfig, ...args]);

/** The blog's manifests, as it writes them (its namespace aside: the plan's). */
function blogManifests(namespace: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-dm
  namespace: ${namespace}
spec:
  replicas: 6
  selector:
    matchLabels:
      name: nginx
  template:
    metadata:
      labels:
        name: nginx
    spec:
      containers:
        - name: nginx
          image: nginx:1.16.1
          imagePullPolicy: IfNotPresent
          ports:
            - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: nginx-svc
  namespace: ${namespace}
spec:
  type: NodePort
  selector:
    name: nginx
  ports:
    - protocol: TCP
      port: 80
      targetPort: 80
      nodePort: 31180
`;
}

interface Pod extends KubeObject {
  readonly metadata: KubeObject['metadata'] & { readonly labels?: Record<string, string> };
}

test('the blog nginx app applied with kubectl is adopted and cut over to v2 by pulumi up, stage by stage', async () => {
  const project = await ReleaseProject.create(suite.engine, 'blog-nginx', withMinReadySeconds(1), 'test/fixtures/stacks');
  const { plan } = project.read();
  const ns = plan.namespace;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-e2e-blog-'));
  await suite.cluster.api.apply('/api/v1/namespaces', namespaceObject(plan) as KubeObject);
  const observer = await TransitionObserver.start(suite.cluster.api, ns);
  const describe = () => describeNamespace(suite.cluster.api, ns);
  /** The labels of the pods behind nginx-svc's ready endpoints. */
  const readyEndpointPods = async (): Promise<Record<string, string>[]> => {
    const slices = (await suite.cluster.api.get(
      `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dnginx-svc`,
    )) as { items: { endpoints?: { conditions?: { ready?: boolean }; targetRef?: { name: string } }[] }[] };
    const names = slices.items.flatMap((s) =>
      (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).map((e) => e.targetRef?.name ?? ''),
    );
    return Promise.all(
      names.map(async (name) => ((await suite.cluster.api.get(`/api/v1/namespaces/${ns}/pods/${name}`)) as Pod).metadata.labels ?? {}),
    );
  };
  /** A dry-run eviction of a pod of `workload`: the API server's answer (it refuses a pod under two budgets). */
  const evictOnePod = async (labelSelector: string) => {
    const pods = (await suite.cluster.api.get(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(labelSelector)}`)) as {
      items: Pod[];
    };
    const name = pods.items[0].metadata.name;
    const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns }, deleteOptions: { dryRun: ['All'] } };
    return suite.cluster.api.raw('POST', `/api/v1/namespaces/${ns}/pods/${name}/eviction`, JSON.stringify(eviction));
  };
  try {
    fs.writeFileSync(path.join(dir, 'blog.yaml'), blogManifests(ns));
    await kubectlRun('apply', '-f', dir);
    await kubectlRun('-n', ns, 'rollout', 'status', 'deployment/nginx-dm', '--timeout=120s');
    assert.equal(await observer.settledReadyEndpoints('nginx-svc', 6), 6);
    const adopted = deploymentUids(observer.observations);
    assert.deepEqual([...adopted.keys()], ['nginx-dm']);

    // Stage 1 (v1-only): pulumi up adopts nginx-dm and nginx-svc; the pod template gains the
    // plan's probes, resources and security context, rolled one surge pod at a time.
    const adoptedAt = performance.now();
    const first = await project.up();
    assert.equal(first.summary.result, 'succeeded');
    const dm = (await suite.cluster.api.get(`/apis/apps/v1/namespaces/${ns}/deployments/nginx-dm`)) as any;
    assert.equal(dm.metadata.uid, adopted.get('nginx-dm'), 'nginx-dm kept its UID: adopted, not replaced');
    assert.deepEqual(dm.spec.selector, { matchLabels: { name: 'nginx' } });
    assert.equal(await observer.settledReadyEndpoints('nginx-svc', 6), 6);
    assert.ok(
      observer.minReadyEndpoints('nginx-svc', adoptedAt, 6) >= 6,
      `adopting nginx-dm took nginx-svc below 6 ready endpoints\n${await describe()}`,
    );
    const uids = deploymentUids(observer.observations);

    for (let next = 1; next < plan.stages.length; next++) {
      const at = next - 1;
      project.stepwise('promote', 'blog-nginx', '--skip-gate');
      assert.equal(project.read().stageIndex, next);
      const start = await startMove(observer, plan, at, next);
      const result = await project.up();
      assert.equal(result.summary.result, 'succeeded', `pulumi up ${plan.stages[at].name} → ${plan.stages[next].name}`);
      // Ready endpoints never below the plan's minimum (the floor), nothing replaced, switch after ready.
      await assertMoveKeptPromises(observer, plan, at, next, start, uids, describe);

      const stage = plan.stages[next].name;
      if (stage === 'v2-scaled') {
        // Both workloads run, nginx-dm's selector matching nginx-v2's pods: each pod is under one
        // budget only, so the eviction API accepts both (it refuses a pod under two outright).
        for (const selector of ['name=nginx,!version', 'name=nginx,version=v2']) {
          const answer = await evictOnePod(selector);
          assert.equal(answer.status, 201, `a dry-run eviction of a pod selected by ${selector}: ${answer.status} ${answer.body}`);
        }
        // The control: a second budget over name: nginx (what nginx-dm's Deployment selector would
        // give) makes the same eviction fail, as pkg/registry/core/pod/storage/eviction.go says.
        const probe = {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'overlap-probe', namespace: ns },
          spec: { maxUnavailable: 1, selector: { matchLabels: { name: 'nginx' } } },
        };
        await suite.cluster.api.apply(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, probe);
        const refused = await evictOnePod('name=nginx,version=v2');
        await suite.cluster.api.delete(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/overlap-probe`);
        assert.equal(refused.status, 500, refused.body);
        assert.match(refused.body, /more than one PodDisruptionBudget/);
        assert.deepEqual(
          (await readyEndpointPods()).map((l) => l.version ?? 'none').sort(),
          ['none', 'none', 'none', 'none', 'none', 'none', 'v2', 'v2', 'v2', 'v2', 'v2', 'v2'],
          'before the cutover nginx-svc serves both workloads',
        );
      }
      if (stage === 'cutover') {
        const labels = await readyEndpointPods();
        assert.equal(labels.length, 6);
        assert.ok(
          labels.every((l) => l.version === 'v2'),
          `after the cutover nginx-svc's endpoints are only v2 pods: ${JSON.stringify(labels)}`,
        );
      }
    }

    assert.equal(
      await suite.cluster.api.getOrUndefined(`/apis/apps/v1/namespaces/${ns}/deployments/nginx-dm`),
      undefined,
      'nginx-dm is deleted',
    );
    const dmSeen = observer.observations.filter(
      (o): o is Extract<Observation, { kind: 'deployment' }> => o.kind === 'deployment' && o.name === 'nginx-dm',
    );
    assert.ok(
      dmSeen.every((o) => o.uid === adopted.get('nginx-dm')),
      'nginx-dm had one UID from kubectl apply to its deletion',
    );
    assert.equal(dmSeen.at(-1)?.type, 'DELETED');
    const serviceUids = new Set(observer.observations.flatMap((o) => (o.kind === 'service' && o.name === 'nginx-svc' ? [o.uid] : [])));
    assert.equal(serviceUids.size, 1, 'nginx-svc kept the UID kubectl apply gave it: adopted, not replaced');
    assert.deepEqual(observer.errors, []);
  } finally {
    observer.stop();
    await project.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
