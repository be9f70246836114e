import type { Plan } from '../model/plan';
import type { StageState } from '../model/stage-state';
import type { Transition } from '../model/transition';
import type { Finding } from '../model/finding';

/**
 * The shapes of `stepwise check` rules. A rule is a pure function from part of a plan to findings;
 * `check.ts` lists them, so adding a rule is one function in a `check-*.ts` file plus one line there.
 */

/** A rule about the plan as a whole (workload definitions, selectors, security overrides). */
export type PlanRule = (plan: Plan) => Finding[];

/** A rule about one stage as it runs (endpoints, traffic). */
export type StageRule = (plan: Plan, state: StageState) => Finding[];

/**
 * Which way a checked move goes through the plan: `forward` (every transition `checkPlan` checks, a
 * promote) or `back` (a rollback, or a diff to an earlier stage). A fix depends on it: a rollback
 * cannot add a stage before the one it returns to.
 */
export type MoveDirection = 'forward' | 'back';

/** A rule about moving from one stage to another (capacity, cutovers), and which way the move goes. */
export type TransitionRule = (plan: Plan, transition: Transition, direction: MoveDirection) => Finding[];

/**
 * A rule comparing the workloads of two versions of a plan (the stack file at a git ref and now):
 * what Kubernetes cannot change in place.
 */
export type PlanVersionRule = (before: Plan, after: Plan, beforeStage: string, afterStage: string) => Finding[];

/**
 * `from → to`: how findings name a move between two stages (the `stage` of a Finding). The one
 * place the label is built; code that needs the two stages keeps them, it never parses this back.
 */
export function stageMoveLabel(from: string, to: string): string {
  return `${from} → ${to}`;
}

/** The {@link stageMoveLabel} of a transition. */
export function transitionLabel(transition: Transition): string {
  return stageMoveLabel(transition.from.stage.name, transition.to.stage.name);
}

/** `a, b and c`. */
export function listOf(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** `1 ready endpoint`, `6 ready endpoints`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
