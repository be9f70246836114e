import { formatLabels, labelsMatch } from '../model/labels';
import { listOf, type StageRule, type TransitionRule } from './check-rule';
import type { Finding } from '../model/finding';

/** Endpoint rules: every Service has pods to send requests to, and no stage pulls pods out from under one. */

/**
 * `service-without-endpoints`: a Service with no ready endpoints in a stage, because its selector
 * matches no workload of the stage or the ones it matches have 0 replicas. Requests to it fail.
 */
export const serviceWithoutEndpoints: StageRule = (_plan, state) =>
  state.services
    .filter((s) => s.readyEndpoints === 0)
    .map((s): Finding => {
      const selector = formatLabels(s.selector);
      const base = {
        severity: 'error' as const,
        rule: 'service-without-endpoints',
        stage: state.stage.name,
        object: `Service/${s.service.name}`,
      };
      if (s.endpoints.length === 0) {
        return {
          ...base,
          problem: `has no endpoints: its selector ${selector} matches none of the workloads in this stage (${listOf(state.workloads.map((w) => w.workload.name)) || 'none'})`,
          fix: `make the stage's selector for ${s.service.name} match a workload's labels, or add the workload it should select to the stage`,
        };
      }
      return {
        ...base,
        problem: `has no ready endpoints: the workloads it selects (${listOf(s.endpoints)}) have 0 replicas in this stage`,
        fix: `give ${listOf(s.endpoints)} at least 1 replica in this stage, or point the Service at a workload that has replicas`,
      };
    });

/**
 * `deletes-selected-workload`: a stage deletes a workload whose pods a Service still selects at
 * that point (after the stage's selector switch). All its ready pods leave the Service's endpoints
 * at once instead of through a cutover or a scale-down. A workload already at 0 replicas has no
 * endpoints to lose, so deleting it is not flagged.
 */
export const deletesSelectedWorkload: TransitionRule = (plan, transition) =>
  transition.workloads
    .filter((t) => t.change === 'delete' && (t.from?.replicas ?? 0) > 0)
    .flatMap((t) => {
      const workload = plan.workloads.find((w) => w.name === t.name);
      if (!workload) return [];
      const services = transition.to.services.filter((s) => labelsMatch(s.selector, workload.labels));
      return services.map((s): Finding => ({
        severity: 'error',
        rule: 'deletes-selected-workload',
        stage: transition.to.stage.name,
        object: `Deployment/${t.name}`,
        problem: `is deleted while Service ${s.service.name} still selects its pods (selector ${formatLabels(s.selector)}): ${leavingPods(t.from?.replicas ?? 0)} the endpoints at once`,
        fix: `move ${s.service.name} off ${t.name} first — switch its selector to the other track, or scale ${t.name} down, in an earlier stage — and delete it in a later stage`,
      }));
    });

/** `its ready pod leaves`, `its 3 ready pods leave`: the subject and its verb agree. */
function leavingPods(n: number): string {
  return n === 1 ? 'its ready pod leaves' : `its ${n} ready pods leave`;
}
