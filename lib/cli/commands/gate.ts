import { StepwiseError, StepwiseErrors, stepwiseErrorsOf } from '../../model/errors';
import type { Stack } from '../../stacks';
import { formatGateReport, gateExitCode, gateTargetForStage, parseAnalysis, runGate, toJson, type GateReport } from '../../gate';
import { parseCommandArgs, prometheusOption, requireStackName, STACK_OPTIONS, stacksDirOf } from '../args';
import type { Command } from '../command';
import { loadStackForCli } from '../load-stack';
import { errorLines } from '../run-main';

const USAGE = `usage: stepwise gate <stack> [--json] [--prometheus URL] [--stacks DIR]

Asks Prometheus for every metric of the plan's analysis section, measured on the canary of the
stack's current stage, prints each value against its threshold and exits with the verdict.
Missing data, NaN, an unreachable or slow Prometheus are never a pass. See the README, section "The metric gate".

The canary in the current stage (the stable workload is what relativeTo: stable compares with):
  CanaryService    the workload that gets the new image first (e.g. fop-gate-canary); stable: the other one
  BatchedRollout   the newest batch on the new image; stable: the first batch still on the baseline image
  SelectorCutover  v2, the workload on the new image; stable: v1 while it exists
A stage where no workload runs a new image yet has nothing to measure (exit 2).

options:
  --json            print the report as one JSON document
  --prometheus URL  query this Prometheus instead of analysis.prometheus.url
                    (e.g. http://127.0.0.1:9090 through kubectl port-forward)
  --stacks DIR      the stacks directory (default: stacks)
  -h, --help        show this help

exit codes: 0 pass, 1 fail (a metric is outside its threshold), 2 cannot decide
(inconclusive, nothing to measure, no analysis section, or any other error)`;

const OPTIONS = { ...STACK_OPTIONS, json: { type: 'boolean' }, prometheus: { type: 'string' } } as const;

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

/** True when the stack's plan has an `analysis` section (so `promote` must pass the gate). */
export function hasAnalysis(stack: Stack): boolean {
  return stack.plan.extensions.analysis !== undefined && stack.plan.extensions.analysis !== null;
}

function analysisOf(stack: Stack, prometheusUrl: string | undefined) {
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
        fix: 'add an analysis section to the plan with at least `prometheus: { url: http://prometheus.monitoring:9090 }`; the README, section "The metric gate" shows every key and its default',
      });
    }
    throw new StepwiseErrors(found.map((e) => e.inFile(stack.file)));
  }
}

/** `stepwise gate <stack>`. */
export const command: Command = {
  name: 'gate',
  summary: "check the canary's metrics in Prometheus: exit 0 pass, 1 fail, 2 cannot decide",
  usage: USAGE,
  async run(args, context) {
    // Exit 1 means "a metric failed" (scripts roll back on it), so every other problem is 2.
    try {
      const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
      const name = requireStackName(positionals, USAGE);
      const prometheusUrl = prometheusOption(values.prometheus);
      const stack = loadStackForCli(stacksDirOf(values), name);
      const result = await gateStack(stack, prometheusUrl);
      if ('none' in result) {
        context.err(
          `stepwise: gate ${stack.name}: nothing to measure: ${result.none}; promote to a stage that runs the new version first\n`,
        );
        return 2;
      }
      context.out(values.json ? `${JSON.stringify(toJson(result.report), null, 2)}\n` : formatGateReport(result.report));
      return gateExitCode(result.report.verdict);
    } catch (error) {
      for (const line of errorLines(error)) context.err(`stepwise: ${line}\n`);
      return 2;
    }
  },
};
