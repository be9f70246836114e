import { definitionIn, type Plan, type Workload } from '../model/plan';
import type { PlanRule } from './check-rule';
import type { Finding } from '../model/finding';

/**
 * `pod-security-override`: one warning per departure a workload's `securityOverrides` makes from
 * the restricted defaults stepwise renders, with the reason the stack file gives. Warnings, not
 * errors: the overrides are deliberate and reviewed, but a reviewer should see them every time.
 *
 * Sidecar and init containers (the `pod` passthrough) get the same security context as the main
 * container, so each warning names them too: an override reaches every container of the pod.
 *
 * Not warned: `runAsUser` with a non-root UID (restricted allows any UID but 0, and UID 0 needs
 * `runAsRoot`, which is warned) and adding `NET_BIND_SERVICE` (the one capability restricted allows).
 */
export const podSecurityOverrides: PlanRule = (plan) =>
  plan.workloads.flatMap((workload) => workloadOverrides(workload, extraContainers(plan, workload)));

/**
 * The sidecar and init containers of `workload` in any stage (`pod.containers`,
 * `pod.initContainers`, a stage's own `pod` included): stepwise gives them the workload's security
 * context too, so an override applies to them as well, and a reviewer should see that it does.
 */
function extraContainers(plan: Plan, workload: Workload): string[] {
  const definitions = new Set<Workload>([workload, ...plan.stages.map((stage) => definitionIn(workload, stage.workloads[workload.name]))]);
  const names = new Set<string>();
  for (const definition of definitions) {
    for (const [list, kind] of [
      ['containers', 'sidecar'],
      ['initContainers', 'init container'],
    ] as const) {
      const containers = definition.pod?.[list];
      if (!Array.isArray(containers)) continue;
      for (const c of containers) {
        const name = c !== null && typeof c === 'object' && !Array.isArray(c) ? (c as { name?: unknown }).name : undefined;
        if (typeof name === 'string') names.add(`${kind} ${name}`);
      }
    }
  }
  return [...names].sort();
}

/** Capabilities the restricted Pod Security Standard lets a container add back. */
const RESTRICTED_ALLOWED_CAPABILITIES = ['NET_BIND_SERVICE'];

function workloadOverrides(workload: Workload, extra: readonly string[]): Finding[] {
  const o = workload.securityOverrides;
  if (!o) return [];
  // Every container of the pod gets the same security context: name the others it reaches.
  const reach = extra.length > 0 ? `; applies to the ${extra.join(', ')} as well` : '';
  const warn = (override: string, problem: string, fix: string): Finding => ({
    severity: 'warning',
    rule: 'pod-security-override',
    object: `Deployment/${workload.name}`,
    problem: `${problem} (securityOverrides.${override}; reason: ${o.reason}${reach})`,
    fix,
  });
  const findings: Finding[] = [];
  if (o.runAsRoot) {
    findings.push(
      warn(
        'runAsRoot',
        'runs as root; the restricted Pod Security Standard requires runAsNonRoot',
        'use an image that runs as a non-root user, then remove runAsRoot',
      ),
    );
  }
  if (o.writableRootFilesystem) {
    findings.push(
      warn(
        'writableRootFilesystem',
        "has a writable root filesystem; stepwise's restricted defaults mount it read-only",
        'mount an emptyDir volume where the image writes, then remove writableRootFilesystem',
      ),
    );
  }
  const added = o.addCapabilities.filter((c) => !RESTRICTED_ALLOWED_CAPABILITIES.includes(c));
  if (added.length > 0) {
    findings.push(
      warn(
        'addCapabilities',
        `adds the capabilities ${added.join(', ')}; the restricted Pod Security Standard allows only NET_BIND_SERVICE`,
        'run as a non-root user that needs no extra capabilities, then remove them',
      ),
    );
  }
  if (o.hostPath) {
    findings.push(
      warn(
        'hostPath',
        'mounts hostPath volumes; the restricted Pod Security Standard forbids them',
        'use an emptyDir or a persistent volume (or ship logs over the network), then remove hostPath',
      ),
    );
  }
  return findings;
}
