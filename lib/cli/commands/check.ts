import { isIntOrPercent, type IntOrPercent } from '../../model/int-or-percent';
import { checkPlan, countFindings } from '../../review/check';
import { checkJson, checkReport } from '../../review/check-report';
import { parseCommandArgs, requireStackName, stacksDirOf, STACK_OPTIONS } from '../args';
import type { Command } from '../command';
import { loadStackForCli } from '../load-stack';
import { UsageError } from '../run-main';

const USAGE = `usage: stepwise check <stack> [--capacity-floor N|N%] [--json] [--stacks DIR]

Static safety analysis of the stack's whole stage sequence, before anything is applied. Each
finding names the stage (or transition), the object, the problem and the fix. Errors:
  service-without-endpoints       a Service has no ready endpoints in a stage
  capacity-below-floor            a transition leaves a Service fewer ready endpoints than its floor
                                  (a scale-down, a deletion, a rollout with maxUnavailable)
  cutover-below-floor             a selector cutover to workloads with fewer ready pods than the floor
  stage-below-floor               the first stage is already below a configured floor
  overlapping-selectors           two Deployments select each other's pods
  rolling-update-cannot-progress  maxSurge and maxUnavailable both zero
  weight-without-ready-pods       a traffic router sends a weight to a track with no pods in a stage
  invalid-traffic-section         a stage's traffic weights do not fit the plan's traffic section
Warnings:
  pod-security-override           each securityOverrides departure from the restricted standard
  canary-widened-unwatched        a stage sends the new version more requests with no soak and no
                                  analysis section (stepwise release would move on unwatched)

The capacity floor of a Service is its ready endpoints in the first stage minus what each
workload's maxUnavailable allows, unless the plan sets checks.capacityFloor.

options:
  --capacity-floor N|N%  the floor for every Service: a count, or a percent of its endpoints in
                         the first stage (overrides checks.capacityFloor)
  --json                 the findings as JSON
  --stacks DIR           where the Pulumi.<stack>.yaml files are (default: stacks)
  -h, --help             this text

exit codes: 0 no errors (warnings allowed), 1 errors found or the stack file is invalid,
2 usage error (unknown stack or flag, bad --capacity-floor)`;

/** `stepwise check <stack>`. */
export const command: Command = {
  usage: USAGE,
  run(args, context) {
    const options = { ...STACK_OPTIONS, json: { type: 'boolean' }, 'capacity-floor': { type: 'string' } } as const;
    const { values, positionals } = parseCommandArgs(args, options, USAGE);
    const capacityFloor = values['capacity-floor'] === undefined ? undefined : parseFloorFlag(values['capacity-floor']);
    const stack = loadStackForCli(stacksDirOf(values), requireStackName(positionals, USAGE));
    const findings = checkPlan(stack.plan, { capacityFloor });
    context.out(values.json ? checkJson(stack.name, findings) : checkReport(stack.name, findings));
    return countFindings(findings).errors > 0 ? 1 : 0;
  },
};

function parseFloorFlag(value: string): IntOrPercent {
  const parsed: unknown = /^\d+$/.test(value) ? Number(value) : value;
  if (!isIntOrPercent(parsed)) {
    throw new UsageError(`--capacity-floor '${value}' must be a whole number (e.g. 6) or a percent from 0% to 100% (e.g. 80%)\n\n${USAGE}`);
  }
  return parsed;
}
