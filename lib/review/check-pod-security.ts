import type { Workload } from '../model/plan';
import type { PlanRule } from './check-rule';
import type { Finding } from '../model/finding';

/**
 * `pod-security-override`: one warning per departure a workload's `securityOverrides` makes from
 * the restricted defaults stepwise renders, with the reason the stack file gives. Warnings, not
 * errors: the overrides are deliberate and reviewed, but a reviewer should see them every time.
 *
 * Not warned: `runAsUser` with a non-root UID (restricted allows any UID but 0, and UID 0 needs
 * `runAsRoot`, which is warned) and adding `NET_BIND_SERVICE` (the one capability restricted allows).
 */
export const podSecurityOverrides: PlanRule = (plan) => plan.workloads.flatMap(workloadOverrides);

/** Capabilities the restricted Pod Security Standard lets a container add back. */
const RESTRICTED_ALLOWED_CAPABILITIES = ['NET_BIND_SERVICE'];

function workloadOverrides(workload: Workload): Finding[] {
  const o = workload.securityOverrides;
  if (!o) return [];
  const warn = (override: string, problem: string, fix: string): Finding => ({
    severity: 'warning',
    rule: 'pod-security-override',
    object: `Deployment/${workload.name}`,
    problem: `${problem} (securityOverrides.${override}; reason: ${o.reason})`,
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
