/**
 * The cdk8s side of `gitops.syncWaves`: puts the waves the pure `lib/routing/sync-waves` computes
 * on the objects of a rendered stage.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { StepwiseError } from '../model/errors';
import type { Plan } from '../model/plan';
import { isTrafficRoutingKind, TRAFFIC_ROUTING_KINDS } from '../routing/routing-kinds';
import {
  PRUNE_LAST,
  SYNC_OPTIONS_ANNOTATION,
  SYNC_WAVES,
  SYNC_WAVE_ANNOTATION,
  WORKLOAD_KINDS,
  workloadSyncWaves,
} from '../routing/sync-waves';

/**
 * Puts an Argo CD sync wave on every object under `scope` (the construct rendering the stage at
 * `toIndex`, reached from `fromIndex`): a workload's Deployment and PodDisruptionBudget get its
 * make or break wave and `PruneLast=true`; Services and router objects the route wave between.
 * An object of any other kind has no wave: it is reported rather than synced out of order.
 */
export function annotateSyncWaves(scope: Construct, plan: Plan, fromIndex: number, toIndex: number): void {
  const waves = workloadSyncWaves(plan, fromIndex, toIndex);
  for (const child of scope.node.findAll()) {
    if (!(child instanceof ApiObject)) continue;
    if (WORKLOAD_KINDS.includes(child.kind)) {
      const wave = waves[child.name];
      if (wave === undefined) {
        throw new StepwiseError({
          keyPath: 'gitops.syncWaves',
          problem: `${child.kind} '${child.name}' is rendered in stage '${plan.stages[toIndex].name}' but is not one of its workloads, so it has no sync wave`,
          fix: `render only the stage's workloads under the release construct, or turn gitops.syncWaves off`,
        });
      }
      child.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
      child.metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, PRUNE_LAST);
    } else if (isTrafficRoutingKind(child.kind)) {
      child.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(SYNC_WAVES.route));
    } else {
      throw new StepwiseError({
        keyPath: 'gitops.syncWaves',
        problem: `${child.kind} '${child.name}' has no sync wave: only ${[...WORKLOAD_KINDS, ...TRAFFIC_ROUTING_KINDS].join(', ')} do`,
        fix: `add ${child.kind} to TRAFFIC_ROUTING_KINDS (lib/routing/routing-kinds.ts) if it decides where requests go, or turn gitops.syncWaves off`,
      });
    }
  }
}
