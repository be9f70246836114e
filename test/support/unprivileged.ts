/**
 * Running a command as a user that file permissions apply to. Root reads and writes everything, so
 * when the tests run as root (as CI does), permission cases run as `nobody` through `runuser`.
 */
import { spawnSync } from 'node:child_process';
import { CLI_PATH } from './cli';

const AS_ROOT = process.getuid?.() === 0;
const PREFIX: readonly string[] = AS_ROOT ? ['runuser', '-u', 'nobody', '--'] : [];

/** What an unprivileged run left behind. */
export interface UnprivilegedResult {
  /** Exit code (null when killed by a signal). */
  readonly code: number | null;
  /** Everything written to stdout. */
  readonly stdout: string;
  /** Everything written to stderr. */
  readonly stderr: string;
}

/** Runs `command args` in `cwd` as a user the file permissions apply to. */
export function runUnprivileged(command: string, args: readonly string[], cwd: string): UnprivilegedResult {
  const [program, ...rest] = [...PREFIX, command, ...args];
  const result = spawnSync(program, rest, { cwd, encoding: 'utf8', env: { ...process.env, STEPWISE_DEBUG: '' } });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Runs the built `stepwise` with `args` in `cwd` as a user the file permissions apply to. */
export function runCliUnprivileged(args: readonly string[], cwd: string): UnprivilegedResult {
  return runUnprivileged(process.execPath, [CLI_PATH, ...args], cwd);
}

/**
 * Why permission tests cannot run here, or false when they can (for `describe(…, { skip })`). As
 * root they need `runuser` and a `nobody` who can run the built CLI from this checkout: a checkout
 * under a private directory (such as /root) is not readable by other users.
 */
export const cannotRunUnprivileged: string | false = (() => {
  if (!AS_ROOT) return false;
  const probe = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, CLI_PATH, '--help'], { encoding: 'utf8' });
  if (probe.error) return 'the tests run as root and `runuser -u nobody` is not available, so permissions cannot be tested';
  if (probe.status !== 0) {
    const why = (probe.stderr ?? '').split('\n').find((line) => line.trim()) ?? `exit ${probe.status}`;
    return `as nobody, the built CLI does not run from this checkout (${why}); permission tests need a checkout other users can read`;
  }
  return false;
})();
