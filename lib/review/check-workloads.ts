import { named } from '../model/named';
import { isAlwaysZero } from '../model/int-or-percent';
import { formatLabels, workloadSelectorMatches, type WorkloadSelector } from '../model/labels';
import type { Plan, Workload } from '../model/plan';
import { selectorOverlaps } from '../model/workload-overlap';
import { stageMoveLabel, type PlanRule, type PlanVersionRule } from './check-rule';
import type { Finding } from '../model/finding';

/**
 * Deployment rules: what makes a Deployment misbehave whatever the stage (overlapping selectors, a
 * rolling update that cannot progress) and what Kubernetes cannot change in place between two
 * versions of a plan (a selector, a name). `parsePlan` already rejects identical pod labels and a stuck rolling update in stack
 * files; `check` still looks, because plans also come from code and other tools.
 */

/**
 * `overlapping-selectors`: a Deployment whose selector also matches another workload's pods, as the
 * blog's `nginx-dm` (selector `name: nginx`) matches `nginx-v2`'s. A warning: the Deployment and
 * ReplicaSet controllers claim only what they control (or orphans), so the pods stay apart; what
 * selects by label alone does not (see lib/model/workload-overlap.ts).
 */
export const overlappingSelectors: PlanRule = (plan) =>
  selectorOverlaps(plan.workloads)
    .filter((o) => !o.identicalPodLabels)
    .map(({ selecting: a, selected: b }): Finding => ({
      severity: 'warning',
      rule: 'overlapping-selectors',
      object: `Deployment/${a.name}`,
      problem:
        `its selector (${describeSelector(a.selector)}) also matches the pods of workload '${b.name}' (labels ${formatLabels(b.labels)}). ` +
        `The Deployments keep their pods apart (controller references), and stepwise narrows ${a.name}'s PodDisruptionBudget to its own pods; ` +
        `but a HorizontalPodAutoscaler on ${a.name} would count ${b.name}'s pods, and ${a.name} adopts any ReplicaSet of ${b.name} that is orphaned (kubectl delete --cascade=orphan)`,
      fix: `fine while adopting a Deployment that runs (the selector of a running Deployment cannot change); put no autoscaler on ${a.name}, and remove it once traffic has moved (a new workload should get its own label, e.g. version: v2, in its selector)`,
    }));

/** `identical-pod-labels`: two workloads whose pods carry the same labels, which no selector can tell apart. */
export const identicalPodLabels: PlanRule = (plan) =>
  selectorOverlaps(plan.workloads)
    .filter((o) => o.identicalPodLabels && plan.workloads.indexOf(o.selected) < plan.workloads.indexOf(o.selecting))
    .map(({ selecting: a, selected: b }): Finding => ({
      severity: 'error',
      rule: 'identical-pod-labels',
      object: `Deployment/${a.name}`,
      problem: `its pods carry the same labels as the pods of workload '${b.name}' (${formatLabels(b.labels)}): no Service, PodDisruptionBudget or autoscaler selector can tell them apart, so traffic can never move from one to the other and a pod under both budgets can never be evicted`,
      fix: `give '${a.name}' a label '${b.name}' does not have (e.g. version: v2) and include it in its selector`,
    }));

/** `rolling-update-cannot-progress`: maxSurge and maxUnavailable both zero (Kubernetes rejects it). */
export const rollingUpdateCannotProgress: PlanRule = (plan) =>
  plan.workloads
    .filter((w) => w.strategy.type === 'RollingUpdate' && isAlwaysZero(w.strategy.maxSurge) && isAlwaysZero(w.strategy.maxUnavailable))
    .map((w): Finding => ({
      severity: 'error',
      rule: 'rolling-update-cannot-progress',
      object: `Deployment/${w.name}`,
      problem: "'maxSurge' and 'maxUnavailable' are both zero: Kubernetes rejects the Deployment, since its rollout could never progress",
      fix: 'set maxSurge: 1 (a new pod is started before an old one stops)',
    }));

/**
 * `deployment-selector-changed`: a workload running in both stages whose selector differs between
 * the two plan versions. Kubernetes rejects a change of a Deployment's `spec.selector`; Pulumi
 * replaces the Deployment instead, deleting all its pods before new ones start.
 */
export const deploymentSelectorChanged: PlanVersionRule = (before, after, beforeStage, afterStage) =>
  runningInBoth(before, after, beforeStage, afterStage)
    .filter(([old, now]) => describeSelector(old.selector) !== describeSelector(now.selector))
    .map(([old, now]): Finding => ({
      severity: 'error',
      rule: 'deployment-selector-changed',
      stage: stageMoveLabel(beforeStage, afterStage),
      object: `Deployment/${now.name}`,
      problem: `its selector changes from ${describeSelector(old.selector)} to ${describeSelector(now.selector)}: Kubernetes cannot change a Deployment's selector, so it would be deleted and recreated with all its pods`,
      fix: `keep the selector; to move to new labels, add a new workload with them beside ${now.name}, move traffic to it, then remove ${now.name}`,
    }));

/**
 * `deployment-renamed`: a workload of the old plan that the new plan no longer declares, replaced
 * by a new name whose selector selects the old pods: a delete + create, not a rename. A Deployment
 * never adopts pods another one controls, so the new one starts its own and the old pods are
 * deleted with the old Deployment.
 */
export const deploymentRenamed: PlanVersionRule = (before, after, beforeStage, afterStage) => {
  const stageOf = (plan: Plan, name: string) => plan.stages.find((s) => s.name === name);
  const wasRunning = stageOf(before, beforeStage)?.workloads ?? {};
  const willRun = stageOf(after, afterStage)?.workloads ?? {};
  const declaredAfter = new Set(after.workloads.map((w) => w.name));
  const declaredBefore = new Set(before.workloads.map((w) => w.name));
  return before.workloads
    .filter((old) => wasRunning[old.name] && !declaredAfter.has(old.name))
    .flatMap((old) =>
      after.workloads
        .filter((now) => willRun[now.name] && !declaredBefore.has(now.name) && workloadSelectorMatches(now.selector, old.labels))
        .map((now): Finding => ({
          severity: 'error',
          rule: 'deployment-renamed',
          stage: stageMoveLabel(beforeStage, afterStage),
          object: `Deployment/${now.name}`,
          problem: `replaces workload '${old.name}' under a new name with a selector that selects its pods: Kubernetes sees a delete and a create: the new Deployment never takes over the old one's pods (they belong to its ReplicaSets), it starts its own, and the old pods are deleted with it`,
          fix: `keep the name '${old.name}'; to replace it, add '${now.name}' with its own track label in one stage and remove '${old.name}' in a later one`,
        })),
    );
};

function runningInBoth(before: Plan, after: Plan, beforeStage: string, afterStage: string): [Workload, Workload][] {
  const wasRunning = before.stages.find((s) => s.name === beforeStage)?.workloads ?? {};
  const willRun = after.stages.find((s) => s.name === afterStage)?.workloads ?? {};
  return after.workloads.flatMap((now): [Workload, Workload][] => {
    const old = named(before.workloads, now.name);
    return old && wasRunning[now.name] && willRun[now.name] ? [[old, now]] : [];
  });
}

/** `app=web,track=stable` plus any expressions, in a stable order (also used to compare selectors). */
export function describeSelector(selector: WorkloadSelector): string {
  const expressions = selector.matchExpressions
    .map((e) => `${e.key} ${e.operator}${e.values.length > 0 ? ` (${[...e.values].sort().join(',')})` : ''}`)
    .sort();
  return [formatLabels(selector.matchLabels), ...expressions].filter(Boolean).join(',');
}
