/**
 * Runs the `stepwise` command as a user does, with real files, capturing its exit code, stdout and
 * stderr. Shared by every CLI suite (plan, check, render, diff, promote, rollback, gate): keep it
 * generic, with nothing command-specific in it.
 *
 * `runCli` runs the command in this process (`stepwiseMain`, what bin/stepwise.ts runs, with its own
 * directory and output streams and nothing else shared), which is what most behaviour needs and
 * costs milliseconds instead of a Node start. A test that depends on being a separate process (the
 * real entry point's exit code and streams, environment variables, stdin, signals) says so with
 * `{ process: true }` or by passing `env` or `input`; those run the built command
 * (dist-js/bin/stepwise.js) through `runCliProcess`. In process, a command run in another
 * directory (`cwd`) reaches its relative paths joined to that directory, so it prints them that
 * way (e.g. `/tmp/x/stacks/Pulumi.fop-gate.yaml`); a test of how a path the user typed is shown
 * (`stacks/Pulumi.fop-gate.yaml`, relative to the process's directory) runs a process.
 *
 * `npm test` builds first (`pretest` runs `npm run build`); when running one suite with
 * `npx tsx --test`, run `npm run build` yourself after changing lib/ or bin/.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { stepwiseMain } from '../../lib/cli/main';
import { parseStackYaml, stackFilePath } from '../../lib/stacks';
import { copyOfStacks, ROOT } from './example-stacks';

/** The compiled command. */
export const CLI_PATH = path.join(ROOT, 'dist-js', 'bin', 'stepwise.js');

/** What a finished `stepwise` process left behind. */
export interface CliResult {
  /** Its exit code (a signal counts as 128 + 1, so it is never mistaken for success). */
  readonly code: number;
  /** Everything it wrote to stdout. */
  readonly stdout: string;
  /** Everything it wrote to stderr. */
  readonly stderr: string;
}

/** How to run it. */
export interface CliOptions {
  /** Working directory. @default the repository root */
  readonly cwd?: string;
  /**
   * Extra environment variables (on top of this process's, with STEPWISE_DEBUG removed). The
   * environment is the process's: a test that sets one runs the command as a process.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Text written to its stdin (runs the command as a process). @default nothing (stdin is closed) */
  readonly input?: string;
  /** Fail after this many milliseconds (and kill the process, if it is one). @default 30000 */
  readonly timeoutMs?: number;
  /**
   * Run the built command (dist-js/bin/stepwise.js) in its own Node process, for what depends on
   * being one: the real entry point, its exit code, streams and signals.
   * @default false, unless `env` or `input` is given
   */
  readonly process?: boolean;
}

/**
 * Runs `stepwise <args>` and resolves when it finishes: in this process unless the options ask for
 * a process (see {@link CliOptions.process}). Asynchronous on purpose: a test may serve HTTP (a
 * fake Prometheus) from its own process while the command runs.
 */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return needsProcess(options) ? runCliProcess(args, options) : runCliInProcess(args, options);
}

/** Whether a run must be a process: asked for, or given what only a process has of its own (an environment, stdin). */
function needsProcess(options: CliOptions): boolean {
  return options.process === true || options.env !== undefined || options.input !== undefined;
}

/**
 * Runs `stepwise <args>` in this process through `stepwiseMain`, the function bin/stepwise.ts
 * runs: the same argument parsing, commands, error lines and exit codes, with `cwd` passed as the
 * command's directory (this process's own is never changed) and the output captured.
 */
export async function runCliInProcess(args: readonly string[], options: Pick<CliOptions, 'cwd' | 'timeoutMs'> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const run = stepwiseMain(args, { out: (text) => (stdout += text), err: (text) => (stderr += text), cwd: options.cwd ?? ROOT });
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`stepwise ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)),
      timeoutMs,
    );
  });
  try {
    const code = await Promise.race([run, timeout]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the built `stepwise` (dist-js/bin/stepwise.js) in a new Node process and resolves when it exits. */
export function runCliProcess(args: readonly string[], options: Omit<CliOptions, 'process'> = {}): Promise<CliResult> {
  if (!fs.existsSync(CLI_PATH)) {
    throw new Error(`${path.relative(ROOT, CLI_PATH)} is missing: run \`npm run build\` first (npm test does it through pretest)`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (!options.env?.STEPWISE_DEBUG) delete env.STEPWISE_DEBUG;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timeoutMs = options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stepwise ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 129 : 1), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Fails when stderr shows a stack trace (`    at f (file:line)` lines): users must never see one. */
export function assertNoStackTrace(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, `stderr shows a stack trace:\n${stderr}`);
}

/** Fails unless the command exited with `code`; the message shows both streams, to debug quickly. */
export function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, `expected exit ${code}, got ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
}

/**
 * Rewrites `<stacksDir>/Pulumi.<name>.yaml` (a copy: see `copyOfStacks`) after `edit` changes its
 * `config:` block as plain data; `as` writes it under another stack name instead.
 */
export function editStackFile(stacksDir: string, name: string, edit: (config: Record<string, any>) => void, as = name): string {
  const file = stackFilePath(stacksDir, name);
  const document = parseStackYaml(fs.readFileSync(file, 'utf8'), file) as { config: Record<string, any> };
  edit(document.config);
  const target = stackFilePath(stacksDir, as);
  fs.writeFileSync(target, stringify(document));
  return target;
}

/** A temporary project holding a copy of stacks/, with `stepwise` run in it. */
export interface StacksProject {
  /** The project directory (the CLI's working directory). */
  readonly dir: string;
  /** The path of `stacks/Pulumi.<stack>.yaml` in it. */
  file(stack: string): string;
  /** That file's text. */
  read(stack: string): string;
  /** Runs `stepwise ARGS` there (in process: see {@link runCli}), asserting it printed no stack trace. */
  run(...args: string[]): Promise<CliResult>;
  /** Runs the built `stepwise ARGS` there as its own process, asserting it printed no stack trace. */
  runProcess(...args: string[]): Promise<CliResult>;
}

/** A fresh {@link StacksProject} with a copy of the example stacks. */
export function stacksProject(): StacksProject {
  const dir = path.dirname(copyOfStacks());
  const file = (stack: string) => path.join(dir, 'stacks', `Pulumi.${stack}.yaml`);
  return {
    dir,
    file,
    read: (stack) => fs.readFileSync(file(stack), 'utf8'),
    async run(...args) {
      const result = await runCli(args, { cwd: dir });
      assertNoStackTrace(result.stderr);
      return result;
    },
    async runProcess(...args) {
      const result = await runCliProcess(args, { cwd: dir });
      assertNoStackTrace(result.stderr);
      return result;
    },
  };
}
