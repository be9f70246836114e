/**
 * `stepwise release` as a pipeline runs it: the built CLI in a child process, in the project's
 * directory, with the engine's backend, passphrase, kubeconfig and `pulumi` on PATH — nothing but
 * the environment tells it about the test. Its `--json` events are read as they arrive (the test
 * reacts to them: kills the job, makes the canary fail), each stamped with the time it arrived.
 * Asynchronous on purpose: the suite's watches keep reading while the release runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ReleaseEvent } from '../../lib/release/release-event';

const repo = path.resolve(__dirname, '..', '..');

/** An event and when it arrived (`performance.now()`). */
export type SeenEvent = ReleaseEvent & { readonly seenAt: number };

/** A release that is running. */
export interface RunningRelease {
  readonly child: ChildProcess;
  /** The events so far. */
  readonly events: SeenEvent[];
  /** Resolves when the process exits: its exit code (128 + n for a signal) and stderr. */
  readonly exited: Promise<{ code: number; stderr: string }>;
}

/** Starts `stepwise release <stack> --json <args>` in the project; `onEvent` sees each event as it arrives. */
export function startRelease(
  project: { readonly dir: string; readonly stackName: string; readonly env: Readonly<Record<string, string>> },
  binDir: string | undefined,
  args: readonly string[],
  options: { env?: Readonly<Record<string, string>>; onEvent?: (event: SeenEvent, child: ChildProcess) => void } = {},
): RunningRelease {
  const env: NodeJS.ProcessEnv = { ...process.env, ...project.env, ...options.env, NO_COLOR: '1' };
  if (binDir) env.PATH = `${binDir}${path.delimiter}${env.PATH ?? ''}`;
  delete env.STEPWISE_DEBUG;
  const child = spawn(
    process.execPath,
    [path.join(repo, 'dist-js', 'bin', 'stepwise.js'), 'release', project.stackName, '--json', ...args],
    {
      cwd: project.dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const events: SeenEvent[] = [];
  let pending = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const event = { ...(JSON.parse(line) as ReleaseEvent), seenAt: performance.now() } as SeenEvent;
      events.push(event);
      options.onEvent?.(event, child);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number; stderr: string }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code: code ?? 128 + (signal ? os.constants.signals[signal] : 0), stderr }));
  });
  return { child, events, exited };
}

/** The last event, which for a release that ran to its end is `done`. */
export function lastEvent(events: readonly SeenEvent[]): SeenEvent | undefined {
  return events[events.length - 1];
}
