/**
 * Which workload the gate measures in a stage of a plan: the canary (the workload running the new
 * version the release is about) and the stable workload relative limits compare it with.
 *
 * The "new version" is any image no workload runs in the plan's first stage (the baseline the
 * release starts from). Per kind:
 * - CanaryService: the plan's canary pair (`canaryPair`, shared with `stepwise export`): the canary
 *   is the workload that gets a new image first in the plan (the canary track, e.g.
 *   fop-gate-canary), from the first stage it runs one; stable is the other workload with the
 *   most baseline replicas, while it exists.
 * - BatchedRollout: the canary is the newest batch on a new image (the one that moved most
 *   recently; the gray batch in the first step); stable is the first batch still on a baseline
 *   image, if any is left.
 * - SelectorCutover: the canary is v2, the workload on a new image (the newest, should there be
 *   several); stable is the workload still on a baseline image (v1), while it exists.
 * A stage where no workload runs a new image has nothing to measure: there is no target.
 */
import type { Plan } from '../model';
import { canaryPair } from '../model/canary-pair';
import type { GateTarget } from './evaluate';

/** The gate's target in a stage, or why there is none. */
export type StageGateTarget = { readonly target: GateTarget } | { readonly none: string };

/** The workloads the gate measures in the stage at `stageIndex` of `plan` (see the module comment). */
export function gateTargetForStage(plan: Plan, stageIndex: number): StageGateTarget {
  const baseline = plan.stages[0];
  const baselineImages = new Set(Object.values(baseline.workloads).map((w) => w.image));
  const stage = plan.stages[stageIndex];
  const isNew = (name: string, index: number): boolean => {
    const state = plan.stages[index].workloads[name];
    return state !== undefined && !baselineImages.has(state.image);
  };
  const onNewImage = plan.workloads.filter((w) => isNew(w.name, stageIndex));
  if (onNewImage.length === 0) {
    const images = [...baselineImages].sort().join(', ');
    return {
      none: `in stage '${stage.name}' no workload runs a new image yet (every workload runs the baseline's ${images}), so there is no canary to measure`,
    };
  }
  // The stage from which a workload has run a new image without interruption up to `stageIndex`.
  const since = (name: string): number => {
    let first = stageIndex;
    while (first > 0 && isNew(name, first - 1)) first--;
    return first;
  };
  const workload = (name: string) => plan.workloads.find((w) => w.name === name)!;
  const queried = (name: string) => ({ name, labels: workload(name).labels });

  let canary: string;
  let stable: string | undefined;
  const pair = plan.kind === 'CanaryService' ? canaryPair(plan) : undefined;
  if (pair) {
    // The same pair `stepwise export` hands over (lib/model/canary-pair.ts). Should the canary not
    // run a new image in this stage, the workload that took one earliest is measured instead.
    const firstNew = (name: string): number => {
      const i = plan.stages.findIndex((_, index) => isNew(name, index));
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    canary = isNew(pair.canary.name, stageIndex)
      ? pair.canary.name
      : [...onNewImage].sort((a, b) => firstNew(a.name) - firstNew(b.name))[0].name;
    const other = canary === pair.stable.name ? pair.canary : pair.stable;
    stable = stage.workloads[other.name] !== undefined ? other.name : undefined;
  } else {
    // The newest on a new image: the latest to move; among equals, the last in plan order.
    canary = onNewImage.reduce((newest, w) => (since(w.name) >= since(newest.name) ? w : newest)).name;
    stable = plan.workloads.find((w) => stage.workloads[w.name] !== undefined && !isNew(w.name, stageIndex))?.name;
  }
  return {
    target: {
      namespace: plan.namespace,
      canary: queried(canary),
      ...(stable === undefined ? {} : { stable: queried(stable) }),
    },
  };
}
