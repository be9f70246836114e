/**
 * What `stepwise release` proves before it changes anything: every forward move it may make and
 * every rollback it may take is safe by `stepwise check`. A release that finds a failing canary
 * has no time to discover that the way back drops a Service below its floor.
 */
import type { Finding } from '../model/finding';
import type { Plan } from '../model/plan';
import { checkPlan, checkStagePair } from '../review/check';

/**
 * The check errors of a release of `plan` from stage `fromIndex` to `toIndex`: the plan's own
 * (every forward transition), and for each stage the release may leave after a failed gate the
 * move back to the stage before it — from `fromIndex` itself (its gate runs first) up to `toIndex`.
 */
export function releaseCheckErrors(plan: Plan, fromIndex: number, toIndex: number): Finding[] {
  const back: Finding[] = [];
  for (let i = Math.max(1, fromIndex); i <= toIndex; i++) {
    back.push(...checkStagePair({ plan, stage: plan.stages[i].name }, { plan, stage: plan.stages[i - 1].name }));
  }
  return [...checkPlan(plan), ...back].filter((f) => f.severity === 'error');
}
