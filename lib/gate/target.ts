/**
 * Which workload the gate measures in a stage of a plan: the canary (the workload running the new
 * version the release is about) and the stable workload relative limits compare it with.
 *
 * The "new version" is any pod template no workload runs in the plan's first stage (the baseline
 * the release starts from): a new image, or the same image with an env var, a limit or any other
 * template field changed (`runsNewVersion`). Per kind:
 * - CanaryService: the plan's canary pair (`canaryPair`, shared with `stepwise export`): the canary
 *   is the workload that gets the new version first in the plan (the canary track, e.g.
 *   fop-gate-canary, or orders-api-canary whose first change is an env var), from the first stage
 *   it runs it; stable is the other workload with the
 *   most baseline replicas, while it exists.
 * - BatchedRollout: the canary is the newest batch on the new version (the one that moved most
 *   recently; the gray batch in the first step); stable is the first batch still on a baseline
 *   template, if any is left.
 * - SelectorCutover: the canary is v2, the workload on the new version (the newest, should there
 *   be several); stable is the workload still on a baseline template (v1), while it exists.
 * A stage where no workload runs the new version has nothing to measure: there is no target.
 */
import { named } from '../model/named';
import type { Plan } from '../model';
import { canaryPair } from '../model/canary-pair';
import { baselineTemplates, runsNewVersion } from '../model/new-version';
import type { GateTarget } from './evaluate';

/** The gate's target in a stage, or why there is none. */
export type StageGateTarget = { readonly target: GateTarget } | { readonly none: string };

/** The workloads the gate measures in the stage at `stageIndex` of `plan` (see the module comment). */
export function gateTargetForStage(plan: Plan, stageIndex: number): StageGateTarget {
  const baseline = plan.stages[0];
  const templates = baselineTemplates(plan);
  const stage = plan.stages[stageIndex];
  const isNew = (name: string, index: number): boolean => runsNewVersion(plan, name, plan.stages[index], templates);
  const onNewVersion = plan.workloads.filter((w) => isNew(w.name, stageIndex));
  if (onNewVersion.length === 0) {
    const images = [...new Set(Object.values(baseline.workloads).map((w) => w.image))].sort().join(', ');
    return {
      none: `in stage '${stage.name}' no workload runs a new version yet (every workload runs the baseline's ${images} and pod template), so there is no canary to measure`,
    };
  }
  // The stage from which a workload has run the new version without interruption up to `stageIndex`.
  const since = (name: string): number => {
    let first = stageIndex;
    while (first > 0 && isNew(name, first - 1)) first--;
    return first;
  };
  const workload = (name: string) => named(plan.workloads, name)!;
  const queried = (name: string) => ({ name, labels: workload(name).labels });

  let canary: string;
  let stable: string | undefined;
  const pair = plan.kind === 'CanaryService' ? canaryPair(plan) : undefined;
  if (pair) {
    // The same pair `stepwise export` hands over (lib/model/canary-pair.ts). Should the canary not
    // run the new version in this stage, the workload that took it earliest is measured instead.
    const firstNew = (name: string): number => {
      const i = plan.stages.findIndex((_, index) => isNew(name, index));
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    canary = isNew(pair.canary.name, stageIndex)
      ? pair.canary.name
      : [...onNewVersion].sort((a, b) => firstNew(a.name) - firstNew(b.name))[0].name;
    const other = canary === pair.stable.name ? pair.canary : pair.stable;
    stable = stage.workloads[other.name] !== undefined ? other.name : undefined;
  } else {
    // The newest on the new version: the latest to move; among equals, the last in plan order.
    canary = onNewVersion.reduce((newest, w) => (since(w.name) >= since(newest.name) ? w : newest)).name;
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
