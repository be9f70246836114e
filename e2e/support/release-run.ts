/**
 * `stepwise release` as a pipeline runs it: the built CLI in a child process, in the project's
 * directory, with the engine's backend, passphrase, kubeconfig and `pulumi` on PATH — nothing but
 * the environment tells it about the test. Its `--json` events are read as they arrive (the test
 * reacts to them: kills the job, makes the canary fail), each stamped with the time it arrived.
 * Asynchronous on purpose: the suite's watches keep reading while the release runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
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
  options: {
    env?: Readonly<Record<string, string>>;
    onEvent?: (event: SeenEvent, child: ChildProcess) => void;
    /** Run it as the leader of its own process group, as a CI runner runs a job's script. */
    processGroup?: boolean;
  } = {},
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
      detached: options.processGroup ?? false,
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

/**
 * Kills a job the way a CI runner does when it gives up on it: SIGKILL to the job's process group
 * and to every process descended from it — the `pulumi` CLI the Automation API started and the
 * provider plugins `pulumi` starts in process groups of their own. Nothing runs a handler.
 * Returns the commands of the processes it killed (read from /proc before the kill).
 */
export function killJob(pid: number): string[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command may hold spaces and parentheses: the fields after the last ')' are fixed.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  }
  const commands = tree.map((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0];
    } catch {
      return '?';
    }
  });
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // no such group: the descendants below are killed one by one
  }
  for (const p of tree) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return commands;
}

/** The last event, which for a release that ran to its end is `done`. */
export function lastEvent(events: readonly SeenEvent[]): SeenEvent | undefined {
  return events[events.length - 1];
}
