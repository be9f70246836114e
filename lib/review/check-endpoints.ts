import { formatLabels } from '../model/labels';
import { listOf, type StageRule } from './check-rule';
import type { Finding } from '../model/finding';

/**
 * Endpoint rules: every Service has pods to send requests to. (A stage that deletes a workload a
 * Service still selects is judged like one that scales it to 0, by the capacity floor:
 * check-capacity.ts.)
 */

/**
 * `service-without-endpoints`: a Service with no ready endpoints in a stage, because its selector
 * matches no workload of the stage or the ones it matches have no pods (0 replicas, or created
 * paused and not resumed since). Requests to it fail.
 */
export const serviceWithoutEndpoints: StageRule = (_plan, state) =>
  state.services
    .filter((s) => s.readyEndpoints === 0)
    .map((s): Finding => {
      const selector = formatLabels(s.selector);
      const base = {
        severity: 'error' as const,
        rule: 'service-without-endpoints' as const,
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
      const paused = state.workloads
        .filter((w) => s.endpoints.includes(w.workload.name) && w.state.paused && w.state.replicas > 0)
        .map((w) => w.workload.name);
      if (paused.length > 0) {
        return {
          ...base,
          problem: `has no ready endpoints: the workloads it selects (${listOf(s.endpoints)}) have no pods in this stage; ${listOf(paused)} ${paused.length === 1 ? 'was' : 'were'} created paused and not resumed since, and a paused Deployment that has never rolled out starts no pods`,
          fix: `resume ${listOf(paused)} (paused: false) in this stage or an earlier one, or point the Service at a workload that has pods`,
        };
      }
      return {
        ...base,
        problem: `has no ready endpoints: the workloads it selects (${listOf(s.endpoints)}) have 0 replicas in this stage`,
        fix: `give ${listOf(s.endpoints)} at least 1 replica in this stage, or point the Service at a workload that has replicas`,
      };
    });
