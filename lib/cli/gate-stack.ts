/**
 * Running the metric gate for a stack's current stage: what `stepwise gate` prints and what
 * `stepwise promote` asks before it moves a stack. Loaded on demand by `promote` (it loads the
 * Prometheus client), so stacks without an analysis section never pay for it.
 */
import { StepwiseError, StepwiseErrors, stepwiseErrorsOf } from '../model/errors';
import type { Stack } from '../stacks';
import { gateTargetForStage, parseAnalysis, runGate, type Analysis, type GateReport } from '../gate';

/** The gate's outcome for a stack's current stage: a report, or why nothing could be measured. */
export type StackGateResult = { readonly report: GateReport } | { readonly none: string };

/**
 * Runs the metric gate for the current stage of `stack`: parses its `analysis` section (errors
 * name the stack file and `config.stepwise:plan.analysis`), picks the canary with
 * `gateTargetForStage` and queries Prometheus (`prometheusUrl` overrides the section's URL).
 */
export async function gateStack(stack: Stack, prometheusUrl?: string): Promise<StackGateResult> {
  const analysis = analysisOf(stack, prometheusUrl);
  const chosen = gateTargetForStage(stack.plan, stack.stageIndex);
  if ('none' in chosen) return { none: chosen.none };
  return { report: await runGate(analysis, chosen.target) };
}

function analysisOf(stack: Stack, prometheusUrl: string | undefined): Analysis {
  let data = stack.plan.extensions.analysis;
  if (prometheusUrl !== undefined && data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const section = data as Record<string, unknown>;
    const prometheus =
      section.prometheus !== null && typeof section.prometheus === 'object' ? (section.prometheus as Record<string, unknown>) : {};
    data = { ...section, prometheus: { ...prometheus, url: prometheusUrl } };
  }
  try {
    return parseAnalysis(data, 'config.stepwise:plan.analysis');
  } catch (error) {
    const found = stepwiseErrorsOf(error);
    if (found.length === 0) throw error;
    if (data === undefined || data === null) {
      throw new StepwiseError({
        file: stack.file,
        keyPath: 'config.stepwise:plan.analysis',
        problem: 'is missing: the stack has no metric gate',
        fix: 'add an analysis section to the plan with at least `prometheus: { url: http://prometheus.monitoring:9090 }`; docs/guides/metric-gate.md shows every key and its default',
      });
    }
    throw new StepwiseErrors(found.map((e) => e.inFile(stack.file)));
  }
}
