import { StepwiseError } from './errors';
import { resolveRollingUpdate, scaledValue } from './int-or-percent';
import { LabelIndex } from './label-index';
import { labelsMatch, sameLabels, type Labels } from './labels';
import type { Plan, Workload, WorkloadInStage } from './plan';
import { stageState, type StageState } from './stage-state';

/**
 * What moving from one stage to another does, in the order stepwise applies it
 * (make-before-break):
 *  1. **make** — new workloads, scale-ups and in-place image changes are applied and awaited;
 *  2. **switch** — Service selectors change, once everything they will select is ready;
 *  3. **break** — scale-downs and deletions.
 * The capacity numbers below assume that order and Kubernetes' rolling-update rules.
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
  /** True when the pod template changes (image), so pods are replaced. */
  readonly rollsOut: boolean;
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

/** The transition between two stage states of the same plan. */
export function transition(plan: Plan, from: StageState, to: StageState): Transition {
  const workloads = plan.workloads
    .filter((w) => from.stage.workloads[w.name] || to.stage.workloads[w.name])
    .map((w) => workloadTransition(w, from.stage.workloads[w.name], to.stage.workloads[w.name]));
  const labelsOf = new Map(plan.workloads.map((w) => [w.name, w.labels]));
  const byLabel = new LabelIndex(workloads, (t) => labelsOf.get(t.name) as Labels);
  // The floors are measured against the first stage; most moves start or end there, so reuse it.
  const first = [from, to].find((state) => state.stage === plan.stages[0]) ?? stageState(plan, 0);
  const floors = capacityFloors(plan, first);

  const availableIn = (phase: 'make' | 'switch' | 'break', t: WorkloadTransition): number => {
    const before = t.from?.replicas ?? 0;
    const after = t.to?.replicas ?? 0;
    if (phase === 'make') return t.phase === 'make' ? t.minAvailable : before;
    if (phase === 'switch') return t.phase === 'make' ? after : before;
    return t.phase === 'break' ? t.minAvailable : after;
  };
  const podsIn = (phase: 'make' | 'break', t: WorkloadTransition): number => {
    if (phase === 'make') return t.phase === 'make' ? t.peakPods : (t.from?.replicas ?? 0);
    return t.phase === 'break' ? t.peakPods : (t.to?.replicas ?? 0);
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

/** The transitions between consecutive stages: stage 0 → 1, 1 → 2, … */
export function consecutiveTransitions(plan: Plan, states: readonly StageState[]): Transition[] {
  return states.slice(1).map((to, i) => transition(plan, states[i], to));
}

/** How one workload changes, with its own peak and minimum-available pod counts. */
export function workloadTransition(
  workload: Workload,
  from: WorkloadInStage | undefined,
  to: WorkloadInStage | undefined,
): WorkloadTransition {
  const name = workload.name;
  if (!from && to) return { name, change: 'create', to, rollsOut: false, phase: 'make', peakPods: to.replicas, minAvailable: 0 };
  if (from && !to) return { name, change: 'delete', from, rollsOut: false, phase: 'break', peakPods: from.replicas, minAvailable: 0 };
  if (!from || !to) {
    throw new StepwiseError({
      keyPath: `workloads.${name}`,
      problem: 'has no transition: the workload is in neither of the two stages',
      fix: 'pass its state in at least one of the stages (a workload neither stage runs is not created, changed or deleted)',
    });
  }
  const before = from;
  const after = to;
  // A paused Deployment takes the new template but does not roll it out.
  const rollsOut = before.image !== after.image && !after.paused;
  const change: WorkloadChange =
    after.replicas > before.replicas
      ? 'scale-up'
      : after.replicas < before.replicas
        ? 'scale-down'
        : rollsOut || before.paused !== after.paused || before.image !== after.image
          ? 'update'
          : 'unchanged';
  const phase: TransitionPhase = change === 'unchanged' ? 'none' : change === 'scale-down' ? 'break' : 'make';
  const { peakPods, minAvailable } = podBounds(workload, before.replicas, after.replicas, rollsOut);
  return { name, change, from: before, to: after, rollsOut, phase, peakPods, minAvailable };
}

/**
 * Peak and minimum-available pods of a Deployment going from `before` to `after` replicas.
 * Without a rollout it only scales. With a RollingUpdate the controller keeps at most
 * `after + maxSurge` pods (and never more than old + new) and at least `after - maxUnavailable`
 * available, both resolved on the new replica count; Recreate stops every old pod first.
 */
export function podBounds(
  workload: Workload,
  before: number,
  after: number,
  rollsOut: boolean,
): { peakPods: number; minAvailable: number } {
  if (!rollsOut) return { peakPods: Math.max(before, after), minAvailable: Math.min(before, after) };
  if (workload.strategy.type === 'Recreate') return { peakPods: Math.max(before, after), minAvailable: 0 };
  const { surge, unavailable } = resolveRollingUpdate(workload.strategy.maxSurge, workload.strategy.maxUnavailable, after);
  return {
    peakPods: Math.max(before, Math.min(after + surge, before + after)),
    minAvailable: Math.max(0, Math.min(before, after - unavailable)),
  };
}

/**
 * The fewest ready endpoints the Service at `serviceIndex` may have at any point of a release.
 * It is measured against the plan's first stage, the baseline the release starts from (a stage
 * that temporarily doubles capacity, like v2 scaled up beside v1 before a cutover, does not raise
 * it): `checks.capacityFloor` when set (a count, or a percent of the baseline endpoints rounded
 * up), else each baseline workload's replicas minus what its maxUnavailable allows (Recreate
 * allows all).
 */
export function capacityFloor(plan: Plan, serviceIndex: number): number {
  return capacityFloors(plan)[serviceIndex];
}

/** {@link capacityFloor} of every Service, in plan order, computed in one pass over the baseline. */
export function capacityFloors(plan: Plan, baselineState: StageState = stageState(plan, 0)): number[] {
  const configured = plan.checks.capacityFloor;
  const byName = new Map(plan.workloads.map((w) => [w.name, w]));
  return baselineState.services.map((baseline) => {
    if (configured !== undefined) {
      return typeof configured === 'number' ? configured : Math.ceil((Number(configured.slice(0, -1)) * baseline.readyEndpoints) / 100);
    }
    return baseline.endpoints.reduce((sum, name) => {
      const workload = byName.get(name) as Workload;
      const replicas = plan.stages[0].workloads[name].replicas;
      if (workload.strategy.type === 'Recreate') return sum;
      const unavailable = resolveRollingUpdate(workload.strategy.maxSurge, workload.strategy.maxUnavailable, replicas).unavailable;
      return sum + Math.max(0, replicas - unavailable);
    }, 0);
  });
}

/** Re-exported for callers that only need the rounding rule. */
export { scaledValue };
