import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listStacks, loadStack, parseStackYaml, stackFilePath, type Stack } from '../../lib/stacks';

/** The repository root (tests run from anywhere). */
export const ROOT = path.resolve(__dirname, '..', '..');

/** The real example stacks directory. */
export const STACKS_DIR = path.join(ROOT, 'stacks');

/**
 * Stack files the tests need and no example has (e.g. a stage that releases two batches at once),
 * each at the stage its test deploys.
 */
export const FIXTURE_STACKS_DIR = path.join(ROOT, 'test', 'fixtures', 'stacks');

/** Names of every example stack in stacks/. */
export const EXAMPLE_STACKS: readonly string[] = listStacks(STACKS_DIR);

/** An example stack, parsed and validated. */
export function exampleStack(name: string): Stack {
  return loadStack(STACKS_DIR, name);
}

/** A fixture stack of test/fixtures/stacks, parsed and validated, at the stage its file names. */
export function fixtureStack(name: string): Stack {
  return loadStack(FIXTURE_STACKS_DIR, name);
}

/** The `config:` block of an example stack file as plain data, a fresh copy each call (tests mutate it). */
export function exampleConfig(name: string): Record<string, unknown> {
  const file = stackFilePath(STACKS_DIR, name);
  const document = parseStackYaml(fs.readFileSync(file, 'utf8'), file) as { config: Record<string, unknown> };
  return structuredClone(document.config);
}

/** The example's `stepwise:plan` as plain data (a fresh copy). */
export function examplePlanData(name: string): Record<string, any> {
  return exampleConfig(name)['stepwise:plan'] as Record<string, any>;
}

/** The temporary directories of this process, removed by one exit listener. */
const TEMP_DIRS: string[] = [];

/** A temporary directory (a fresh name under the OS's temporary directory), removed when the process exits. */
export function tempDir(prefix = 'stepwise-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (TEMP_DIRS.length === 0) process.on('exit', () => TEMP_DIRS.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  TEMP_DIRS.push(dir);
  return dir;
}

/** A copy of stacks/ in a temporary directory. */
export function copyOfStacks(): string {
  const dir = tempDir();
  const stacks = path.join(dir, 'stacks');
  fs.cpSync(STACKS_DIR, stacks, { recursive: true });
  return stacks;
}
