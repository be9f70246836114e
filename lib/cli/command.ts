/**
 * The shape of one `stepwise` subcommand. Each lives in `lib/cli/commands/<name>.ts` and is loaded
 * only when it runs, so `stepwise plan` does not pay for loading cdk8s or the Prometheus client.
 * Its name and one-line summary live in `registry.ts`, which `stepwise --help` reads without
 * loading any command.
 */
export interface Command {
  /** The full `--help` text: usage line, what it does, every option. */
  readonly usage: string;
  /**
   * Runs the command with the arguments after its name. Returns the exit code: 0 success, 1 a
   * finding or failure the user must act on, 2 a usage error (throw `UsageError` for those).
   */
  run(args: readonly string[], context: CommandContext): Promise<number> | number;
}

/** What every command gets besides its arguments: where to write, and where the stacks are. */
export interface CommandContext {
  /** Standard output. */
  readonly out: (text: string) => void;
  /** Standard error. */
  readonly err: (text: string) => void;
  /** The directory the command runs in (stack files and git are resolved from here). */
  readonly cwd: string;
}
