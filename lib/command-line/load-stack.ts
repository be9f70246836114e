import { StepwiseError } from '../model/errors';
import { findStage } from '../model/stage-state';
import { listStacks, loadStack, StackNotFoundError, stackFilePath, type Stack } from '../stacks';
import { UsageError } from './run-main';

/** Pulumi stack names are letters, digits, '-', '_' and '.'; anything else (a path) is a typo. */
const STACK_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]*$/;

/**
 * Loads the stack a command was asked for. A stack that does not exist, or a `--stacks` directory
 * that does not, is the user's typo, not a broken file, so it becomes a `UsageError` (exit 2) with
 * the same message (which lists the stacks there are); a stack file that exists but cannot be read
 * or is invalid stays a `StepwiseError` (exit 1) naming the file, the key path and the fix. Every
 * command that reads a stack goes through here.
 */
export function loadStackForCli(stacksDir: string, name: string): Stack {
  if (!STACK_NAME.test(name)) throw notAStackName(stacksDir, name);
  try {
    return loadStack(stacksDir, name);
  } catch (error) {
    if (error instanceof StackNotFoundError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The stacks a command over several stacks (`npm run synth [STACK...]`) works on: every stack in
 * `stacksDir` when none is named, else the names given, each checked to be a stack file there
 * before anything is read or written (each once). A name that is not one is a `UsageError` listing the stacks
 * there are: it must never become part of an output path.
 */
export function stackNamesForCli(stacksDir: string, names: readonly string[]): string[] {
  let known: string[];
  try {
    known = listStacks(stacksDir);
  } catch (error) {
    if (error instanceof StackNotFoundError) throw new UsageError(error.message);
    throw error;
  }
  if (names.length === 0) {
    if (known.length === 0)
      throw new UsageError(`${stacksDir}: no stack files (Pulumi.<stack>.yaml) (fix: run from the project root, or pass --stacks DIR)`);
    return known;
  }
  for (const name of names) {
    if (!STACK_NAME.test(name)) throw notAStackName(stacksDir, name, known);
    if (!known.includes(name)) {
      const file = stackFilePath(stacksDir, name);
      throw new UsageError(
        `${file}: unknown stack '${name}': the file does not exist (fix: ${known.length ? `use one of: ${known.join(', ')}` : `create ${file}`})`,
      );
    }
  }
  return [...new Set(names)]; // a stack named twice is rendered and written once
}

/** A path or other non-name where a stack name belongs, with the stacks there are (if they can be listed). */
function notAStackName(stacksDir: string, name: string, known = knownStacks(stacksDir)): UsageError {
  const choices = known.length > 0 ? `use one of: ${known.join(', ')}` : 'use the <stack> of stacks/Pulumi.<stack>.yaml, e.g. fop-gate';
  return new UsageError(`'${name}' is not a stack name: ${choices}`);
}

function knownStacks(stacksDir: string): string[] {
  try {
    return listStacks(stacksDir);
  } catch {
    return []; // the message falls back to describing a stack name
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
