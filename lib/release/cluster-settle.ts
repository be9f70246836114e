/**
 * Waiting for the cluster to reach a stage, read as `stepwise status` reads it: the Deployments,
 * Services and router weights of the stage, every rollout finished, nothing missing. `pulumi up`
 * already waits for its Deployments; this also sees what Pulumi does not wait for (EndpointSlices
 * catching up, a router's weights) and is what the GitOps variant will wait on.
 */
import { isReadProblem } from '../status/cluster-reader';
import type { KubeTarget } from '../status/kube-context';
import { readStackStatus } from '../status/stack-status';
import type { StatusReport } from '../status/status-report';
import type { Stack } from '../stacks/stack-config';
import type { SettleResult } from './release-run';

/** How long to wait and how often to look. */
export interface SettleTiming {
  /** Give up after this many seconds. */
  readonly timeoutSeconds: number;
  /** Seconds between two reads. */
  readonly pollSeconds: number;
}

/** The defaults: ten minutes (a Deployment's default progressDeadlineSeconds), every two seconds. */
export const SETTLE_DEFAULTS: SettleTiming = { timeoutSeconds: 600, pollSeconds: 2 };

/**
 * A settle piece for `runRelease`: reads the cluster until it is at `stage` with no rollout in
 * progress and no object missing, or the timeout passes (then the last read says why).
 */
export function clusterSettle(stack: Stack, target: KubeTarget, timing: SettleTiming = SETTLE_DEFAULTS, signal?: AbortSignal) {
  return async (stage: string): Promise<SettleResult> => {
    const stageIndex = stack.plan.stages.findIndex((s) => s.name === stage);
    const atStage: Stack = { ...stack, stage, stageIndex };
    const deadline = Date.now() + timing.timeoutSeconds * 1000;
    let last = 'the cluster was not read';
    while (!signal?.aborted) {
      const report = await readStackStatus(atStage, target, Math.min(10, timing.timeoutSeconds));
      if (isReadProblem(report)) {
        last = `the cluster could not be read: ${report.message}`;
      } else if (report.stage === stage && report.findings.length === 0) {
        return { settled: true };
      } else {
        last = notSettled(report, stage);
      }
      if (Date.now() + timing.pollSeconds * 1000 > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, timing.pollSeconds * 1000));
    }
    return { settled: false, reason: `not at ${stage} after ${timing.timeoutSeconds}s: ${last}` };
  };
}

/** Why a status read is not the stage yet, in one line. */
function notSettled(report: StatusReport, stage: string): string {
  const parts: string[] = [];
  if (report.stage !== stage) parts.push(`it matches ${report.stage ?? 'no stage of the plan'}`);
  for (const r of report.rolling) parts.push(`Deployment ${r.deployment} is rolling out (${r.waitingFor.join(', ')})`);
  for (const d of report.drift.slice(0, 3))
    parts.push(`${d.kind} ${d.name} ${d.field} is ${String(d.live)}, the stage says ${String(d.planned)}`);
  for (const m of report.missing.slice(0, 3)) parts.push(`${m.kind} ${m.name} is missing`);
  return parts.join('; ') || report.findings.join(', ');
}
