import { StepwiseError, StepwiseErrors, stepwiseErrorsOf } from '../model/errors';
import { findStage, parsePlan, type Plan } from '../model';
import { closest, isPlainObject } from '../model/plain-data';
import { stagePolicies } from '../model/stage-policy';
import { hasAnalysis, parseAnalysis } from '../gate/analysis';
import { parseGitOps, parseTraffic } from '../routing';

/** The Pulumi project name, and so the namespace of every stepwise config key. */
export const CONFIG_NAMESPACE = 'stepwise';

/** The config keys stepwise reads, without the namespace. */
export const CONFIG_KEYS = ['plan', 'stage', 'fromStage'] as const;

/** A stack: its plan, the stage it should be in, and where it came from. */
export interface Stack {
  /** Stack name (`fop-gate` for `stacks/Pulumi.fop-gate.yaml`). */
  readonly name: string;
  /** The stack file, as given (for messages). */
  readonly file: string;
  /** The parsed, validated plan. */
  readonly plan: Plan;
  /** The stage the cluster should be in (`stepwise:stage`). */
  readonly stage: string;
  /** Its index in the plan. */
  readonly stageIndex: number;
  /**
   * The stage the cluster is in before this update (`stepwise:fromStage`, written by `promote` and
   * `rollback`); defaults to the stage before `stage` in the plan, or `stage` itself for the first.
   */
  readonly fromStage: string;
  /** Its index in the plan. */
  readonly fromStageIndex: number;
}

/**
 * Builds a Stack from the values of its `stepwise:*` config keys (a stack file's `config:` block,
 * or `pulumi.Config` under `pulumi up`). Every problem names `file` and the key path.
 */
export function stackFromConfig(name: string, file: string, config: Readonly<Record<string, unknown>>): Stack {
  const errors: StepwiseError[] = [];
  const key = (k: string) => `${CONFIG_NAMESPACE}:${k}`;
  for (const k of Object.keys(config)) {
    if (!k.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const bare = k.slice(CONFIG_NAMESPACE.length + 1);
    if (!(CONFIG_KEYS as readonly string[]).includes(bare)) {
      const suggestion = closest(bare, CONFIG_KEYS);
      errors.push(new StepwiseError({ file, keyPath: `config.${k}`, problem: 'is not a stepwise config key', fix: suggestion ? `did you mean '${key(suggestion)}'?` : `use ${CONFIG_KEYS.map(key).join(', ')}` }));
    }
  }
  let plan: Plan | undefined;
  const planData = config[key('plan')];
  if (planData === undefined) {
    errors.push(new StepwiseError({ file, keyPath: `config.${key('plan')}`, problem: 'is missing', fix: 'add the release plan (kind, namespace, workloads, services, stages); see stacks/Pulumi.fop-gate.yaml' }));
  } else {
    const underPlan = (found: readonly StepwiseError[]) => found.map((e) => e.under(`config.${key('plan')}`).inFile(file));
    try {
      plan = parsePlan(planData);
    } catch (error) {
      errors.push(...underPlan(stepwiseErrorsOrRethrow(error)));
    }
    if (plan) errors.push(...underPlan(sectionProblems(plan)));
  }
  const stage = readStageName(config[key('stage')], file, key('stage'), errors);
  const fromValue = config[key('fromStage')];
  const from = fromValue === undefined ? undefined : readStageName(fromValue, file, key('fromStage'), errors);
  if (errors.length > 0 || !plan || stage === undefined) throw new StepwiseErrors(errors);

  const stageIndex = locate(plan, stage, file, key('stage'));
  const fromStageIndex = from === undefined ? Math.max(0, stageIndex - 1) : locate(plan, from, file, key('fromStage'));
  return { name, file, plan, stage, stageIndex, fromStage: plan.stages[fromStageIndex].name, fromStageIndex };
}

/**
 * Problems of the plan sections other modules read: traffic and gitops at render time, analysis
 * only in `gate` and `promote`, the stages' release policy in `release`. Validated with the plan so that every command (and `pulumi up`)
 * reports them with the rest, under the stack file and config key; each is read on its own, so a
 * problem in one does not hide those in another.
 */
function sectionProblems(plan: Plan): StepwiseError[] {
  return [
    ...problemsOf(() => parseTraffic(plan)),
    ...problemsOf(() => parseGitOps(plan)),
    ...problemsOf(() => stagePolicies(plan)),
    // Left out (or null) is no gate at all, not an error.
    ...(hasAnalysis(plan) ? problemsOf(() => parseAnalysis(plan.extensions.analysis, 'analysis')) : []),
  ];
}

/** The StepwiseErrors `read` throws, none when it returns. */
function problemsOf(read: () => unknown): StepwiseError[] {
  try {
    read();
    return [];
  } catch (error) {
    return stepwiseErrorsOrRethrow(error);
  }
}

/** The StepwiseErrors in `error`; any other error is a bug and propagates as it is. */
function stepwiseErrorsOrRethrow(error: unknown): StepwiseError[] {
  const found = stepwiseErrorsOf(error);
  if (found.length === 0) throw error;
  return found;
}

function readStageName(value: unknown, file: string, configKey: string, errors: StepwiseError[]): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  errors.push(
    new StepwiseError({
      file,
      keyPath: `config.${configKey}`,
      problem: value === undefined ? 'is missing' : 'must be a stage name',
      fix: `set it to one of the plan's stage names, e.g. ${configKey}: baseline`,
    }),
  );
  return undefined;
}

function locate(plan: Plan, stage: string, file: string, configKey: string): number {
  try {
    return findStage(plan, stage).index;
  } catch (error) {
    if (error instanceof StepwiseError) throw new StepwiseError({ file, keyPath: `config.${configKey}`, problem: error.problem, fix: error.fix });
    throw error;
  }
}

/** The `config:` block of a parsed stack file, or a StepwiseError saying what is wrong with it. */
export function configBlock(document: unknown, file: string): Record<string, unknown> {
  if (!isPlainObject(document) || !isPlainObject(document.config)) {
    throw new StepwiseError({ file, keyPath: 'config', problem: 'the file has no `config:` mapping', fix: 'start the file with `config:` and put the stepwise:* keys under it' });
  }
  return document.config;
}
