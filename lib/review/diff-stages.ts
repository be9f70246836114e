/**
 * The semantic diff of two stages: what a reviewer needs to know about a stage change before it
 * is applied — per workload its image, replicas and traffic share; per Service its selector and
 * endpoints; and the transition's pod counts and the fewest ready endpoints against the floor.
 * Pure model (no cdk8s): `stepwise diff`, `promote` and `rollback` all print it.
 */
import {
  findStage,
  runningWorkload,
  stageState,
  stageStateOf,
  templateChanges,
  transition,
  type Labels,
  type Plan,
  type TransitionPhase,
  type WorkloadChange,
} from '../model';
import { stagePolicies } from '../model/stage-policy';
import { routedTraffic } from '../routing/routed-traffic';
import { stageReleaseView, type StageReleaseView } from './plan-json';

/** One side of a diff: a plan (the working tree's, or the one at a git ref) and one of its stages. */
export interface StageSide {
  /** The plan. */
  readonly plan: Plan;
  /** The stage's name in that plan. */
  readonly stage: string;
  /** Where the plan comes from, for headings (`HEAD`, `working tree`); undefined when both sides share one plan. */
  readonly source?: string;
}

/** A value before and after; a side is undefined when the object does not exist there. */
export interface Change<T> {
  /** Before. */
  readonly from?: T;
  /** After. */
  readonly to?: T;
}

/** One workload across the stage change. */
export interface WorkloadDiff {
  /** Deployment name. */
  readonly name: string;
  /** `create`, `delete`, `scale-up`, `scale-down`, `update` or `unchanged` (see lib/model transition). */
  readonly change: WorkloadChange;
  /** Replicas before and after. */
  readonly replicas: Change<number>;
  /** Image before and after. */
  readonly image: Change<string>;
  /** `paused` before and after. */
  readonly paused: Change<boolean>;
  /** Share of requests (0..1) before and after, as the plan's router sends them; 0 when nothing routes to it. */
  readonly traffic: Change<number>;
  /** Pod template changes other than the image, one line each (`env.FEATURE_X off → on`); empty when there are none. */
  readonly template: readonly string[];
  /** True when its pods are replaced: the pod template its pods run (image or any other field) changes on an unpaused Deployment (also on resuming one). */
  readonly rollsOut: boolean;
  /** When it changes: make (before the Service switch), break (after), none. */
  readonly phase: TransitionPhase;
}

/** One Service across the stage change. */
export interface ServiceDiff {
  /** Service name. */
  readonly name: string;
  /** Selector before and after (a side is missing when the Service exists only in the other). */
  readonly selector: Change<Labels>;
  /** True when the selector changes. */
  readonly selectorChanges: boolean;
  /** The workloads it sends traffic to, before and after. */
  readonly endpoints: Change<readonly string[]>;
  /** Ready endpoints (pods) before and after. */
  readonly readyEndpoints: Change<number>;
  /**
   * The fewest ready endpoints at any point of the transition, the phase it happens in and the
   * floor it must not go below; undefined when the Service exists on only one side.
   */
  readonly capacity?: { readonly minReadyEndpoints: number; readonly during: 'make' | 'switch' | 'break'; readonly floor: number };
}

/** The semantic diff of two stages. */
export interface StageDiff {
  /** The stage before. */
  readonly from: StageSide;
  /** The stage after. */
  readonly to: StageSide;
  /** Every workload in either stage: the after-plan's order, then workloads only the before-plan has. */
  readonly workloads: readonly WorkloadDiff[];
  /** Every Service in either plan, in the same order. */
  readonly services: readonly ServiceDiff[];
  /** Pods before and after, the most that can exist during the transition, and the fewest available. */
  readonly pods: { readonly before: number; readonly after: number; readonly peak: number; readonly minAvailable: number };
  /** True when nothing a cluster would see changes (same replicas, pod templates, selectors and traffic shares). */
  readonly unchanged: boolean;
  /** The release policy of the stage arrived at (soak, approval, onFailure), or null when it sets none. */
  readonly release: StageReleaseView | null;
}

/**
 * The semantic diff from `from` to `to`. Both sides may share one plan (two stages of a stack) or
 * come from two versions of the plan (a stack file at a git ref and in the working tree). For two
 * versions the transition is computed on the after-plan's workload definitions (labels,
 * strategy) plus the definitions of workloads only the before-plan has; definition changes
 * themselves are reported by `planChanges` (diff-plan-changes.ts).
 */
export function stageDiff(from: StageSide, to: StageSide): StageDiff {
  const samePlan = from.plan === to.plan;
  const fromIndex = stageIndexOf(from);
  const toIndex = stageIndexOf(to);
  const plan = samePlan ? from.plan : mergedPlan(from.plan, to.plan);
  // For two versions the before-stage is computed over the merged definitions, its pods taken from
  // its own plan's stages (a paused Deployment keeps what it ran before); applying the stage to
  // itself changes none of them.
  const before = samePlan
    ? stageState(plan, fromIndex)
    : stageStateOf(plan, from.plan.stages[fromIndex], fromIndex, stageState(from.plan, fromIndex));
  const moved = transition(plan, before, toIndex);
  const after = moved.to;
  // Each side's share comes from its own plan's router: the merged plan carries only the
  // after-plan's `traffic` section, which need not fit the before-stage (a router added, dropped
  // or a track renamed by the change).
  const trafficBefore = routedTraffic(samePlan ? before : stageState(from.plan, fromIndex), from.plan.traffic);
  const trafficAfter = routedTraffic(after, to.plan.traffic);

  const workloads = moved.workloads.map((t): WorkloadDiff => ({
    name: t.name,
    change: t.change,
    replicas: { from: t.from?.replicas, to: t.to?.replicas },
    image: { from: t.from?.image, to: t.to?.image },
    paused: { from: t.from?.paused, to: t.to?.paused },
    traffic: { from: t.from ? (trafficBefore[t.name] ?? 0) : undefined, to: t.to ? (trafficAfter[t.name] ?? 0) : undefined },
    template: templateChanges(runningWorkload(before, t.name)?.workload, runningWorkload(after, t.name)?.workload),
    rollsOut: t.rollsOut,
    phase: t.phase,
  }));

  const services: ServiceDiff[] = moved.services.map((s, i) => ({
    name: s.name,
    selector: { from: s.fromSelector, to: s.toSelector },
    selectorChanges: s.selectorChanges,
    endpoints: { from: before.services[i].endpoints, to: after.services[i].endpoints },
    readyEndpoints: { from: s.endpointsBefore, to: s.endpointsAfter },
    capacity: { minReadyEndpoints: s.minReadyEndpoints, during: s.minDuring, floor: s.capacityFloor },
  }));
  // Services only one version of the plan has are created or deleted with the stage change.
  if (from.plan !== to.plan) {
    for (const service of to.plan.services.filter((s) => !hasService(from.plan, s.name))) {
      const state = stageState(to.plan, toIndex).services.find((x) => x.service.name === service.name);
      services.push({
        name: service.name,
        selector: { to: state?.selector },
        selectorChanges: true,
        endpoints: { to: state?.endpoints ?? [] },
        readyEndpoints: { to: state?.readyEndpoints ?? 0 },
      });
    }
    for (const service of from.plan.services.filter((s) => !hasService(to.plan, s.name))) {
      const state = stageState(from.plan, fromIndex).services.find((x) => x.service.name === service.name);
      services.push({
        name: service.name,
        selector: { from: state?.selector },
        selectorChanges: true,
        endpoints: { from: state?.endpoints ?? [] },
        readyEndpoints: { from: state?.readyEndpoints ?? 0 },
      });
    }
  }

  const podsIn = (side: 'from' | 'to') => moved.workloads.reduce((sum, t) => sum + (side === 'from' ? t.podsBefore : t.podsAfter), 0);
  // A new weight or a router added or dropped moves requests without touching a Deployment.
  const unchanged =
    workloads.every((w) => w.change === 'unchanged' && w.traffic.from === w.traffic.to) &&
    services.every((s) => !s.selectorChanges && s.selector.from && s.selector.to);
  return {
    from,
    to,
    workloads,
    services,
    pods: { before: podsIn('from'), after: podsIn('to'), peak: moved.peakPods, minAvailable: moved.minAvailablePods },
    unchanged,
    release: stageReleaseView(stagePolicies(to.plan)[toIndex]) ?? null,
  };
}

function stageIndexOf(side: StageSide): number {
  return findStage(side.plan, side.stage).index;
}

function hasService(plan: Plan, name: string): boolean {
  return plan.services.some((s) => s.name === name);
}

/**
 * The definitions a move between two versions of a plan is computed over: the after-plan, its
 * workloads extended by those only the before-plan declares (their pods run until the move deletes
 * them), and its Services limited to those both versions have (the others are created or deleted
 * with the move, and listed on their own).
 */
function mergedPlan(before: Plan, after: Plan): Plan {
  const services = after.services.filter((s) => hasService(before, s.name));
  const workloads = [...after.workloads, ...before.workloads.filter((w) => !after.workloads.some((x) => x.name === w.name))];
  return { ...after, workloads, services };
}
