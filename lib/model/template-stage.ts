import { named } from './named';
import type { Plan } from './plan';
import { podTemplateKey } from './pod-template';

/**
 * The stage that brought in the pod template `workload` runs at `stageIndex`: the first of the
 * stages up to it in which the workload exists with the same pod template (image and every other
 * template field) without a break. A stage that leaves a workload's template alone leaves its Deployment unchanged, and a revision keeps the name
 * of the stage that made it (`kubernetes.io/change-cause`, see `changeCause`).
 */
export function templateStage(plan: Plan, workload: string, stageIndex: number): string {
  const definition = named(plan.workloads, workload);
  const templateIn = (index: number) => {
    const state = plan.stages[index].workloads[workload];
    return state && definition ? podTemplateKey(definition, state) : undefined;
  };
  const template = templateIn(stageIndex);
  let first = stageIndex;
  while (first > 0 && templateIn(first - 1) === template) first--;
  return plan.stages[first].name;
}
