import { podsAfter, type DeploymentPods } from './deployment-pods';
import { StepwiseError } from './errors';
import { resolveRollingUpdate, scaledValue } from './int-or-percent';
import { LabelIndex } from './label-index';
import { labelsMatch, sameLabels, type Labels } from './labels';
import { podTemplateKey } from './pod-template';
import type { Plan, PlanCore, Workload, WorkloadInStage } from './plan';
import { stageState, stageStateFrom, type StageState } from './stage-state';

/**
 * What moving from one stage to another does, in the order stepwise applies it
 * (make-before-break):
 *  1. **make** — new workloads, scale-ups, image changes and resumes are applied and awaited;
 *  2. **switch** — Service selectors change, once everything they will select is ready;
 *  3. **break** — scale-downs (with or without an image change) and deletions.
 * The capacity numbers below assume that order and the Deployment controller's rules.
 *
 * A workload that scales down and changes its image in the same stage is a break change. The
 * controller handles the two as one spec update, the scale first: it resizes the old ReplicaSet to
 * the new count at once (a scaling event), then rolls the template out at that count. Its first
 * effect removes pods, so it waits, like any scale-down, until the make changes are ready and
 * traffic has moved — which is what a rollback of a widened canary needs: the canary keeps its
 * pods until the weight or selector has left it. The price: a Service switched onto such a
 * workload in the same stage reaches its old pods until the rollout is done. Change the image and
 * the replicas in separate stages when that matters.
 */

/** How a workload changes between two stages. */
export type WorkloadChange = 'create' | 'delete' | 'scale-up' | 'scale-down' | 'update' | 'unchanged';

/** The phase a change is applied in. */
export type TransitionPhase = 'make' | 'break' | 'none';

/** One workload across a transition. */
export interface WorkloadTransition {
  /** Workload name. */
  readonly name: string;
  /** What happens to it. */
  readonly change: WorkloadChange;
  /** Its state before, or undefined when it is created. */
  readonly from?: WorkloadInStage;
  /** Its state after, or undefined when it is deleted. */
  readonly to?: WorkloadInStage;
  /**
   * True when the controller rolls a new template out: the pod template (the image, or any other
   * field a stage changes) differs from the one the pods run (a change made while paused counts
   * when the Deployment is resumed) and it is not paused.
   */
  readonly rollsOut: boolean;
  /** Its pods before (0 when it is created, or was created paused and never resumed). */
  readonly podsBefore: number;
  /** Its pods after (0 when it is deleted, or stays paused without ever having rolled out). */
  readonly podsAfter: number;
  /** When the change is applied. */
  readonly phase: TransitionPhase;
  /** The most pods the workload can have while changing. */
  readonly peakPods: number;
  /** The fewest available pods it keeps while changing. */
  readonly minAvailable: number;
}

/** One Service across a transition. */
export interface ServiceTransition {
  /** Service name. */
  readonly name: string;
  /** Selector before. */
  readonly fromSelector: Labels;
  /** Selector after. */
  readonly toSelector: Labels;
  /** True when the selector changes. */
  readonly selectorChanges: boolean;
  /** Ready endpoints before the transition. */
  readonly endpointsBefore: number;
  /** Ready endpoints after the transition. */
  readonly endpointsAfter: number;
  /** The fewest ready endpoints at any point of the transition, and when. */
  readonly minReadyEndpoints: number;
  /** The phase in which the minimum happens. */
  readonly minDuring: 'make' | 'switch' | 'break';
  /** The fewest ready endpoints the Service may have (see `capacityFloor`). */
  readonly capacityFloor: number;
}

/** A move from one stage to another. */
export interface Transition {
  /** The stage before. */
  readonly from: StageState;
  /** The stage after. */
  readonly to: StageState;
  /** Every workload present in either stage, in plan order. */
  readonly workloads: readonly WorkloadTransition[];
  /** Every Service, in plan order. */
  readonly services: readonly ServiceTransition[];
  /** The most pods that can exist at once (all workloads). */
  readonly peakPods: number;
  /** The fewest available pods at any point (all workloads). */
  readonly minAvailablePods: number;
}

/**
 * The move from `from` to the stage at `toIndex` of the same plan. The stage is reached from
 * `from` ({@link stageStateFrom}), not through the stages between: a rollback or a jump leaves a
 * paused Deployment with the pods it has in `from`.
 */
export function transition(plan: Plan, from: StageState, toIndex: number): Transition {
  return transitionBetween(plan, from, stageStateFrom(plan, toIndex, from), stageState(plan, 0));
}

/** The transitions between consecutive stages: stage 0 → 1, 1 → 2, … of `allStageStates(plan)`. */
export function consecutiveTransitions(plan: Plan, states: readonly StageState[]): Transition[] {
  // Each of those states is reached from the one before it, so they are the `to` of each move.
  return states.slice(1).map((to, i) => transitionBetween(plan, states[i], to, states[0]));
}

/** What a transition is computed over: the workload and Service definitions and the floor setting. */
export type TransitionDefinitions = Pick<PlanCore, 'workloads' | 'services' | 'checks'>;

/**
 * The move from `from` to `to` (reached from `from`, see `stageStateOf`), with the capacity floors
 * measured on `baseline`, over `definitions` alone: the two stages may come from different
 * versions of a plan, as `diff` and `check` compare them, when `definitions` declares every
 * workload either runs and the Services both have.
 */
export function transitionBetween(definitions: TransitionDefinitions, from: StageState, to: StageState, baseline: StageState): Transition {
  const plan = definitions;
  const runningBefore = new Map(from.workloads.map((w) => [w.workload.name, w]));
  const workloads = plan.workloads
    .filter((w) => from.stage.workloads[w.name] || to.stage.workloads[w.name])
    .map((w) => workloadTransition(w, runningBefore.get(w.name), to.stage.workloads[w.name]));
  const labelsOf = new Map(plan.workloads.map((w) => [w.name, w.labels]));
  const byLabel = new LabelIndex(workloads, (t) => labelsOf.get(t.name) as Labels);
  const floors = capacityFloors(plan, baseline);

  const availableIn = (phase: 'make' | 'switch' | 'break', t: WorkloadTransition): number => {
    if (phase === 'make') return t.phase === 'make' ? t.minAvailable : t.podsBefore;
    if (phase === 'switch') return t.phase === 'make' ? t.podsAfter : t.podsBefore;
    return t.phase === 'break' ? t.minAvailable : t.podsAfter;
  };
  const podsIn = (phase: 'make' | 'break', t: WorkloadTransition): number => {
    if (phase === 'make') return t.phase === 'make' ? t.peakPods : t.podsBefore;
    return t.phase === 'break' ? t.peakPods : t.podsAfter;
  };
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

  const services = plan.services.map((service, i): ServiceTransition => {
    const before = from.services[i];
    const after = to.services[i];
    const endpointsUnder = (selector: Labels, phase: 'make' | 'switch' | 'break') =>
      sum(
        byLabel
          .candidates(selector)
          .filter((t) => labelsMatch(selector, labelsOf.get(t.name) as Labels))
          .map((t) => availableIn(phase, t)),
      );
    const phases = [
      { during: 'make' as const, value: endpointsUnder(before.selector, 'make') },
      { during: 'switch' as const, value: endpointsUnder(after.selector, 'switch') },
      { during: 'break' as const, value: endpointsUnder(after.selector, 'break') },
    ];
    const lowest = phases.reduce((a, b) => (b.value < a.value ? b : a));
    return {
      name: service.name,
      fromSelector: before.selector,
      toSelector: after.selector,
      selectorChanges: !sameLabels(before.selector, after.selector),
      endpointsBefore: before.readyEndpoints,
      endpointsAfter: after.readyEndpoints,
      minReadyEndpoints: lowest.value,
      minDuring: lowest.during,
      capacityFloor: floors[i],
    };
  });

  return {
    from,
    to,
    workloads,
    services,
    peakPods: Math.max(sum(workloads.map((t) => podsIn('make', t))), sum(workloads.map((t) => podsIn('break', t)))),
    minAvailablePods: Math.min(...(['make', 'switch', 'break'] as const).map((phase) => sum(workloads.map((t) => availableIn(phase, t))))),
  };
}

/** A workload as it runs before a move: its spec in the stage and the pods it has there. */
export interface WorkloadBefore {
  /** Replicas, image and paused in the stage moved from. */
  readonly state: WorkloadInStage;
  /** The pods it runs there. */
  readonly pods: DeploymentPods;
}

/**
 * How one workload changes when `to` is applied to it as it runs in `from` (undefined: it is
 * created, or deleted), with its own peak and minimum-available pod counts.
 */
export function workloadTransition(
  workload: Workload,
  from: WorkloadBefore | undefined,
  to: WorkloadInStage | undefined,
): WorkloadTransition {
  const name = workload.name;
  if (!from && to) {
    // A Deployment created paused gets no ReplicaSet, so no pods.
    const pods = podsAfter(workload, undefined, to).count;
    return { name, change: 'create', to, rollsOut: false, phase: 'make', podsBefore: 0, podsAfter: pods, peakPods: pods, minAvailable: 0 };
  }
  if (from && !to) {
    const pods = from.pods.count;
    return {
      name,
      change: 'delete',
      from: from.state,
      rollsOut: false,
      phase: 'break',
      podsBefore: pods,
      podsAfter: 0,
      peakPods: pods,
      minAvailable: 0,
    };
  }
  if (!from || !to) {
    throw new StepwiseError({
      keyPath: `workloads.${name}`,
      problem: 'has no transition: the workload is in neither of the two stages',
      fix: 'pass its state in at least one of the stages (a workload neither stage runs is not created, changed or deleted)',
    });
  }
  const before = from.state;
  const after = to;
  const podsBefore = from.pods.count;
  const podsAfterMove = podsAfter(workload, from.pods, after).count;
  // A paused Deployment takes the new template but does not roll it out; its pods keep the image
  // they run until it is resumed, which then rolls the pending template out.
  // Any change of the pod template counts, not only the image: an env var, a limit, a sidecar.
  const template = podTemplateKey(workload, after);
  const rollsOut = !after.paused && from.pods.template !== template;
  const change: WorkloadChange =
    after.replicas > before.replicas
      ? 'scale-up'
      : after.replicas < before.replicas
        ? 'scale-down'
        : rollsOut || before.paused !== after.paused || podTemplateKey(workload, before) !== template
          ? 'update'
          : 'unchanged';
  // A scale-down is a break change even when the image changes too: see the top of this file.
  const phase: TransitionPhase = change === 'unchanged' ? 'none' : change === 'scale-down' ? 'break' : 'make';
  const { peakPods, minAvailable } = podBounds(workload, podsBefore, podsAfterMove, rollsOut);
  return { name, change, from: before, to: after, rollsOut, phase, podsBefore, podsAfter: podsAfterMove, peakPods, minAvailable };
}

/**
 * Peak and minimum-available pods of a Deployment going from `before` to `after` pods.
 *
 * Without a rollout it only scales. With one, the controller first handles the change of
 * replicas (a scaling event: the old ReplicaSet is resized to `after` at once), then rolls the new
 * template out at `after` pods:
 * - RollingUpdate creates the new ReplicaSet with up to `maxSurge` pods but never more than
 *   `after`, so the peak is `after + min(maxSurge, after)` (a scale-up from few pods therefore
 *   peaks above old + new), and keeps at least `after - maxUnavailable` available — both resolved
 *   on `after`, the new count;
 * - Recreate stops every old pod first.
 * From no pods nothing is replaced: the new ReplicaSet starts at the full count, like a scale-up.
 */
export function podBounds(
  workload: Workload,
  before: number,
  after: number,
  rollsOut: boolean,
): { peakPods: number; minAvailable: number } {
  if (!rollsOut || before === 0) return { peakPods: Math.max(before, after), minAvailable: Math.min(before, after) };
  if (workload.strategy.type === 'Recreate') return { peakPods: Math.max(before, after), minAvailable: 0 };
  const { surge, unavailable } = resolveRollingUpdate(workload.strategy.maxSurge, workload.strategy.maxUnavailable, after);
  return {
    peakPods: Math.max(before, after + Math.min(surge, after)),
    minAvailable: Math.max(0, Math.min(before, after - unavailable)),
  };
}

/**
 * The fewest ready endpoints the Service at `serviceIndex` may have at any point of a release.
 * It is measured against the plan's first stage, the baseline the release starts from (a stage
 * that temporarily doubles capacity, like v2 scaled up beside v1 before a cutover, does not raise
 * it): `checks.capacityFloor` when set (a count, or a percent of the baseline endpoints rounded
 * up), else each baseline workload's pods minus what its maxUnavailable allows (Recreate
 * allows all; a workload created paused has no pods).
 */
export function capacityFloor(plan: Plan, serviceIndex: number): number {
  return capacityFloors(plan, stageState(plan, 0))[serviceIndex];
}

/** {@link capacityFloor} of every Service, in plan order, computed in one pass over the baseline. */
export function capacityFloors(plan: TransitionDefinitions, baselineState: StageState): number[] {
  const configured = plan.checks.capacityFloor;
  const byName = new Map(plan.workloads.map((w) => [w.name, w]));
  const podsOf = new Map(baselineState.workloads.map((w) => [w.workload.name, w.pods.count]));
  return baselineState.services.map((baseline) => {
    if (configured !== undefined) {
      return typeof configured === 'number' ? configured : Math.ceil((Number(configured.slice(0, -1)) * baseline.readyEndpoints) / 100);
    }
    return baseline.endpoints.reduce((sum, name) => {
      const workload = byName.get(name) as Workload;
      const replicas = podsOf.get(name) ?? 0;
      if (workload.strategy.type === 'Recreate') return sum;
      const unavailable = resolveRollingUpdate(workload.strategy.maxSurge, workload.strategy.maxUnavailable, replicas).unavailable;
      return sum + Math.max(0, replicas - unavailable);
    }, 0);
  });
}

/** Re-exported for callers that only need the rounding rule. */
export { scaledValue };
