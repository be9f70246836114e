/**
 * What an ingress controller does that pulumi-kubernetes waits for: it publishes an address in
 * every Ingress's `status.loadBalancer`. The test cluster has no ingress controller (no pods run),
 * so this stands in for one, the way kwok stands in for kubelets; the routing itself is not
 * simulated. pulumi-kubernetes' Ingress await (pkg/await/ingress.go) waits for that address and
 * fails the update after 10 minutes without it.
 */
import type { KubeApi, KubeObject } from './kube-api';

/** Starts publishing an address for every Ingress of the cluster; returns the stop function. */
export async function startIngressController(api: KubeApi): Promise<() => void> {
  const collection = '/apis/networking.k8s.io/v1/ingresses';
  const publish = async (ingress: KubeObject & { status?: { loadBalancer?: { ingress?: unknown[] } } }) => {
    if ((ingress.status?.loadBalancer?.ingress ?? []).length > 0) return;
    const { name, namespace } = ingress.metadata;
    await api.mergePatch(`/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses/${name}/status`, {
      status: { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } },
    });
  };
  const errors: Error[] = [];
  const list = (await api.get(collection)) as { metadata: { resourceVersion: string }; items: KubeObject[] };
  for (const item of list.items) await publish(item);
  return api.watch(
    collection,
    list.metadata.resourceVersion,
    (event) => {
      if (event.type === 'ADDED' || event.type === 'MODIFIED') publish(event.object).catch((e: Error) => errors.push(e));
    },
    (error) => errors.push(error),
  );
}
