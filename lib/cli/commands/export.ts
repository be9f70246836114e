import * as path from 'node:path';
import { toArgoRollout, toFlaggerCanary } from '../../export';
import { StepwiseError } from '../../model/errors';
import { closest } from '../../model/plain-data';
import { writeOutputFile } from '../../synth/output-path';
import { toYaml } from '../../synth/yaml-emitter';
import { parseCommandArgs, requireStackName, stacksDirOf, STACK_OPTIONS } from '../args';
import type { Command } from '../command';
import { loadStackForCli } from '../../command-line/load-stack';
import { UsageError } from '../../command-line/run-main';

const TARGETS = ['argo-rollouts', 'flagger'] as const;

const USAGE = `usage: stepwise export <stack> --to argo-rollouts|flagger [--out FILE] [--stacks DIR]

Hands the stack's release to a progressive-delivery controller: writes the object that lets the
controller walk the plan's weights itself, validated against the controller's schema.

  argo-rollouts  a Rollout that takes over the stable Deployment (workloadRef) with a
                 setWeight + pause step for each weight a stage sends to the new image
  flagger        a Canary targeting the stable Deployment, stepping the canary weight the way
                 the stages do, checking what the plan's analysis section (the metric gate)
                 checks, at its interval; without one, request-success-rate >= 99% and
                 request-duration <= 500 ms every minute. A gate metric Flagger's built-in
                 metrics cannot check (its own query, a limit relative to stable) is refused

Only canary pairs (kind: CanaryService, one stable and one canary workload) can be handed over;
Flagger also needs a traffic router (traffic.router). See docs/guides/controllers.md.

options:
  --to T         argo-rollouts or flagger (required)
  --out FILE     write the YAML to FILE instead of stdout (its directory must exist)
  --stacks DIR   where the Pulumi.<stack>.yaml files are (default: stacks)
  -h, --help     this text

exit codes: 0 exported, 1 the stack file is invalid or its plan cannot be handed over, 2 usage
error (unknown stack, flag or target)`;

/** `stepwise export <stack> --to argo-rollouts|flagger`. */
export const command: Command = {
  usage: USAGE,
  run(args, context) {
    const options = { ...STACK_OPTIONS, to: { type: 'string' }, out: { type: 'string' } } as const;
    const { values, positionals } = parseCommandArgs(args, options, USAGE);
    if (values.to === undefined) throw new UsageError(`missing --to: use one of ${TARGETS.join(', ')}\n\n${USAGE}`);
    const target = TARGETS.find((t) => t === values.to);
    if (target === undefined) {
      const suggestion = closest(values.to, TARGETS);
      throw new UsageError(
        `unknown --to '${values.to}': use one of ${TARGETS.join(', ')}${suggestion ? ` (did you mean ${suggestion}?)` : ''}\n\n${USAGE}`,
      );
    }
    if (values.out === '') throw new UsageError(`--out needs a file name\n\n${USAGE}`);
    const stack = loadStackForCli(stacksDirOf(values, context.cwd), requireStackName(positionals, USAGE));
    // Problems are about the plan, so they name the stack file and the plan's config key.
    const where = `${stack.file}: config.stepwise:plan`;
    let object;
    try {
      object = target === 'argo-rollouts' ? toArgoRollout(stack.plan, where) : toFlaggerCanary(stack.plan, where);
    } catch (error) {
      throw locate(error, stack.file);
    }
    const yaml = toYaml(object);
    if (values.out === undefined) {
      context.out(yaml);
      return 0;
    }
    writeOutputFile(path.resolve(context.cwd, values.out), yaml, values.out);
    context.out(`${values.out}: ${object.kind} ${object.metadata.name} for ${target}\n`);
    return 0;
  },
};

/** A plan problem (key path relative to the plan) placed in the stack file, as the stack loader places them. */
function locate(error: unknown, file: string): unknown {
  if (error instanceof StepwiseError && error.file === undefined) return error.under('config.stepwise:plan').inFile(file);
  return error;
}
