import * as fs from 'node:fs';
import { StepwiseError } from '../model/errors';
import { findStage } from '../model/stage-state';
import { loadStack, stackFilePath, type Stack } from '../stacks';
import { UsageError } from './run-main';

/**
 * Loads the stack a command was asked for. A stack that does not exist is the user's typo, not a
 * broken file, so it becomes a `UsageError` (exit 2) with the same message (which lists the stacks
 * there are); a stack file that exists but is invalid stays a `StepwiseError` (exit 1) naming the
 * file, the key path and the fix. Every command that reads a stack goes through here.
 */
export function loadStackForCli(stacksDir: string, name: string): Stack {
  // Pulumi stack names are letters, digits, '-', '_' and '.'; anything else (a path) is a typo.
  if (!/^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(name)) {
    throw new UsageError(`'${name}' is not a stack name: use the <stack> of stacks/Pulumi.<stack>.yaml, e.g. fop-gate`);
  }
  try {
    return loadStack(stacksDir, name);
  } catch (error) {
    if (error instanceof StepwiseError && !fs.existsSync(stackFilePath(stacksDir, name))) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The stage a command-line flag (`--stage S`) names. An unknown stage is a `UsageError` (exit 2)
 * naming the stack file and listing the plan's stages.
 */
export function stageForCli(stack: Stack, stage: string, flag = '--stage'): { name: string; index: number } {
  try {
    return { name: stage, index: findStage(stack.plan, stage).index };
  } catch (error) {
    if (error instanceof StepwiseError) throw new UsageError(`${flag} ${stage}: ${error.problem} in ${stack.file} (fix: ${error.fix})`);
    throw error;
  }
}
