import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, isAlias, parseDocument, visit } from 'yaml';
import { StepwiseError } from '../model/errors';
import { configBlock, stackFromConfig, type Stack } from './stack-config';

/** Where the stack files live, relative to the project root (`stackConfigDir` in Pulumi.yaml). */
export const DEFAULT_STACKS_DIR = 'stacks';

/** `stacks/Pulumi.<stack>.yaml`. */
export function stackFilePath(stacksDir: string, stack: string): string {
  return path.join(stacksDir, `Pulumi.${stack}.yaml`);
}

/** The stack names in `stacksDir`, sorted. */
export function listStacks(stacksDir: string): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(stacksDir);
  } catch {
    throw new StepwiseError({ file: stacksDir, problem: 'the stacks directory cannot be read', fix: 'run from the project root, or pass --stacks DIR' });
  }
  return entries
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** Parses YAML text, turning syntax errors into a StepwiseError with the line. */
export function parseStackYaml(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new StepwiseError({
      file,
      keyPath: line ? `line ${line}` : undefined,
      problem: `is not valid YAML: ${first.message.split('\n')[0]}`,
      fix: 'fix the YAML syntax (indentation, a missing colon, or quotes around values with ": ")',
    });
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The yaml package refuses alias bombs (too many *aliases) while converting; point at the first alias.
    let line = 1;
    visit(document, (_key, node) => {
      if (isAlias(node) && node.range) {
        line = lineCounter.linePos(node.range[0]).line;
        return visit.BREAK;
      }
    });
    throw new StepwiseError({
      file,
      keyPath: `line ${line}`,
      problem: `cannot be read: ${(error as Error).message}`,
      fix: 'use fewer YAML aliases (*name), or write the values out',
    });
  }
}

/** Reads and validates `stacks/Pulumi.<stack>.yaml`. */
export function loadStack(stacksDir: string, stack: string): Stack {
  const file = stackFilePath(stacksDir, stack);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    const known = fs.existsSync(stacksDir) ? listStacks(stacksDir) : [];
    throw new StepwiseError({ file, problem: `unknown stack '${stack}': the file does not exist`, fix: known.length ? `use one of: ${known.join(', ')}` : `create ${file}` });
  }
  return stackFromText(stack, file, text);
}

/** A stack from the text of its file (also used for a stack file as it is at a git ref). */
export function stackFromText(stack: string, file: string, text: string): Stack {
  return stackFromConfig(stack, file, configBlock(parseStackYaml(text, file), file));
}
