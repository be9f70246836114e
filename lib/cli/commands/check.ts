import { CHECK_RULES, type CheckRuleInfo } from '../../model/check-rules';
import { isIntOrPercent, type IntOrPercent } from '../../model/int-or-percent';
import type { Plan } from '../../model/plan';
import { checkPlan, countFindings } from '../../review/check';
import { nodePortInAnotherStack } from '../../review/check-node-ports';
import { checkJson, checkReport } from '../../review/check-report';
import { otherStacksInCluster } from '../../stacks/stack-cluster';
import { parseCommandArgs, requireStackName, stacksDirOf, STACK_OPTIONS } from '../args';
import type { Command } from '../command';
import { loadStackForCli } from '../../command-line/load-stack';
import { UsageError } from '../../command-line/run-main';

const USAGE = `usage: stepwise check <stack> [--capacity-floor N|N%] [--json] [--stacks DIR]

Static safety analysis of the stack's whole stage sequence, before anything is applied. Each
finding names the stage (or transition), the object, the problem and the fix. The release policy
of each stage that sets one (what \`stepwise release\` does there) is listed first.
${ruleList()}

The capacity floor of a Service is its ready endpoints in the first stage minus what each
workload's maxUnavailable allows, unless the plan sets checks.capacityFloor.

options:
  --capacity-floor N|N%  the floor for every Service: a count, or a percent of its endpoints in
                         the first stage (overrides checks.capacityFloor)
  --json                 the findings, and each stage's release policy, as JSON
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
    const stacksDir = stacksDirOf(values, context.cwd);
    const stack = loadStackForCli(stacksDir, requireStackName(positionals, USAGE));
    const findings = [
      ...checkPlan(stack.plan, { capacityFloor }),
      // Only a stack with a nodePort can clash with another; the others are read only then.
      ...(hasNodePort(stack.plan) ? nodePortInAnotherStack(stack, otherStacksInCluster(stacksDir, stack.name)) : []),
    ];
    context.out(values.json ? checkJson(stack.name, findings, stack.plan) : checkReport(stack.name, findings, stack.plan));
    return countFindings(findings).errors > 0 ? 1 : 0;
  },
};

/** Whether any Service of `plan` sets a nodePort. */
function hasNodePort(plan: Plan): boolean {
  return plan.services.some((service) => service.ports.some((port) => port.nodePort !== undefined));
}

function parseFloorFlag(value: string): IntOrPercent {
  const parsed: unknown = /^\d+$/.test(value) ? Number(value) : value;
  if (!isIntOrPercent(parsed)) {
    throw new UsageError(`--capacity-floor '${value}' must be a whole number (e.g. 6) or a percent from 0% to 100% (e.g. 80%)\n\n${USAGE}`);
  }
  return parsed;
}

/**
 * The rules `check` runs, from the one list of them (`CHECK_RULES`): errors, then warnings, each
 * summary wrapped under its own column. The rules comparing two versions of a stack file run in
 * `diff --base`, so they are named after the others.
 */
function ruleList(): string {
  const rules = Object.entries(CHECK_RULES) as [string, CheckRuleInfo][];
  const own = rules.filter(([, rule]) => rule.scope !== 'plan versions');
  const width = Math.max(...own.map(([id]) => id.length)) + 2;
  const block = (severity: CheckRuleInfo['severity']) =>
    own
      .filter(([, rule]) => rule.severity === severity)
      .map(([id, rule]) => `  ${id.padEnd(width)}${wrap(rule.summary, 100 - width - 2).join(`\n${' '.repeat(width + 2)}`)}`);
  const versions = rules.filter(([, rule]) => rule.scope === 'plan versions').map(([id]) => id);
  return [
    'Errors:',
    ...block('error'),
    'Warnings:',
    ...block('warning'),
    ...wrap(`Comparing two versions of a stack file (stepwise diff --base), also: ${versions.join(', ')}.`, 100),
  ].join('\n');
}

/** Splits `text` into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
