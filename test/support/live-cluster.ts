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
