import { readPlainYaml } from './plain-yaml-read';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StepwiseError } from '../model/errors';
import { configBlock, stackFromConfig, type Stack } from './stack-config';

/** Where the stack files live, relative to the project root (`stackConfigDir` in Pulumi.yaml). */
export const DEFAULT_STACKS_DIR = 'stacks';

/** `stacks/Pulumi.<stack>.yaml`. */
export function stackFilePath(stacksDir: string, stack: string): string {
  return path.join(stacksDir, `Pulumi.${stack}.yaml`);
}

/**
 * A stack, or the stacks directory, that is not there: most often a typo in the stack name or in
 * `--stacks`, or a command run from the wrong directory. The CLI reports it as a usage error;
 * a file that is there but cannot be read or is invalid stays a plain `StepwiseError`.
 */
export class StackNotFoundError extends StepwiseError {}

/** The stack names in `stacksDir`, sorted. */
export function listStacks(stacksDir: string): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(stacksDir);
  } catch (error) {
    throw stacksDirError(error, stacksDir);
  }
  return entries
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/**
 * Parses YAML text (the common file with the fast reader, plain-yaml-read.ts), turning syntax errors into a StepwiseError with the line: a duplicated key
 * also with its key path, a control character with its column, and nesting deeper than
 * `MAX_YAML_NESTING` (64) levels before the `yaml` package runs out of stack on it.
 */
export function parseStackYaml(text: string, file: string): unknown {
  // The common file is read fast; anything else, including every problem, by the `yaml` package.
  const plain = readPlainYaml(text);
  return plain !== undefined ? plain : readYamlDocument(text, file);
}

/**
 * {@link parseStackYaml} through the `yaml` package's document: every problem with its line
 * (yaml-document-read.ts, loaded only now: the common file never needs it).
 */
export function readYamlDocument(text: string, file: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand; `import()` would make reading async
  const reader = require('./yaml-document-read') as typeof import('./yaml-document-read');
  return reader.readYamlDocument(text, file);
}

/** Reads and validates `stacks/Pulumi.<stack>.yaml`. */
export function loadStack(stacksDir: string, stack: string): Stack {
  const file = stackFilePath(stacksDir, stack);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw stackFileError(error, stacksDir, stack, file);
  }
  return stackFromText(stack, file, text);
}

/** A stack from the text of its file (also used for a stack file as it is at a git ref). */
export function stackFromText(stack: string, file: string, text: string): Stack {
  return stackFromConfig(stack, file, configBlock(parseStackYaml(text, file), file));
}

/**
 * Why `file` could not be read, in words: the stack does not exist (listing those that do), the
 * stacks directory is missing or unreadable, or the file itself cannot be read. Only a missing file
 * is an unknown stack; "permission denied" must not send the user looking for a typo.
 */
function stackFileError(error: unknown, stacksDir: string, stack: string, file: string): StepwiseError {
  const code = (error as NodeJS.ErrnoException).code;
  // A problem with the directory (missing, a file, unsearchable) explains any failure inside it.
  let dirStats: fs.Stats;
  try {
    dirStats = fs.statSync(stacksDir);
  } catch (dirError) {
    return stacksDirError(dirError, stacksDir);
  }
  if (!dirStats.isDirectory()) return stacksDirError(Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }), stacksDir);
  if (code === 'ENOENT') {
    const known = listStacks(stacksDir);
    return new StackNotFoundError({
      file,
      problem: `unknown stack '${stack}': the file does not exist`,
      fix: known.length ? `use one of: ${known.join(', ')}` : `create ${file}`,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    // The file may be readable while the directory cannot be searched (no x bit): say which.
    try {
      fs.accessSync(stacksDir, fs.constants.R_OK | fs.constants.X_OK);
    } catch (dirError) {
      return stacksDirError(dirError, stacksDir);
    }
    return new StepwiseError({ file, problem: 'cannot be read: permission denied', fix: "check the file's permissions" });
  }
  if (code === 'EISDIR') return new StepwiseError({ file, problem: 'is a directory, not a stack file', fix: `move it away, or make it a file holding the stack's config` });
  return new StepwiseError({ file, problem: `cannot be read: ${(error as Error).message}`, fix: "check the file's permissions" });
}

/** The stacks directory cannot be listed: missing, not a directory, or unreadable. */
function stacksDirError(error: unknown, stacksDir: string): StepwiseError {
  const fix = 'run from the project root, or pass --stacks DIR';
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return new StackNotFoundError({ file: stacksDir, problem: 'the stacks directory does not exist', fix });
    case 'ENOTDIR':
      return new StackNotFoundError({ file: stacksDir, problem: 'the stacks directory is not a directory', fix });
    case 'EACCES':
    case 'EPERM':
      return new StepwiseError({ file: stacksDir, problem: 'the stacks directory cannot be read: permission denied', fix: "check the directory's permissions" });
    default:
      return new StepwiseError({ file: stacksDir, problem: `the stacks directory cannot be read: ${(error as Error).message}`, fix });
  }
}
