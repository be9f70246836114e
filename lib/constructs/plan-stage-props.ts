/**
 * The stack-file front end of the constructs: a stage of a parsed plan as the props a user of the
 * constructs would write for it. The plan is checked as a whole first (problems name the plan's
 * keys, `workloads.api.ports[1]`), so a valid plan always yields valid props.
 */
import { StepwiseErrors, apiServerProblems, findStage, isWeighted, kindRuleProblems, stageState, templateStage, type Plan } from '../model';
import { workloadSyncWaves, SYNC_WAVES } from '../routing/sync-waves';
import type { ReleaseStageProps } from './release-stage-props';
import { changeCause } from './workload-deployment';
import { workloadProps } from './workload-props';

/**
 * The props of stage `stage` of `plan`, reached from `fromStage` (which only orders the sync waves
 * of `gitops.syncWaves`; by default the stage before `stage`, or `stage` itself for the first).
 * Throws StepwiseErrors with the plan's key paths when the plan breaks a rule of its kind or one
 * the API server enforces, and a StepwiseError listing the stages for an unknown one.
 */
export function planStageProps(plan: Plan, stage: string, fromStage?: string): ReleaseStageProps {
  // parsePlan reports these too; a plan built in code must not reach the constructs with them either.
  const problems = [...kindRuleProblems(plan), ...apiServerProblems(plan)];
  if (problems.length > 0) throw new StepwiseErrors(problems);
  const { index } = findStage(plan, stage);
  const state = stageState(plan, index);
  const routing = plan.traffic;
  let syncWaves: ReleaseStageProps['syncWaves'];
  if (plan.gitops.syncWaves) {
    const fromIndex = fromStage === undefined ? Math.max(0, index - 1) : findStage(plan, fromStage).index;
    const waves = workloadSyncWaves(plan, fromIndex, index);
    syncWaves = { scaledDown: Object.keys(waves).filter((name) => waves[name] === SYNC_WAVES.break) };
  }
  return {
    namespace: plan.namespace,
    commonLabels: plan.commonLabels,
    workloads: state.workloads.map((running) =>
      workloadProps(running.workload, running.state, changeCause(templateStage(plan, running.workload.name, index))),
    ),
    services: state.services.map((s) => ({ ...s.service, selector: s.selector })),
    releaseWorkloads: plan.workloads,
    trafficRouter: isWeighted(routing) ? { routing, weights: routing.stageWeights[index] } : undefined,
    syncWaves,
  };
}
