/**
 * What a team has in place before it releases a workload that uses the pod template passthrough:
 * the ServiceAccount, Secrets, ConfigMaps and PersistentVolumeClaims its pods reference. stepwise
 * renders none of them (they belong to the app, not to the release), so the e2e suite creates them
 * in the release's namespace first, found by reading every stage's rendered pod templates — as an
 * app's owners would before its first `pulumi up` or sync.
 *
 * A claim is bound to a volume made for it (the suite's controller-manager runs no volume binder,
 * and kwok mounts nothing): the PersistentVolume names the claim, the claim the volume, as the
 * binder would leave them (both `Bound`, which pulumi-kubernetes' Deployment await also waits
 * for), so the scheduler places the pods. Each claim gets a new volume: one the
 * scheduler bound to an earlier claim of the same name records that claim's UID.
 */
import { randomBytes } from 'node:crypto';
import { renderStage } from '../../lib/constructs/release-chart';
import type { Plan } from '../../lib/model';
import type { KubeApi, KubeObject } from './kube-api';

/** The names a pod template references, by kind, with the keys it reads of each Secret or ConfigMap. */
interface References {
  readonly serviceAccounts: Set<string>;
  readonly secrets: Map<string, Set<string>>;
  readonly configMaps: Map<string, Set<string>>;
  readonly claims: Set<string>;
}

/** Every object the plan's pods reference and stepwise does not render, in creation order. */
export function workloadPrerequisites(plan: Plan, volumeSuffix = randomBytes(4).toString('hex')): KubeObject[] {
  const refs: References = { serviceAccounts: new Set(), secrets: new Map(), configMaps: new Map(), claims: new Set() };
  for (const stage of plan.stages) {
    for (const object of renderStage(plan, stage.name)) {
      if (object.kind === 'Deployment') collect((object as any).spec.template.spec, refs);
    }
  }
  const meta = (name: string) => ({ name, namespace: plan.namespace });
  const data = (keys: Set<string>) => Object.fromEntries([...keys].sort().map((k) => [k, 'e2e']));
  return [
    ...[...refs.serviceAccounts].sort().map((name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name) })),
    ...[...refs.secrets].sort().map(([name, keys]) => ({ apiVersion: 'v1', kind: 'Secret', metadata: meta(name), stringData: data(keys) })),
    ...[...refs.configMaps].sort().map(([name, keys]) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name), data: data(keys) })),
    ...[...refs.claims].sort().flatMap((name) => boundClaim(plan.namespace, name, volumeSuffix)),
  ] as KubeObject[];
}

/** Creates {@link workloadPrerequisites} in the cluster (the namespace must exist). */
export async function createWorkloadPrerequisites(api: KubeApi, plan: Plan): Promise<void> {
  for (const object of workloadPrerequisites(plan)) {
    const { kind, metadata } = object;
    const collection =
      kind === 'PersistentVolume' ? '/api/v1/persistentvolumes' : `/api/v1/namespaces/${metadata.namespace}/${String(kind).toLowerCase()}s`;
    await api.apply(collection, object);
    // The phases the binder would set, through the status subresource.
    if (kind === 'PersistentVolume') await api.mergePatch(`${collection}/${metadata.name}/status`, { status: { phase: 'Bound' } });
    if (kind === 'PersistentVolumeClaim') {
      const { spec } = object as unknown as { spec: { accessModes: string[]; resources: { requests: { storage: string } } } };
      await api.mergePatch(`${collection}/${metadata.name}/status`, {
        status: { phase: 'Bound', accessModes: spec.accessModes, capacity: { storage: spec.resources.requests.storage } },
      });
    }
  }
}

/** The PersistentVolume made for claim `name` and the claim, bound to each other. */
function boundClaim(namespace: string, name: string, suffix: string): KubeObject[] {
  const volume = `e2e-${namespace}-${name}-${suffix}`;
  return [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: volume },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        hostPath: { path: `/tmp/${volume}` },
        claimRef: { namespace, name },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace, annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: volume },
    },
  ] as KubeObject[];
}

function collect(pod: any, refs: References): void {
  if (pod.serviceAccountName) refs.serviceAccounts.add(pod.serviceAccountName);
  const key = (map: Map<string, Set<string>>, name: string, k?: string) => {
    const keys = map.get(name) ?? new Set<string>();
    if (k) keys.add(k);
    map.set(name, keys);
  };
  for (const secret of pod.imagePullSecrets ?? []) key(refs.secrets, secret.name, '.dockerconfigjson');
  for (const volume of pod.volumes ?? []) {
    if (volume.secret) key(refs.secrets, volume.secret.secretName);
    if (volume.configMap) key(refs.configMaps, volume.configMap.name);
    if (volume.persistentVolumeClaim) refs.claims.add(volume.persistentVolumeClaim.claimName);
    for (const source of volume.projected?.sources ?? []) {
      if (source.secret) for (const item of source.secret.items ?? [{}]) key(refs.secrets, source.secret.name, item.key);
      if (source.configMap) for (const item of source.configMap.items ?? [{}]) key(refs.configMaps, source.configMap.name, item.key);
    }
  }
  for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const from of container.envFrom ?? []) {
      if (from.secretRef) key(refs.secrets, from.secretRef.name);
      if (from.configMapRef) key(refs.configMaps, from.configMapRef.name);
    }
    for (const env of container.env ?? []) {
      const ref = env.valueFrom;
      if (ref?.secretKeyRef) key(refs.secrets, ref.secretKeyRef.name, ref.secretKeyRef.key);
      if (ref?.configMapKeyRef) key(refs.configMaps, ref.configMapKeyRef.name, ref.configMapKeyRef.key);
    }
  }
}
