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

/**
 * Runs a command's main function: prints errors as `<program>: <line>` to stderr and exits with
 * 2 for usage errors, 1 for everything else (or the code the function returns).
 */
export function runMain(program: string, main: () => Promise<number> | number): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        for (const line of errorLines(error)) process.stderr.write(`${program}: ${line}\n`);
        if (process.env.STEPWISE_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
        process.exitCode = error instanceof UsageError ? 2 : 1;
      },
    );
}
