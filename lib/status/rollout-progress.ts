/**
 * Whether a Deployment is still rolling out, from its status, the way `kubectl rollout status`
 * judges it: the controller has seen the latest spec, every pod has the current template, and
 * exactly the desired pods are there and available. A rollout in progress is not drift: the spec
 * already says the stage, the pods have not caught up yet. Pure.
 */
import type { LiveDeployment } from './live-cluster';

/** A Deployment whose pods have not caught up with its spec. */
export interface RolloutInProgress {
  /** Deployment name. */
  readonly deployment: string;
  /** What is not done yet, in words: `1 of 3 pods updated`, `2 of 3 available`, … */
  readonly waitingFor: readonly string[];
  /** The `Progressing` condition's reason when it is False (e.g. `ProgressDeadlineExceeded`): the rollout is stuck. */
  readonly stalled?: string;
}

/**
 * What `deployment` still waits for, or undefined when it is settled. A paused Deployment rolls no
 * template out, so only its pods' readiness counts (a scale of it still happens).
 */
export function rolloutProgress(deployment: LiveDeployment): RolloutInProgress | undefined {
  const d = deployment;
  const waitingFor: string[] = [];
  if (d.observedGeneration < d.generation) waitingFor.push('the controller to see the latest spec');
  else if (d.paused) {
    if (d.availableReplicas < d.currentReplicas) waitingFor.push(`${d.availableReplicas} of ${d.currentReplicas} pods available (paused)`);
  } else {
    if (d.updatedReplicas < d.replicas) waitingFor.push(`${d.updatedReplicas} of ${d.replicas} pods updated`);
    if (d.availableReplicas < d.replicas) waitingFor.push(`${d.availableReplicas} of ${d.replicas} available`);
    const old = d.currentReplicas - d.replicas;
    if (old > 0) waitingFor.push(`${old} old pod${old === 1 ? '' : 's'} to stop`);
  }
  if (waitingFor.length === 0 && d.stalled === undefined) return undefined;
  return { deployment: d.name, waitingFor, ...(d.stalled !== undefined ? { stalled: d.stalled } : {}) };
}
