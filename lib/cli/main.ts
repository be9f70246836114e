import { closest } from '../model/plain-data';
import type { CommandContext } from './command';
import { COMMANDS } from './registry';
import { runProgram, UsageError } from '../command-line/run-main';

/** `stepwise --help`. */
export function topLevelUsage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name].summary}`);
  return [
    'usage: stepwise <command> <stack> [options]',
    '',
    'Reviewable staged Kubernetes releases: every stack is stacks/Pulumi.<stack>.yaml.',
    '',
    'commands:',
    ...lines,
    '',
    "Run 'stepwise <command> --help' for a command's options. Every command takes --stacks DIR (default: stacks).",
  ].join('\n');
}

/** The `stepwise` command line: dispatches to the subcommand, returns the exit code. */
export async function cliMain(argv: readonly string[], context: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  // Asked for, the usage is the output (stdout, exit 0); without a command it explains a usage
  // error, so it goes where errors go (stderr, exit 2) and a pipe never mistakes it for output.
  if (name === undefined) {
    context.err(`${topLevelUsage()}\n`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    context.out(`${topLevelUsage()}\n`);
    return 0;
  }
  const entry = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    const suggestion = closest(name, Object.keys(COMMANDS));
    throw new UsageError(`unknown command '${name}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}\n\n${topLevelUsage()}`);
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    context.out(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest, context);
}

/** Where `stepwise` runs: its directory, its environment and its two output streams. */
export interface StepwiseIo extends CommandContext {
  /** Print an error's stack trace after its lines, as `STEPWISE_DEBUG=1` asks. @default false */
  readonly debug?: boolean;
}

/**
 * The whole `stepwise` program, as `bin/stepwise.ts` runs it, without touching the process: runs
 * the command line, prints errors as `stepwise: <line>` (never a stack trace unless `debug`), and
 * resolves to the exit code (0, 1 findings or failure, 2 usage, 3 for `status`'s unreachable
 * cluster). Tests run commands through this in process; it never exits, never changes directory
 * and keeps no state between runs.
 */
export function stepwiseMain(argv: readonly string[], io: StepwiseIo): Promise<number> {
  const context: CommandContext = { out: io.out, err: io.err, cwd: io.cwd };
  return runProgram('stepwise', () => cliMain(argv, context), io);
}
