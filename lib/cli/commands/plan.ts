import { formatOption, parseCommandArgs, requireStackName, stacksDirOf, STACK_OPTIONS } from '../args';
import type { Command } from '../command';
import { loadStackForCli } from '../../command-line/load-stack';
import { UsageError } from '../../command-line/run-main';
import { planJson, planView } from '../../review/plan-json';
import { planSvg } from '../../review/plan-svg';
import { planTable } from '../../review/plan-table';

const FORMATS = ['table', 'json', 'svg'] as const;

const USAGE = `usage: stepwise plan <stack> [--json | --format table|json|svg] [--stacks DIR]

Shows the stack's plan stage by stage: replicas and image per workload, each Service's selector
and endpoints, the traffic share per workload, and for every transition the peak pod count, the
fewest available pods and, per Service, the fewest ready endpoints against the capacity floor.
The current stage (stepwise:stage) is marked *. Reads only the stack file.

options:
  --format F     table (default), json (the same as data) or svg (a chart of replicas and
                 traffic share per stage; redirect it to a file)
  --json         the same as --format json
  --stacks DIR   where the Pulumi.<stack>.yaml files are (default: stacks)
  -h, --help     this text

exit codes: 0 shown, 1 the stack file is invalid, 2 usage error (unknown stack, flag or format)`;

/** `stepwise plan <stack>`. */
export const command: Command = {
  usage: USAGE,
  run(args, context) {
    const { values, positionals } = parseCommandArgs(
      args,
      { ...STACK_OPTIONS, json: { type: 'boolean' }, format: { type: 'string' } },
      USAGE,
    );
    if (values.json && values.format !== undefined && values.format !== 'json') {
      throw new UsageError(`--json and --format ${values.format} contradict each other: give one\n\n${USAGE}`);
    }
    const format = values.json ? 'json' : formatOption(values.format, FORMATS, USAGE);
    const stack = loadStackForCli(stacksDirOf(values, context.cwd), requireStackName(positionals, USAGE));
    const view = planView(stack);
    context.out(format === 'json' ? planJson(view) : format === 'svg' ? planSvg(view) : planTable(view));
    return 0;
  },
};
