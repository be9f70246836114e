/**
 * Running the metric gate for a stack's current stage: what `stepwise gate` prints and what
 * `stepwise promote` asks before it moves a stack. Loaded on demand by `promote` (it loads the
 * Prometheus client), so stacks without an analysis section never pay for it.
 */
import { StepwiseError, StepwiseErrors, stepwiseErrorsOf } from '../model/errors';
import type { Stack } from '../stacks';
import { gateTargetForStage, runGate, type GateReport } from '../gate';
import { parsePrometheusUrl, type Analysis } from '../model/analysis-section';

/** The gate's outcome for a stack's current stage: a report, or why nothing could be measured. */
export type StackGateResult = { readonly report: GateReport } | { readonly none: string };

/**
 * Runs the metric gate for the current stage of `stack`: takes its parsed `analysis` section (a
 * stack without one, or a bad `prometheusUrl`, is an error naming the stack file), picks the canary with
 * `gateTargetForStage` and queries Prometheus (`prometheusUrl` overrides the section's URL).
 */
export async function gateStack(stack: Stack, prometheusUrl?: string): Promise<StackGateResult> {
  const analysis = analysisOf(stack, prometheusUrl);
  const chosen = gateTargetForStage(stack.plan, stack.stageIndex);
  if ('none' in chosen) return { none: chosen.none };
  return { report: await runGate(analysis, chosen.target) };
}

function analysisOf(stack: Stack, prometheusUrl: string | undefined): Analysis {
  const keyPath = 'config.stepwise:plan.analysis';
  const analysis = stack.plan.analysis;
  if (!analysis) {
    throw new StepwiseError({
      file: stack.file,
      keyPath,
      problem: 'is missing: the stack has no metric gate',
      fix: 'add an analysis section to the plan with at least `prometheus: { url: http://prometheus.monitoring:9090 }`; docs/guides/metric-gate.md shows every key and its default',
    });
  }
  if (prometheusUrl === undefined) return analysis;
  // The override is checked as the section's own url is, and named where it replaces it.
  try {
    return { ...analysis, prometheus: { ...analysis.prometheus, url: parsePrometheusUrl(prometheusUrl, `${keyPath}.prometheus.url`) } };
  } catch (error) {
    throw new StepwiseErrors(stepwiseErrorsOf(error).map((e) => e.inFile(stack.file)));
  }
}
