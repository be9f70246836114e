import * as kplus from 'cdk8s-plus-27';
import type { Workload } from '../model';

/**
 * The container security context of the restricted Pod Security Standard (non-root, no privilege
 * escalation, every capability dropped, read-only root filesystem), relaxed only where the
 * workload's `securityOverrides` say so. Capabilities and seccomp are patched in (see below).
 */
export function containerSecurityContext(workload: Workload): kplus.ContainerSecurityContextProps {
  const overrides = workload.securityOverrides;
  return {
    ensureNonRoot: !overrides?.runAsRoot,
    ...(overrides?.runAsUser !== undefined ? { user: overrides.runAsUser } : {}),
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: !overrides?.writableRootFilesystem,
  };
}

/**
 * Every capability dropped, plus the ones the overrides add back. cdk8s-plus-27 has no `ALL` and
 * prefixes names with `CAP_`, which the Pod Security admission does not accept, so this is patched in.
 */
export function containerCapabilities(workload: Workload): { drop: string[]; add?: string[] } {
  const add = workload.securityOverrides?.addCapabilities ?? [];
  return { drop: ['ALL'], ...(add.length > 0 ? { add: [...add] } : {}) };
}

/** The pod security context: non-root unless overridden. */
export function podSecurityContext(workload: Workload): kplus.PodSecurityContextProps {
  return { ensureNonRoot: !workload.securityOverrides?.runAsRoot };
}

/** Restricted requires the RuntimeDefault (or Localhost) seccomp profile; cdk8s-plus-27 has no prop for it. */
export const POD_SECCOMP_PROFILE = { type: 'RuntimeDefault' } as const;

/**
 * The whole container security context, as Kubernetes writes it, of a sidecar or init container
 * set through the `pod` passthrough: the same restricted context as the main container (relaxed
 * only by the workload's `securityOverrides`), so every container of the pod is secure by default.
 */
export function containerSecurityContextJson(workload: Workload): Record<string, unknown> {
  const overrides = workload.securityOverrides;
  return {
    allowPrivilegeEscalation: false,
    capabilities: containerCapabilities(workload),
    privileged: false,
    readOnlyRootFilesystem: !overrides?.writableRootFilesystem,
    runAsNonRoot: !overrides?.runAsRoot,
    ...(overrides?.runAsUser !== undefined ? { runAsUser: overrides.runAsUser } : {}),
  };
}
