import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Plan } from '../model/plan';
import { PRUNE_LAST, ROUTING_KINDS, SYNC_OPTIONS_ANNOTATION, SYNC_WAVES, SYNC_WAVE_ANNOTATION, workloadSyncWaves } from './sync-waves';

/** The kinds that belong to a workload (named after it) and sync in its wave. */
const WORKLOAD_KINDS = ['Deployment', 'PodDisruptionBudget'];

/**
 * Puts an Argo CD sync wave on every object under `scope` (the construct rendering the stage at
 * `toIndex`, reached from `fromIndex`): a workload's Deployment and PodDisruptionBudget get its
 * make or break wave and `PruneLast=true`; Services and router objects the route wave between.
 */
export function annotateSyncWaves(scope: Construct, plan: Plan, fromIndex: number, toIndex: number): void {
  const waves = workloadSyncWaves(plan, fromIndex, toIndex);
  for (const child of scope.node.findAll()) {
    if (!(child instanceof ApiObject)) continue;
    if (WORKLOAD_KINDS.includes(child.kind)) {
      const wave = waves[child.name];
      if (wave === undefined) throw new Error(`sync waves: ${child.kind} '${child.name}' is not a workload of the stage`);
      child.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
      child.metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, PRUNE_LAST);
    } else if (ROUTING_KINDS.includes(child.kind)) {
      child.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(SYNC_WAVES.route));
    } else {
      throw new Error(`sync waves: no wave for kind ${child.kind}`);
    }
  }
}
