import { stepwiseErrorsOf } from '../model/errors';

/** A usage problem (unknown flag, missing argument): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The lines a user sees for an error: StepwiseErrors one per line, never a stack trace. */
export function errorLines(error: unknown): string[] {
  const found = stepwiseErrorsOf(error);
  if (found.length > 0) return found.map((e) => e.message);
  if (error instanceof UsageError) return [error.message];
  const message = error instanceof Error ? error.message : String(error);
  return [`internal error: ${message} (set STEPWISE_DEBUG=1 for details, and please report it)`];
}

/** Where a program writes its errors, and whether it may add a stack trace to them. */
export interface ProgramErrorOutput {
  /** Standard error. */
  readonly err: (text: string) => void;
  /** Print an error's stack trace after its lines (`STEPWISE_DEBUG` set). @default false */
  readonly debug?: boolean;
}

/**
 * Runs a command's main function and resolves to its exit code: what it returns, else 2 for a
 * usage error and 1 for anything else, printed as `<program>: <line>` on `output.err`. It never
 * touches the process (no exit, no exit code, no chdir), so a test can run a command in process
 * exactly as the binary does; {@link runMain} is the process-wide wrapper.
 */
export async function runProgram(program: string, main: () => Promise<number> | number, output: ProgramErrorOutput): Promise<number> {
  try {
    return await main();
  } catch (error) {
    for (const line of errorLines(error)) output.err(`${program}: ${line}\n`);
    if (output.debug && error instanceof Error && error.stack) output.err(`${error.stack}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

/** The exit code of a program whose reader went away (`stepwise plan big | head`), as a shell reports one killed by SIGPIPE. */
export const CLOSED_PIPE_EXIT_CODE = 141;

/**
 * Makes this process end quietly when the reader of its standard output goes away (`| head`,
 * `| less` quit early): no `EPIPE` stack trace, exit code {@link CLOSED_PIPE_EXIT_CODE}, as
 * `git log | head` ends. Node ignores SIGPIPE, so without this the write error is thrown.
 */
export function endQuietlyOnClosedOutput(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(CLOSED_PIPE_EXIT_CODE);
  });
}

/**
 * Runs a command's main function as this process's program: prints errors as `<program>: <line>`
 * to stderr and sets the exit code to 2 for usage errors, 1 for everything else (or the code the
 * function returns).
 */
export function runMain(program: string, main: () => Promise<number> | number): void {
  endQuietlyOnClosedOutput();
  void runProgram(program, main, { err: (text) => process.stderr.write(text), debug: Boolean(process.env.STEPWISE_DEBUG) }).then((code) => {
    process.exitCode = code;
  });
}
