import type { Finding } from '../model/finding';
import type { Stack } from '../stacks';

/**
 * `node-port-in-another-stack` (warning): a nodePort of one of `stack`'s Services that a Service of
 * another stack in the same cluster uses too. Node ports are cluster-wide: whichever Service is
 * created second is refused by the API server ("provided port is already allocated"), so that
 * stack's `pulumi up` or sync fails at its Service. A warning, not an error: stepwise only knows
 * the cluster from the stack files (`kubernetes:context`, see `stackClusterOf`), and two stacks
 * without one may well deploy to different clusters; when they do share one, the API server
 * refuses the clash before anything switches, so nothing breaks. The same Service (namespace and
 * name) in two stacks is one object, whose node port is allocated once.
 */
export function nodePortInAnotherStack(stack: Stack, others: readonly Stack[]): Finding[] {
  const findings: Finding[] = [];
  for (const service of stack.plan.services) {
    service.ports.forEach((port, i) => {
      if (port.nodePort === undefined) return;
      for (const other of others) {
        // The same Service (namespace and name) in two stacks is one object, not a clash of ports.
        const sameObject = (s: { name: string }) => other.plan.namespace === stack.plan.namespace && s.name === service.name;
        const clash = other.plan.services.find((s) => !sameObject(s) && s.ports.some((p) => p.nodePort === port.nodePort));
        if (!clash) continue;
        findings.push({
          severity: 'warning',
          rule: 'node-port-in-another-stack',
          object: `Service/${service.name}`,
          problem:
            `ports[${i}].nodePort ${port.nodePort} is also the nodePort of Service ${clash.name} (namespace ${other.plan.namespace}) ` +
            `in stack ${other.name} (${other.file}), which deploys to the same cluster; node ports are cluster-wide, and the API ` +
            `server refuses whichever of the two Services is created second`,
          fix: `give one of them another nodePort, or, if the two stacks deploy to different clusters, name each one's kubeconfig context (kubernetes:context) in its stack file`,
        });
      }
    });
  }
  return findings;
}
