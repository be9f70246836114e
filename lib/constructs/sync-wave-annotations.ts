/**
 * The cdk8s side of sync waves (`syncWaves`, a plan's `gitops.syncWaves`): puts the waves of a
 * stage's make-before-break order on the objects rendered for it.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { StepwiseError } from '../model/errors';
import { isTrafficRoutingKind, TRAFFIC_ROUTING_KINDS } from '../routing/routing-kinds';
import { PRUNE_LAST, SYNC_OPTIONS_ANNOTATION, SYNC_WAVES, SYNC_WAVE_ANNOTATION, WORKLOAD_KINDS } from '../routing/sync-waves';

/** The sync waves of a stage ({@link ReleaseStageProps.syncWaves}). */
export interface SyncWavesProps {
  /**
   * The workloads this stage scales down (also those that change their image while scaling down):
   * they sync in the last wave, after the Services and router objects. Every other workload syncs
   * in the first wave.
   * @default - none: every workload syncs first
   */
  readonly scaledDown?: readonly string[];
}

/** The sync wave of each of `workloads`: `break` for those `scaledDown`, `make` for the others. */
export function workloadWaves(workloads: readonly string[], props: SyncWavesProps): Record<string, number> {
  const scaledDown = new Set(props.scaledDown ?? []);
  return Object.fromEntries(workloads.map((name) => [name, scaledDown.has(name) ? SYNC_WAVES.break : SYNC_WAVES.make]));
}

/**
 * Puts an Argo CD sync wave on every object under `scope` (the construct rendering a stage): a
 * workload's Deployment and PodDisruptionBudget get its wave in `waves` (by workload name) and
 * `PruneLast=true`; Services and router objects the route wave between. An object of any other
 * kind has no wave: it is reported rather than synced out of order.
 */
export function annotateSyncWaves(scope: Construct, waves: Readonly<Record<string, number>>): void {
  for (const child of scope.node.findAll()) {
    if (!(child instanceof ApiObject)) continue;
    if (WORKLOAD_KINDS.includes(child.kind)) {
      const wave = Object.prototype.hasOwnProperty.call(waves, child.name) ? waves[child.name] : undefined;
      if (wave === undefined) {
        throw new StepwiseError({
          keyPath: 'syncWaves',
          problem: `${child.kind} '${child.name}' is rendered under '${scope.node.path}' but is not one of its workloads, so it has no sync wave`,
          fix: `render only the stage's workloads under the release construct, or leave syncWaves out`,
        });
      }
      child.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
      child.metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, PRUNE_LAST);
    } else if (isTrafficRoutingKind(child.kind)) {
      child.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(SYNC_WAVES.route));
    } else {
      throw new StepwiseError({
        keyPath: 'syncWaves',
        problem: `${child.kind} '${child.name}' has no sync wave: only ${[...WORKLOAD_KINDS, ...TRAFFIC_ROUTING_KINDS].join(', ')} do`,
        fix: `add ${child.kind} to TRAFFIC_ROUTING_KINDS (lib/routing/routing-kinds.ts) if it decides where requests go, or leave syncWaves out`,
      });
    }
  }
}
