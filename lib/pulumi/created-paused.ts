import type { Transition } from '../model';
import { SKIP_AWAIT_ANNOTATION } from './skip-await';

/**
 * The Deployments a move leaves paused without ever having rolled out: created paused (in this
 * stage or an earlier one) and not resumed since. The Deployment controller creates no ReplicaSet
 * for them, and pulumi-kubernetes' Deployment await waits for the ReplicaSet of the current
 * revision: `pulumi up` would wait its whole 10-minute timeout and fail (seen on a real cluster,
 * e2e/pulumi-paused.e2e.test.ts). A paused Deployment that has rolled out before keeps its
 * ReplicaSet, and its await completes at once: it is not listed.
 */
export function createdPausedWorkloads(move: Transition): string[] {
  return move.to.workloads.filter((w) => w.state.paused && w.pods.image === undefined).map((w) => w.workload.name);
}

/** What `pulumi up` tells the user about a Deployment it does not await because it was created paused. */
export function createdPausedWarning(workload: string, stage: string): string {
  return (
    `stepwise: ${workload} is created paused and not resumed in stage '${stage}': the Deployment controller starts no ` +
    `ReplicaSet for it, so pulumi up does not wait for it (${SKIP_AWAIT_ANNOTATION}); it starts pods in the stage that resumes it (paused: false)`
  );
}
