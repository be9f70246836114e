/**
 * A cluster as `stepwise status` would read it, built without a cluster: the objects a stage of
 * an example stack really renders, applied and settled — each Deployment with its pods (owned
 * through a ReplicaSet) all updated, ready and available, and each Service's EndpointSlice listing
 * the pods its selector matches, as the endpoints controller would. Tests then change it the way
 * a person with kubectl would (scale, switch a selector, delete a Service).
 *
 * The API-shaped objects go through the same converters the cluster reader uses (live-cluster.ts).
 */
import { labelsMatch } from '../../lib/model/labels';
import { renderStackStage } from '../../lib/synth/render-stack';
import type { Stack } from '../../lib/stacks';
import {
  liveDeploymentOf,
  liveEndpointsOf,
  livePodOf,
  liveReplicaSetOf,
  liveServiceOf,
  SERVICE_NAME_LABEL,
  type DeploymentJson,
  type EndpointSliceJson,
  type LiveCluster,
  type LiveDeployment,
  type LivePod,
  type LiveRouterObject,
} from '../../lib/status/live-cluster';
import type { RenderedTemplates } from '../../lib/status/stage-spec';

/** The namespace of `stack` settled at `stage`, router objects included. */
export function settledCluster(stack: Stack, stage: string): LiveCluster {
  const objects = renderStackStage(stack, stage).files.map((f) => f.object);
  const deployments = objects.filter((o) => o.kind === 'Deployment') as unknown as (DeploymentJson & { metadata: { name: string } })[];
  const pods: LivePod[] = [];
  const replicaSets = [];
  for (const d of deployments) {
    const replicas = d.spec?.replicas ?? 1;
    const labels = (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    const rs = `${d.metadata.name}-rs`;
    replicaSets.push(
      liveReplicaSetOf({ metadata: { name: rs, ownerReferences: [{ kind: 'Deployment', name: d.metadata.name, controller: true }] } }),
    );
    for (let i = 0; i < replicas; i++) {
      pods.push(
        livePodOf({ metadata: { name: `${rs}-${i}`, labels, ownerReferences: [{ kind: 'ReplicaSet', name: rs, controller: true }] } }),
      );
    }
  }
  const services = objects.filter((o) => o.kind === 'Service').map((o) => liveServiceOf(o));
  const slices: EndpointSliceJson[] = services.map((s) => ({
    metadata: { name: `${s.name}-slice`, labels: { [SERVICE_NAME_LABEL]: s.name } },
    endpoints: pods
      .filter((p) => labelsMatch(s.selector, p.labels))
      .map((p, i) => ({ addresses: [`10.244.0.${i + 1}`], conditions: { ready: true }, targetRef: { kind: 'Pod', name: p.name } })),
  }));
  const routerObjects: LiveRouterObject[] = objects
    .filter((o) => !['Deployment', 'Service', 'PodDisruptionBudget'].includes(o.kind))
    .map((o) => ({ kind: o.kind, name: o.metadata.name, found: 'present', object: o }));
  return {
    namespace: stack.plan.namespace,
    namespaceExists: true,
    deployments: deployments.map((d) => liveDeploymentOf(settled(d)) as LiveDeployment),
    replicaSets,
    pods,
    services,
    endpoints: liveEndpointsOf(slices),
    routerObjects,
  };
}

/** A rendered Deployment with the status the controller gives it once its rollout is done. */
function settled(d: DeploymentJson): DeploymentJson {
  const replicas = d.spec?.replicas ?? 1;
  return {
    ...d,
    metadata: { ...d.metadata, generation: 1 },
    status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
  };
}

/** A namespace with nothing in it (`exists`: whether the namespace itself does). */
export function emptyCluster(namespace: string, exists = true): LiveCluster {
  return { namespace, namespaceExists: exists, deployments: [], replicaSets: [], pods: [], services: [], endpoints: [], routerObjects: [] };
}

/** `cluster` with Deployment `name` changed by `change` (e.g. scaled by hand). */
export function withDeployment(cluster: LiveCluster, name: string, change: (d: LiveDeployment) => LiveDeployment): LiveCluster {
  assertHas(cluster.deployments, name, 'Deployment');
  return { ...cluster, deployments: cluster.deployments.map((d) => (d.name === name ? change(d) : d)) };
}

/** A change for {@link withDeployment}: scaled to `replicas` by hand (`kubectl scale`), and settled there. */
export function scaledTo(replicas: number): (d: LiveDeployment) => LiveDeployment {
  return (d) => ({
    ...d,
    replicas,
    currentReplicas: replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
  });
}

/** `cluster` without the Service `name` (its EndpointSlices go with it). */
export function withoutService(cluster: LiveCluster, name: string): LiveCluster {
  assertHas(cluster.services, name, 'Service');
  return {
    ...cluster,
    services: cluster.services.filter((s) => s.name !== name),
    endpoints: cluster.endpoints.filter((e) => e.service !== name),
  };
}

function assertHas(objects: readonly { name: string }[], name: string, kind: string): void {
  if (!objects.some((o) => o.name === name))
    throw new Error(`the test cluster has no ${kind} ${name}: ${objects.map((o) => o.name).join(', ')}`);
}

/** The pod templates every stage of `stack` renders, in stage order (what `stepwise status` compares live Deployments with). */
export function stageTemplates(stack: Stack): RenderedTemplates[] {
  return stack.plan.stages.map(
    (stage) =>
      new Map(
        renderStackStage(stack, stage.name)
          .files.filter((f) => f.object.kind === 'Deployment')
          .map((f) => [f.object.metadata.name, (f.object as { spec?: { template?: unknown } }).spec?.template]),
      ),
  );
}

/**
 * A change for {@link withDeployment}: the pod template as the API server stores it: `omitempty`
 * fields left out when false or empty, quantities in canonical form (`1024Mi` → `1Gi`), and the
 * defaults it fills in (`terminationMessagePath`, a probe's `timeoutSeconds`, the pod's
 * `restartPolicy` and `dnsPolicy`).
 */
export function asStoredByApiServer(d: LiveDeployment): LiveDeployment {
  const stored = structuredClone(d.template) as { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
  Object.assign(stored.spec, { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler' });
  for (const c of stored.spec.containers) {
    c.terminationMessagePath = '/dev/termination-log';
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      if (c[probe]) Object.assign(c[probe] as object, { timeoutSeconds: 1, successThreshold: 1 });
    }
  }
  return { ...d, template: canonical(stored) };
}

/** `value` with false and empty `omitempty` fields dropped and `<n*1024>Mi` written `<n>Gi`. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== false && v !== '')
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  if (typeof value === 'string') {
    const mi = /^(\d+)Mi$/.exec(value);
    if (mi && Number(mi[1]) % 1024 === 0) return `${Number(mi[1]) / 1024}Gi`;
  }
  return value;
}

/** A change for {@link withDeployment}: env var `name` of container `container` set to `value` by hand (`kubectl set env`). */
export function withEnv(container: string, name: string, value: string): (d: LiveDeployment) => LiveDeployment {
  return (d) => {
    const template = structuredClone(d.template) as { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } };
    const c = template.spec.containers.find((x) => x.name === container);
    if (!c) throw new Error(`the test Deployment ${d.name} has no container ${container}`);
    const env = (c.env ??= []);
    const found = env.find((e) => e.name === name);
    if (found) found.value = value;
    else env.push({ name, value });
    return { ...d, template };
  };
}
