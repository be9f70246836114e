import type { Stack } from '../stacks';

/**
 * `stack` ordered as the move from the stage the cluster is in: `recorded`, the stage the last
 * update left it in (`recordedStage()`), when it is a stage of the plan. A stage edited by hand, a
 * rollback or a skipped stage is then ordered right without anyone keeping `stepwise:fromStage` up
 * to date. `stepwise:fromStage` (or, without it, the stage before in the plan) orders the update
 * only when nothing is recorded — a stack's first update with this program — or what is recorded
 * is no stage of the plan any more; `warn` is told whenever the file and the record disagree.
 * Re-applying the stage the cluster is in (a second `pulumi up`, a preview after an update) moves
 * nothing, and registers exactly what the update that reached the stage did.
 */
export function orderedFromClusterStage(stack: Stack, recorded: string | undefined, warn: (message: string) => void): Stack {
  if (recorded === undefined || recorded === stack.fromStage || recorded === stack.stage) return stack;
  const index = stack.plan.stages.findIndex((s) => s.name === recorded);
  if (index < 0) {
    warn(
      `stepwise: the last update recorded stage '${recorded}', which ${stack.file} no longer has; ordering the update from '${stack.fromStage}'`,
    );
    return stack;
  }
  warn(
    `stepwise: ${stack.file} orders the update from '${stack.fromStage}', but the last update left the cluster in '${recorded}'; ordering it as the move from '${recorded}'`,
  );
  return { ...stack, fromStage: recorded, fromStageIndex: index };
}
