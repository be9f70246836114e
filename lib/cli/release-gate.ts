/**
 * The metric gate of one stage of a release: `stepwise gate` run on the stage the release just
 * applied (the same analysis section, canary choice and Prometheus queries).
 */
import { toJson } from '../gate/report';
import type { StageGateResult } from '../release/release-run';
import type { Stack } from '../stacks/stack-config';

/**
 * A gate piece for `runRelease`: the gate's verdict on the stage at `stageIndex` of `stack`'s plan;
 * `none` when the plan has no analysis section or the stage runs no new image yet.
 * `prometheusUrl` overrides the section's URL (`--prometheus`).
 */
export function stackGate(stack: Stack, prometheusUrl?: string) {
  return async (stageIndex: number): Promise<StageGateResult> => {
    if (!stack.plan.analysis) return { verdict: 'none', reason: 'the plan has no analysis section' };
    // Loaded only when a gate runs: stacks without one never load the Prometheus client.
    const { gateStack } = await import('./gate-stack.js');
    const result = await gateStack({ ...stack, stage: stack.plan.stages[stageIndex].name, stageIndex }, prometheusUrl);
    if ('none' in result) return { verdict: 'none', reason: result.none };
    const report = toJson(result.report);
    return { verdict: report.verdict, report };
  };
}
