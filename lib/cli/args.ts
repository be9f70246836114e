import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from '../model/plain-data';
import { DEFAULT_STACKS_DIR } from '../stacks';
import { UsageError } from '../command-line/run-main';

/** Options every command that reads a stack accepts. */
export const STACK_OPTIONS = {
  stacks: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Parsed arguments: option values by name, and the positionals. */
export interface ParsedArgs<V> {
  /** Option values. */
  readonly values: V;
  /** Positional arguments in order. */
  readonly positionals: string[];
}

/**
 * Parses a command's arguments strictly. An unknown flag or a missing value is a `UsageError`
 * (exit 2) that names the flag, suggests the closest known one, and ends with the usage text.
 */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: O, usage: string) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    // Only an unknown flag gets a suggestion: for a known flag missing its value (`--stage --out x`)
    // the closest known flag is the one the user typed.
    const unknown = (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
    const flag = unknown ? /'(--[^' ]+)'/.exec(message)?.[1]?.slice(2) : undefined;
    const suggestion = flag !== undefined ? closest(flag, Object.keys(options)) : undefined;
    throw new UsageError(`${message}${suggestion && suggestion !== flag ? ` (did you mean --${suggestion}?)` : ''}\n\n${usage}`);
  }
}

/** The stack named by the first positional, or a UsageError asking for it. */
export function requireStackName(positionals: readonly string[], usage: string): string {
  if (positionals.length === 0) throw new UsageError(`missing the stack name\n\n${usage}`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'\n\n${usage}`);
  return positionals[0];
}

/**
 * The stacks directory: `--stacks DIR`, else `stacks/` (Pulumi.yaml's stackConfigDir), resolved
 * against the directory the command runs in (see {@link pathFrom}).
 */
export function stacksDirOf(values: { stacks?: string }, cwd: string): string {
  return pathFrom(cwd, values.stacks ?? DEFAULT_STACKS_DIR);
}

/**
 * A path the user typed, usable by this process when the command runs in `cwd`: unchanged when it
 * is absolute or `cwd` is this process's directory (the binary's case, so messages show it as
 * typed), else joined to `cwd` (a command run in process with another directory, as the tests do).
 */
export function pathFrom(cwd: string, typed: string): string {
  return path.isAbsolute(typed) || path.resolve(cwd) === process.cwd() ? typed : path.join(cwd, typed);
}

/** A `--format` value checked against the formats a command supports. */
export function formatOption<F extends string>(value: string | undefined, formats: readonly F[], usage: string): F {
  if (value === undefined) return formats[0];
  if ((formats as readonly string[]).includes(value)) return value as F;
  throw new UsageError(`unknown --format '${value}': use one of ${formats.join(', ')}\n\n${usage}`);
}

/**
 * `--prometheus URL`, checked: an http(s) base address, no query string or fragment. Here rather
 * than beside the gate so `promote` can check it before anything else without loading the
 * Prometheus client.
 */
export function prometheusOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new UsageError(`--prometheus '${value}' is not an http:// or https:// base URL (e.g. http://127.0.0.1:9090)`);
  }
  return value;
}
