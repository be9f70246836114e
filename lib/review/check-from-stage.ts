import type { Finding } from '../model/finding';
import type { Stack } from '../stacks';
import { stageMoveLabel } from './check-rule';

/** Rule id: the stage moved, but `stepwise:fromStage` does not name the stage the stack was in. */
export const FROM_STAGE_STALE = 'from-stage-stale';

/**
 * `pulumi up` orders a move make-before-break from `stepwise:fromStage` (by default the stage
 * before `stepwise:stage`) to `stepwise:stage`. A change that moves the stage by hand — a rollback
 * typed into the file, or a second move on top of an old `fromStage` — makes Pulumi order the
 * wrong move: a scale-down may run before the Service switches. Comparing the stack file before
 * the change (`base`, e.g. at the pull request's base ref) with after it catches that.
 */
export function fromStageFindings(base: Stack, head: Stack): Finding[] {
  if (base.stage === head.stage || head.fromStage === base.stage) return [];
  const known = head.plan.stages.some((s) => s.name === base.stage);
  return [
    {
      severity: 'error',
      rule: FROM_STAGE_STALE,
      stage: stageMoveLabel(base.stage, head.stage),
      object: `Stack/${head.name}`,
      problem: `the stack moves from ${base.stage} to ${head.stage}, but stepwise:fromStage is ${head.fromStage}, so \`pulumi up\` would order the move ${stageMoveLabel(head.fromStage, head.stage)}`,
      fix: known
        ? `set stepwise:fromStage: ${base.stage} in ${head.file} (stepwise promote and rollback write it for you)`
        : `the stage the stack is in (${base.stage}) is no longer in the plan: keep it in the plan until the stack has left it`,
    },
  ];
}
