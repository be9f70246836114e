/**
 * Argo CD sync waves that keep a stage's make-before-break order when Argo CD, not `pulumi up`,
 * applies it. Argo CD applies lower waves first and waits for them to be healthy (a Deployment is
 * healthy once its rollout is complete) before the next. Pure; the construct applies them.
 */
import type { Plan } from '../model/plan';
import { stageState } from '../model/stage-state';
import { transition } from '../model/transition';

/** The annotation Argo CD reads the wave from. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/**
 * Argo CD sync options put on Deployments and PodDisruptionBudgets: a workload a later stage
 * removes is pruned after every wave is healthy, not in the wave it was last applied with.
 */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/** The sync options value on workload objects. */
export const PRUNE_LAST = 'PruneLast=true';

/** The kinds that belong to a workload (named after it) and sync in its make or break wave. */
export const WORKLOAD_KINDS: readonly string[] = ['Deployment', 'PodDisruptionBudget'];

/** The wave of each part of a transition. */
export const SYNC_WAVES = {
  /** New workloads, scale-ups, image changes (unless the workload also scales down), resumes, and workloads that do not change. */
  make: 0,
  /** Every kind that decides where requests go (`TRAFFIC_ROUTING_KINDS`): Services, Ingresses, HTTPRoutes, TrafficSplits. */
  route: 1,
  /** Scale-downs, including those that also change the image (the model's break phase). */
  break: 2,
} as const;

/**
 * The sync wave of each workload rendered in the stage at `toIndex` when the cluster is in the
 * stage at `fromIndex`: `break` for a scale-down (also one that changes the image: the model's
 * phase, see lib/model/transition.ts), `make` for everything else (a workload deleted by the stage
 * is not rendered; Argo CD prunes it last).
 */
export function workloadSyncWaves(plan: Plan, fromIndex: number, toIndex: number): Record<string, number> {
  const moving = transition(plan, stageState(plan, fromIndex), toIndex);
  const waves: Record<string, number> = {};
  for (const workload of moving.workloads) {
    if (workload.to === undefined) continue;
    waves[workload.name] = workload.phase === 'break' ? SYNC_WAVES.break : SYNC_WAVES.make;
  }
  return waves;
}
