import type { Workload, WorkloadInStage } from './plan';
import { podTemplateKey } from './pod-template';

/**
 * The pods a Deployment runs once the Deployment controller has acted on a stage's spec, and the
 * ReplicaSets it keeps. They can differ from the spec: a paused Deployment keeps the pods (and the
 * image) it had, and one created paused has none at all. Pure; follows the controller
 * (`pkg/controller/deployment`: `syncDeployment`, `sync`, `scale`, `getNewReplicaSet`,
 * `cleanupDeployment`).
 */
export interface DeploymentPods {
  /** Pods it keeps when settled: its replicas, or 0 while it has no ReplicaSet (created paused). */
  readonly count: number;
  /**
   * The image of the ReplicaSet that holds its pods (or gets them when it is scaled up): the
   * template of its last rollout, unless paused. Undefined while it has no ReplicaSet.
   */
  readonly image?: string;
  /** The identity of that ReplicaSet's pod template (see `podTemplateKey`); undefined with `image`. */
  readonly template?: string;
  /**
   * Its ReplicaSets in revision order (the one whose template the Deployment was last synced
   * with comes last), each with its place in creation order.
   */
  readonly replicaSets: readonly ReplicaSetRecord[];
}

/** One ReplicaSet of a Deployment: its pod template's image and when it was created (a counter). */
export interface ReplicaSetRecord {
  /** The image of its pod template. */
  readonly image: string;
  /** The identity of its pod template (see `podTemplateKey`): the image, and the rest of the template when a stage changes it. */
  readonly template: string;
  /** Its place in creation order: higher is newer. */
  readonly created: number;
}

/**
 * The pods after applying `spec` to the Deployment of `workload` that had `before` (undefined: it
 * is created).
 *
 * - Not paused: the controller rolls the template out (reusing the ReplicaSet of that template if
 *   it still has one) and scales to the replicas.
 * - Paused: it neither rolls out nor creates a ReplicaSet (`getAllReplicaSetsAndSyncRevision` with
 *   `createIfNotExisted` false). A change of replicas resizes the ReplicaSet that has pods, else
 *   the one of the spec's template, else the newest (`FindActiveOrLatest`); its pods keep that
 *   ReplicaSet's image. A Deployment created paused has no ReplicaSet, so scaling it does nothing.
 *   A template change made while paused is pending, and rolls out when it is resumed.
 *
 * Settled, the controller deletes the old ReplicaSets of the lowest revisions beyond
 * `revisionHistoryLimit`, unless they have pods.
 */
export function podsAfter(workload: Workload, before: DeploymentPods | undefined, spec: WorkloadInStage): DeploymentPods {
  const existing = before?.replicaSets ?? [];
  const template = podTemplateKey(workload, spec);
  const current = existing.find((rs) => rs.template === template);
  // The ReplicaSet of the spec's template, if there is one, takes the highest revision.
  const synced = current ? [...existing.filter((rs) => rs !== current), current] : existing;
  if (!spec.paused) {
    const created = existing.reduce((newest, rs) => Math.max(newest, rs.created + 1), 0);
    const replicaSets = current ? synced : [...existing, { image: spec.image, template, created }];
    return withHistoryLimit(workload, { count: spec.replicas, image: spec.image, template, replicaSets }, template);
  }
  const newest = existing.reduce<ReplicaSetRecord | undefined>((a, rs) => (a === undefined || rs.created > a.created ? rs : a), undefined);
  const holder = before !== undefined && before.count > 0 ? before : (current ?? newest);
  if (holder?.image === undefined || holder.template === undefined) return { count: 0, replicaSets: [] };
  return withHistoryLimit(
    workload,
    { count: spec.replicas, image: holder.image, template: holder.template, replicaSets: synced },
    template,
  );
}

/**
 * `pods` after `cleanupDeployment`: of the ReplicaSets other than the spec template's, those of the
 * lowest revisions beyond `revisionHistoryLimit` are deleted, unless they hold pods.
 */
function withHistoryLimit(workload: Workload, pods: DeploymentPods, specTemplate: string): DeploymentPods {
  const old = pods.replicaSets.filter((rs) => rs.template !== specTemplate);
  const beyondLimit = old.slice(0, Math.max(0, old.length - workload.revisionHistoryLimit));
  const deleted = new Set(beyondLimit.filter((rs) => !(rs.template === pods.template && pods.count > 0)));
  if (deleted.size === 0) return pods;
  return { ...pods, replicaSets: pods.replicaSets.filter((rs) => !deleted.has(rs)) };
}
