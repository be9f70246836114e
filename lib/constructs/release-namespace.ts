import type { Plan } from '../model';
import type { KubeObject } from '../model/kube-object';

/** The Pod Security Standard labels Kubernetes' Pod Security admission reads on a namespace. */
const POD_SECURITY = 'pod-security.kubernetes.io';

/**
 * The plan's namespace as an object, or undefined when the plan says the namespace is someone
 * else's (`createNamespace: false`). The namespace enforces the restricted Pod Security Standard,
 * which every pod stepwise renders meets; a plan that relaxes it for a workload
 * (`securityOverrides`) gets restricted warnings and audit entries instead, so its pods are still
 * admitted.
 */
export function namespaceObject(plan: Plan): KubeObject | undefined {
  if (plan.createNamespace === false) return undefined;
  return restrictedNamespace(
    plan.namespace,
    plan.workloads.some((w) => w.securityOverrides !== undefined),
  );
}

/**
 * Namespace `name`, enforcing the restricted Pod Security Standard, or only warning and auditing
 * against it when `relaxed` (some workload in it has `securityOverrides`).
 */
export function restrictedNamespace(name: string, relaxed: boolean): KubeObject {
  const labels: Record<string, string> = relaxed
    ? { [`${POD_SECURITY}/audit`]: 'restricted', [`${POD_SECURITY}/warn`]: 'restricted' }
    : { [`${POD_SECURITY}/enforce`]: 'restricted' };
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}
