/**
 * Which workload of a canary pair is the canary and which the stable one. `stepwise gate`
 * (which workload it measures) and `stepwise export` (which Deployment the controller takes
 * over) both need the answer, and must never give two different ones for the same plan.
 */
import { baselineTemplates, runsNewVersion } from './new-version';
import type { Plan, Workload } from './plan';

/** The two workloads a canary release is about. */
export interface CanaryPair {
  /** The workload that runs the new version first. */
  readonly canary: Workload;
  /** The workload the canary is compared with and that takes the new version last. */
  readonly stable: Workload;
}

/**
 * The canary pair of `plan`, or undefined when it has fewer than two workloads. The new version is
 * a pod template no workload runs in the first stage (the baseline the release starts from): a new
 * image, or the same image with an env var, a limit or any other template field changed (see
 * `runsNewVersion`).
 *  - canary: the workload that runs the new version in the earliest stage; when several start in the
 *    same stage (or none ever does), the one with fewer replicas in the first stage, then the
 *    last declared;
 *  - stable: of the other workloads, the one with the most replicas in the first stage, the first
 *    declared on a tie.
 * For a two-workload plan the stable workload is simply the other one.
 */
export function canaryPair(plan: Plan): CanaryPair | undefined {
  if (plan.workloads.length < 2) return undefined;
  const baseline = plan.stages[0].workloads;
  const templates = baselineTemplates(plan);
  const firstNew = (name: string): number => {
    const index = plan.stages.findIndex((stage) => runsNewVersion(plan, name, stage, templates));
    return index < 0 ? Number.MAX_SAFE_INTEGER : index;
  };
  const baselineReplicas = (name: string): number => baseline[name]?.replicas ?? 0;
  const order = (w: Workload): number => plan.workloads.indexOf(w);
  const [canary] = [...plan.workloads].sort(
    (a, b) => firstNew(a.name) - firstNew(b.name) || baselineReplicas(a.name) - baselineReplicas(b.name) || order(b) - order(a),
  );
  const stable = plan.workloads
    .filter((w) => w !== canary)
    .reduce((best, w) => (baselineReplicas(w.name) > baselineReplicas(best.name) ? w : best));
  return { canary, stable };
}
