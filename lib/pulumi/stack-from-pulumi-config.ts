import * as pulumi from '@pulumi/pulumi';
import { stepwiseErrorsOf } from '../model/errors';
import { CONFIG_NAMESPACE, DEFAULT_STACKS_DIR, stackFilePath, stackFromConfig, type Stack } from '../stacks';

/**
 * The stack `pulumi up --stack <name>` is running, built from its `stepwise:*` config: the same
 * values `stacks/Pulumi.<name>.yaml` holds, as the Pulumi CLI hands them to the program.
 * Every problem names the stack file and the key path (see `stackFromConfig`).
 *
 * Unknown `stepwise:*` keys are passed on too, so a typo such as `stepwise:stages` is reported
 * rather than ignored.
 */
export function stackFromPulumiConfig(stackName: string = pulumi.getStack()): Stack {
  const file = stackFilePath(DEFAULT_STACKS_DIR, stackName);
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const values: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(`${CONFIG_NAMESPACE}:`)) values[key] = raw;
  }
  values[`${CONFIG_NAMESPACE}:plan`] = planValue(config);
  values[`${CONFIG_NAMESPACE}:stage`] = config.get('stage');
  values[`${CONFIG_NAMESPACE}:fromStage`] = config.get('fromStage');
  for (const key of Object.keys(values)) if (values[key] === undefined) delete values[key];
  return stackFromConfig(stackName, file, values);
}

/** The plan as structured data; a value that is not JSON (a plain string) is left for the parser to reject. */
function planValue(config: pulumi.Config): unknown {
  try {
    return config.getObject<unknown>('plan');
  } catch {
    return config.get('plan');
  }
}

/**
 * `error` as Pulumi should report it: StepwiseErrors become one `pulumi.RunError` listing every
 * problem, one per line, which the Pulumi Node.js runtime prints without a stack trace
 * ("Always hide the stack for RunErrors" in `@pulumi/pulumi/cmd/run/run.js`). Any other error
 * is a bug and is returned unchanged, so its stack trace is kept.
 */
export function asRunError(error: unknown): unknown {
  const problems = stepwiseErrorsOf(error);
  if (problems.length === 0) return error;
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new pulumi.RunError([`stepwise: the stack cannot be deployed, ${count}:`, ...problems.map((p) => p.message)].join('\n'));
}
