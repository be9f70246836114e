import { formatGateReport, gateExitCode, toJson } from '../../gate';
import { parseCommandArgs, prometheusOption, requireStackName, STACK_OPTIONS, stacksDirOf } from '../args';
import type { Command } from '../command';
import { gateStack } from '../gate-stack';
import { loadStackForCli } from '../../command-line/load-stack';
import { errorLines } from '../../command-line/run-main';

const USAGE = `usage: stepwise gate <stack> [--json] [--prometheus URL] [--stacks DIR]

Asks Prometheus for every metric of the plan's analysis section, measured on the canary of the
stack's current stage, prints each value against its threshold and exits with the verdict.
Missing data, NaN, an unreachable or slow Prometheus are never a pass. See docs/guides/metric-gate.md.

The canary in the current stage (the stable workload is what relativeTo: stable compares with):
  CanaryService    the workload that gets the new version first (e.g. fop-gate-canary); stable: the other one
  BatchedRollout   the newest batch on the new version; stable: the first batch still on the baseline
  SelectorCutover  v2, the workload on the new version; stable: v1 while it exists
The new version is any pod template the first stage does not run: a new image, or the same image
with an env var, a resource limit or any other template field changed.
A stage where no workload runs a new version yet has nothing to measure (exit 2).

options:
  --json            print the report as one JSON document
  --prometheus URL  query this Prometheus instead of analysis.prometheus.url
                    (e.g. http://127.0.0.1:9090 through kubectl port-forward)
  --stacks DIR      the stacks directory (default: stacks)
  -h, --help        show this help

exit codes: 0 pass, 1 fail (a metric is outside its threshold), 2 cannot decide
(inconclusive, nothing to measure, no analysis section, or any other error)`;

const OPTIONS = { ...STACK_OPTIONS, json: { type: 'boolean' }, prometheus: { type: 'string' } } as const;

/** `stepwise gate <stack>`. */
export const command: Command = {
  usage: USAGE,
  async run(args, context) {
    // Exit 1 means "a metric failed" (scripts roll back on it), so every other problem is 2.
    try {
      const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
      const name = requireStackName(positionals, USAGE);
      const prometheusUrl = prometheusOption(values.prometheus);
      const stack = loadStackForCli(stacksDirOf(values, context.cwd), name);
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
