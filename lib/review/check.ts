import { StepwiseError } from '../model/errors';
import { isIntOrPercent, type IntOrPercent } from '../model/int-or-percent';
import type { Labels } from '../model/labels';
import type { Plan, Stage } from '../model/plan';
import { allStageStates, findStage, stageState, stageStateOf } from '../model/stage-state';
import { consecutiveTransitions, transitionBetween } from '../model/transition';
import { capacityBelowFloor, cutoverBelowFloor, firstStageBelowFloor } from './check-capacity';
import { serviceWithoutEndpoints } from './check-endpoints';
import { podSecurityOverrides } from './check-pod-security';
import { templateChangeNotRolledOut } from './check-template-changes';
import { canaryWidenedUnwatched } from './check-release-policy';
import { stageMoveLabel, type MoveDirection, type PlanRule, type PlanVersionRule, type StageRule, type TransitionRule } from './check-rule';
import {
  deploymentRenamed,
  deploymentSelectorChanged,
  identicalPodLabels,
  overlappingSelectors,
  rollingUpdateCannotProgress,
} from './check-workloads';
import { weightWithoutReadyPods } from '../routing/routing-findings';
import type { Finding } from '../model/finding';

/**
 * `stepwise check`: static safety analysis of a plan's whole stage sequence, before anything is
 * applied. Pure: a plan in, findings out. `promote` and `diff` run the same rules.
 */

/** Settings for one check run. */
export interface CheckOptions {
  /**
   * The capacity floor for every Service, as a count or a percent of its endpoints in the first
   * stage (the CLI's `--capacity-floor`).
   * @default the plan's `checks.capacityFloor`, else each first-stage workload's replicas minus
   * what its maxUnavailable allows (see `capacityFloor` in lib/model/transition.ts)
   */
  readonly capacityFloor?: IntOrPercent;
}

/** The rules about the plan as a whole. */
export const PLAN_RULES: readonly PlanRule[] = [
  overlappingSelectors,
  identicalPodLabels,
  rollingUpdateCannotProgress,
  podSecurityOverrides,
  canaryWidenedUnwatched,
  firstStageBelowFloor,
];

/** The rules applied to every stage. */
export const STAGE_RULES: readonly StageRule[] = [serviceWithoutEndpoints, weightWithoutReadyPods];

/**
 * The rules applied to every transition between consecutive stages (and by `checkStagePair`).
 * Deleting a selected workload is judged by `capacityBelowFloor`, like scaling it to 0.
 */
export const TRANSITION_RULES: readonly TransitionRule[] = [capacityBelowFloor, cutoverBelowFloor, templateChangeNotRolledOut];

/** The rules comparing two versions of a plan (`checkStagePair`). */
export const PLAN_VERSION_RULES: readonly PlanVersionRule[] = [deploymentSelectorChanged, deploymentRenamed];

/**
 * Every finding about `plan`: plan-wide rules, every stage, every transition from one stage to
 * the next. Errors first, then in stage order (plan-wide findings first), then by object and rule.
 */
export function checkPlan(plan: Plan, options: CheckOptions = {}): Finding[] {
  const checked = withCapacityFloor(plan, options);
  const states = allStageStates(checked);
  const findings = [
    ...PLAN_RULES.flatMap((rule) => rule(checked)),
    ...states.flatMap((state) => STAGE_RULES.flatMap((rule) => rule(checked, state))),
    ...consecutiveTransitions(checked, states).flatMap((t) => TRANSITION_RULES.flatMap((rule) => rule(checked, t, 'forward'))),
  ];
  return sortFindings(checked, findings);
}

/** A stage of a plan: one side of `checkStagePair`. */
export interface StageRef {
  /** The plan (e.g. the stack file as it is now, or at a git ref). */
  readonly plan: Plan;
  /** The stage's name in that plan. */
  readonly stage: string;
}

/**
 * The findings about moving the cluster from `before` to `after`, where the two may come from
 * different versions of a plan (the stack file at a git ref and now) or be any two stages of one
 * plan (a rollback goes backwards). Checks what Kubernetes cannot change in place (a Deployment's
 * selector or name), the stage arrived at, and the transition's capacity and cutover. The move
 * goes `back` when `after` comes before `before` in `after`'s plan (a rollback), which changes the
 * fixes. The capacity floor comes from `after`'s plan. Plan-wide rules are left to `checkPlan`.
 * Throws a StepwiseError for a stage the plan does not have.
 */
export function checkStagePair(before: StageRef, after: StageRef, options: CheckOptions = {}): Finding[] {
  const pair = pairPlan(before, after, options);
  const beforeIn = findStage(before.plan, before.stage);
  const afterIn = findStage(after.plan, after.stage);
  // The cluster in `before` runs the pods its own plan's stages left (a paused Deployment keeps
  // what it ran); applying the stage to itself changes none of them. A Service the old stage did
  // not have starts with no endpoints.
  const serviceSelectors: Record<string, Labels> = {};
  for (const service of pair.services) serviceSelectors[service.name] = beforeIn.stage.serviceSelectors[service.name] ?? {};
  const beforeStage: Stage = { ...beforeIn.stage, serviceSelectors };
  const from = stageStateOf(pair, beforeStage, beforeIn.index, stageState(before.plan, beforeIn.index));
  const to = stageStateOf(pair, afterIn.stage, afterIn.index, from);
  const t = transitionBetween(pair, from, to, stageState(pair, 0));
  const direction = moveDirection(before, after);
  const findings = [
    ...PLAN_VERSION_RULES.flatMap((rule) => rule(before.plan, after.plan, before.stage, after.stage)),
    ...STAGE_RULES.flatMap((rule) => rule(pair, t.to)),
    ...TRANSITION_RULES.flatMap((rule) => rule(pair, t, direction)),
  ];
  return sortFindings(pair, findings);
}

/** `back` when `after` comes before `before` in `after`'s plan, else `forward`. */
function moveDirection(before: StageRef, after: StageRef): MoveDirection {
  const stages = after.plan.stages.map((s) => s.name);
  return stages.indexOf(before.stage) > stages.indexOf(after.stage) ? 'back' : 'forward';
}

/**
 * The after-plan (with the floor `options` set), declaring also the workloads only the before-plan
 * has: their pods still run until the transition deletes them.
 */
function pairPlan(before: StageRef, after: StageRef, options: CheckOptions): Plan {
  const plan = withCapacityFloor(after.plan, options);
  const declared = new Set(plan.workloads.map((w) => w.name));
  return { ...plan, workloads: [...plan.workloads, ...before.plan.workloads.filter((w) => !declared.has(w.name))] };
}

function withCapacityFloor(plan: Plan, options: CheckOptions): Plan {
  const floor = options.capacityFloor;
  if (floor === undefined) return plan;
  if (!isIntOrPercent(floor)) {
    throw new StepwiseError({
      keyPath: 'capacityFloor',
      problem: `must be a whole number >= 0 or a percent such as 80%, got ${JSON.stringify(floor)}`,
      fix: 'pass a count such as 6, or a percent of the first stage endpoints such as 80%',
    });
  }
  return { ...plan, checks: { ...plan.checks, capacityFloor: floor } };
}

/** The number of errors and of warnings. */
export function countFindings(findings: readonly Finding[]): { errors: number; warnings: number } {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { errors, warnings: findings.length - errors };
}

/**
 * Errors before warnings; then plan-wide findings, then by stage in plan order (a transition sorts
 * just before the stage it leads to); then by object, rule and problem.
 */
function sortFindings(plan: Plan, findings: readonly Finding[]): Finding[] {
  // Every label a finding can carry, built the way the rules build it (never parsed back).
  // A name that occurs twice (checkStagePair's plan may hold a stage twice) takes its first position.
  const positions = new Map<string, number>();
  const place = (label: string, position: number) => positions.has(label) || positions.set(label, position);
  plan.stages.forEach((to, index) => {
    place(to.name, 2 * index + 1);
    for (const from of plan.stages) place(stageMoveLabel(from.name, to.name), 2 * index);
  });
  // A stage the plan no longer has (from another version of the file) sorts first.
  const position = (stage: string | undefined): number => (stage === undefined ? -1 : (positions.get(stage) ?? -2));
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      position(a.stage) - position(b.stage) ||
      compare(a.object, b.object) ||
      compare(a.rule, b.rule) ||
      compare(a.problem, b.problem),
  );
}
