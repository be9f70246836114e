import type { Plan } from './plan';

/**
 * The stage that brought in the pod template `workload` runs at `stageIndex`: the first of the
 * stages up to it in which the workload exists with the same image without a break. A stage that
 * leaves a workload's image alone leaves its Deployment unchanged, and a revision keeps the name
 * of the stage that made it (`kubernetes.io/change-cause`, see `changeCause`).
 */
export function templateStage(plan: Plan, workload: string, stageIndex: number): string {
  const image = plan.stages[stageIndex].workloads[workload]?.image;
  let first = stageIndex;
  while (first > 0 && plan.stages[first - 1].workloads[workload]?.image === image) first--;
  return plan.stages[first].name;
}
