import type { Command } from './command';

/**
 * Every `stepwise` subcommand, in the order `--help` lists them, loaded on first use. Adding a
 * command is one line here plus its file in `lib/cli/commands/`.
 */
export const COMMANDS: Readonly<Record<string, { readonly summary: string; readonly load: () => Promise<Command> }>> = {};
