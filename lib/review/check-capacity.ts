import { named } from '../model/named';
import { formatLabels, labelsMatch, type Labels } from '../model/labels';
import type { Plan } from '../model/plan';
import { stageState } from '../model/stage-state';
import { capacityFloor, type ServiceTransition, type Transition, type WorkloadTransition } from '../model/transition';
import { count, listOf, transitionLabel, type MoveDirection, type PlanRule, type TransitionRule } from './check-rule';
import type { Finding } from '../model/finding';

/**
 * Capacity rules: a Service must keep at least its capacity floor of ready endpoints through every
 * transition (the model's make → switch → break phases), and a selector cutover must only switch
 * to workloads that already have that many ready pods. Removing pods is judged by the floor alone,
 * whether a stage scales a selected workload down, scales it to 0 or deletes it: each removes the
 * pods at once, and keeping the floor (equal included) is safe in all three. The fixes depend on
 * the direction of the move: a rollback cannot add a stage before the one it returns to.
 */

const PHASE_WORDS = {
  make: 'the make phase (new workloads, scale-ups and rollouts)',
  switch: 'the switch phase (selector changes)',
  break: 'the break phase (scale-downs and deletions)',
} as const;

/**
 * `capacity-below-floor`: a Service whose fewest ready endpoints during a transition fall below its
 * floor, because the transition removes capacity or because the stage it reaches has too little.
 * A transition that merely starts below the floor (the stage before had too little, and that
 * transition was flagged) and recovers is not flagged again. A dip in the switch phase of a
 * selector change is left to `cutover-below-floor`, which says more precisely what to do.
 */
export const capacityBelowFloor: TransitionRule = (plan, transition, direction) =>
  transition.services
    .filter((s) => s.minReadyEndpoints < s.capacityFloor && (s.minReadyEndpoints < s.endpointsBefore || s.endpointsAfter < s.capacityFloor))
    .filter((s) => !(s.selectorChanges && s.minDuring === 'switch'))
    .map((s): Finding => {
      const losing = workloadsLosingPods(plan, transition, s);
      const shrinking = losing.map((t) => (t.change === 'delete' ? `${t.name} (deleted)` : t.name));
      return {
        severity: 'error',
        rule: 'capacity-below-floor',
        stage: transitionLabel(transition),
        object: `Service/${s.name}`,
        problem:
          (s.minReadyEndpoints < s.endpointsBefore
            ? `drops to ${count(s.minReadyEndpoints, 'ready endpoint')} during ${PHASE_WORDS[s.minDuring]}, `
            : `keeps only ${count(s.minReadyEndpoints, 'ready endpoint')}, `) +
          `below its capacity floor of ${s.capacityFloor} (${s.endpointsBefore} before, ${s.endpointsAfter} after` +
          `${shrinking.length > 0 ? `; losing pods: ${listOf(shrinking)}` : ''})`,
        fix: capacityFix(transition, s, losing, direction),
      };
    });

/**
 * What to do about a Service below its floor. Once the stage reached keeps the floor, only a
 * rollout can dip below it (Kubernetes' maxUnavailable, or Recreate): a scale-down or deletion
 * leaves exactly the stage's pods.
 */
function capacityFix(
  transition: Transition,
  s: ServiceTransition,
  losing: readonly WorkloadTransition[],
  direction: MoveDirection,
): string {
  const rollout = 'roll out with maxSurge: 1 and maxUnavailable: 0 (and not Recreate) so new pods are ready before old ones stop';
  if (direction === 'back') {
    const lower = 'or lower checks.capacityFloor if less capacity is intended';
    const to = transition.to.stage.name;
    if (s.endpointsAfter < s.capacityFloor) {
      return `stage '${to}' keeps only ${s.endpointsAfter} behind the Service: roll back to a stage that keeps at least ${s.capacityFloor} (stepwise rollback --to STAGE), or give '${to}' at least ${s.capacityFloor} replicas behind the Service in the stack file, ${lower}`;
    }
    const rolling = losing.filter((t) => t.rollsOut).map((t) => t.name);
    const which = rolling.length > 0 ? `rolling back changes the pod template of ${listOf(rolling)}: ` : '';
    return `${which}${rollout}, ${lower}`;
  }
  const lower = 'or lower checks.capacityFloor (or pass --capacity-floor) if less capacity is intended';
  if (s.endpointsAfter < s.capacityFloor) {
    return `the stage leaves only ${s.endpointsAfter}: keep at least ${count(s.capacityFloor, 'replica')} behind the Service (scale another selected workload up first, in an earlier stage), ${lower}`;
  }
  if (s.minDuring === 'make') return `${rollout}, ${lower}`;
  // A break-phase dip is a scale-down that also changes the pod template (the image, an env var, a
  // limit...): it rolls out at the new count.
  return `change the pod template (image, env, resources...) and scale down in separate stages, or ${rollout}, ${lower}`;
}

/** Workloads behind the Service that have fewer available pods than before in the phase of its minimum. */
function workloadsLosingPods(plan: Plan, transition: Transition, s: ServiceTransition): WorkloadTransition[] {
  return transition.workloads
    .filter((t) => selects(plan, s.fromSelector, t) || selects(plan, s.toSelector, t))
    .filter((t) => t.phase === s.minDuring && t.minAvailable < t.podsBefore);
}

function selects(plan: Plan, selector: Labels, t: WorkloadTransition): boolean {
  const workload = named(plan.workloads, t.name);
  return workload !== undefined && labelsMatch(selector, workload.labels);
}

/**
 * Ready endpoints under the Service's new selector at the moment it switches: the make phase is
 * done (scale-ups and new workloads ready), the break phase has not started.
 */
export function readyEndpointsAtSwitch(plan: Plan, transition: Transition, s: ServiceTransition): number {
  return transition.workloads.filter((t) => selects(plan, s.toSelector, t)).reduce((sum, t) => sum + podsAtSwitch(t), 0);
}

/** A workload's ready pods when the Services switch: after its change if made, else before it. */
function podsAtSwitch(t: WorkloadTransition): number {
  return t.phase === 'make' ? t.podsAfter : t.podsBefore;
}

/** True when the workload is paused and has no pods at all: it was created paused and never resumed. */
function pausedWithoutPods(t: WorkloadTransition): boolean {
  return t.to?.paused === true && t.to.replicas > 0 && t.podsAfter === 0;
}

/**
 * `cutover-below-floor`: a Service selector switched to workloads with fewer ready replicas than
 * the floor, like switching nginx-svc to version v2 while v2 has 1 pod and v1 has 6 (7 → 1).
 */
export const cutoverBelowFloor: TransitionRule = (plan, transition, direction) =>
  transition.services
    .filter((s) => s.selectorChanges)
    .flatMap((s): Finding[] => {
      const atSwitch = readyEndpointsAtSwitch(plan, transition, s);
      if (atSwitch >= s.capacityFloor) return [];
      const targets = transition.workloads.filter((t) => t.to && selects(plan, s.toSelector, t));
      const toStage = transition.to.stage.name;
      const switched = `switching the selector from ${formatLabels(s.fromSelector)} to ${formatLabels(s.toSelector)}`;
      const back = direction === 'back';
      if (targets.length === 0) {
        return [
          {
            severity: 'error',
            rule: 'cutover-below-floor',
            stage: transitionLabel(transition),
            object: `Service/${s.name}`,
            problem: `${switched} leaves no ready endpoints (no workload in stage '${toStage}' has those labels; it had ${s.endpointsBefore} before), below its capacity floor of ${s.capacityFloor}`,
            fix: back
              ? `roll back to another stage (stepwise rollback --to STAGE), or make the selector of stage '${toStage}' select labels one of its workloads carries, in the stack file`
              : `select labels a workload of stage '${toStage}' carries, or create that workload and scale it to ${count(s.capacityFloor, 'replica')} in an earlier stage`,
          },
        ];
      }
      const others = atSwitch - targets.reduce((sum, t) => sum + podsAtSwitch(t), 0);
      const paused = targets.filter(pausedWithoutPods).map((t) => t.name);
      const resume = paused.length > 0 ? `resume ${listOf(paused)} (paused: false; a Deployment created paused has no pods) and ` : '';
      const scaleTo =
        targets.length === 1
          ? `${resume}scale ${targets[0].name} to at least ${count(s.capacityFloor - others, 'replica')}`
          : `${resume}scale ${listOf(targets.map((t) => t.name))} up to at least ${count(s.capacityFloor, 'ready replica')} together`;
      const readyNow = targets.map((t) => `${t.name}: ${podsAtSwitch(t)}${pausedWithoutPods(t) ? ', created paused' : ''}`).join(', ');
      return [
        {
          severity: 'error',
          rule: 'cutover-below-floor',
          stage: transitionLabel(transition),
          object: `Service/${s.name}`,
          problem: `${switched} drops it from ${s.endpointsBefore} to ${count(atSwitch, 'ready endpoint')} (${readyNow}), below its capacity floor of ${s.capacityFloor}`,
          fix: back
            ? `roll back to a stage that keeps the old selector or has ${s.capacityFloor} ready pods behind the new one (stepwise rollback --to STAGE), or ${scaleTo} in stage '${toStage}' in the stack file`
            : `scale v2 first: ${scaleTo} in a stage before '${toStage}', keeping the old selector, then switch`,
        },
      ];
    });

/**
 * `stage-below-floor`: the plan's first stage already has fewer ready endpoints than a configured
 * floor. A rule of the plan, not of each stage: every later stage, and every stage `checkStagePair`
 * moves to, is reached through a transition, whose check covers it.
 */
export const firstStageBelowFloor: PlanRule = (plan) => {
  if (plan.checks.capacityFloor === undefined) return [];
  const state = stageState(plan, 0);
  return state.services.flatMap((s, i): Finding[] => {
    const floor = capacityFloor(plan, i);
    if (s.readyEndpoints >= floor) return [];
    return [
      {
        severity: 'error',
        rule: 'stage-below-floor',
        stage: state.stage.name,
        object: `Service/${s.service.name}`,
        problem: `has ${count(s.readyEndpoints, 'ready endpoint')} in the first stage, below the capacity floor of ${floor} (checks.capacityFloor ${plan.checks.capacityFloor})`,
        fix: `give the first stage at least ${count(floor, 'replica')} behind the Service, or lower checks.capacityFloor`,
      },
    ];
  });
};
