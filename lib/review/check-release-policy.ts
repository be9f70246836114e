import type { Finding } from '../model/finding';
import { baselineTemplates, podsRunNewVersion } from '../model/new-version';
import type { Plan } from '../model/plan';
import { allStageStates, type StageState } from '../model/stage-state';
import { stagePolicies } from '../model/stage-policy';
import { routedTraffic } from '../routing/routed-traffic';
import { formatShare } from './traffic-share-format';
import type { PlanRule } from './check-rule';

/**
 * Release-policy rules: what `stepwise release` relies on to stop a bad version before it takes
 * more requests.
 */

/**
 * `canary-widened-unwatched`: a stage sends a larger share of requests to the new version (a pod
 * template the first stage does not run: a new image, or an env var, a limit... changed) than the
 * stage before, and nothing watches it: the stage has no `soak` and the plan no `analysis`
 * section, so `stepwise release` moves on as soon as the pods are ready, before any error rate
 * could show. A warning: a plan may be released by people who watch the dashboards themselves.
 */
export const canaryWidenedUnwatched: PlanRule = (plan) => {
  if (plan.analysis) return [];
  const policies = stagePolicies(plan);
  const states = allStageStates(plan);
  const baseline = baselineTemplates(plan);
  const shares = states.map((state) => newVersionShare(plan, state, baseline));
  return states.slice(1).flatMap((state, i): Finding[] => {
    const before = shares[i];
    const after = shares[i + 1];
    if (after <= before || policies[state.index].soakSeconds > 0) return [];
    return [
      {
        severity: 'warning',
        rule: 'canary-widened-unwatched',
        stage: state.stage.name,
        object: `Stage/${state.stage.name}`,
        problem: `sends the new version ${formatShare(after)} of the requests (${formatShare(before)} before) with no soak and no metric gate, so a release moves on as soon as its pods are ready`,
        fix: `add \`soak: 5m\` to stage ${state.stage.name}, or an analysis section to the plan so the gate measures the canary`,
      },
    ];
  });
};

/**
 * The share of requests (0–1) the stage sends to pods running a pod template the first stage does
 * not run (`baseline`): the pods' own template, so a paused Deployment's pending change is not counted.
 */
function newVersionShare(plan: Plan, state: StageState, baseline: ReadonlySet<string>): number {
  const traffic = routedTraffic(state, plan.traffic);
  return state.workloads
    .filter((w) => w.pods.template !== undefined && podsRunNewVersion(plan, w.workload.name, w.pods.template, baseline))
    .reduce((sum, w) => sum + (traffic[w.workload.name] ?? 0), 0);
}
