/**
 * Cold-process latency of the CLI: `node dist-js/bin/stepwise.js <command> <stack>` on every
 * example stack, the median of several runs each. Needs `npm run build`; without the compiled
 * CLI the section is reported as skipped, not measured.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The commands whose latency has a target. */
export const CLI_COMMANDS = ['plan', 'check', 'diff'] as const;

/** Runs per command and stack; the median is reported. */
export const CLI_RUNS = 5;

/** One command on one stack. */
export interface CliLatency {
  readonly command: string;
  readonly stack: string;
  /** Median wall time of a cold `node` process, ms; undefined when the command did not succeed. */
  readonly medianMs?: number;
  /** Every run's wall time, ms. */
  readonly runsMs: readonly number[];
  /** Exit code of the last run (plan/check/diff may exit 1 to report a finding; see `ok`). */
  readonly exitCode: number | null;
  /** Why it is not a measurement (not built, usage error, crash), or undefined. */
  readonly problem?: string;
}

/** The CLI section: `skipped` when the CLI is not built, else one row per command and stack. */
export type CliSection = { readonly skipped: string } | { readonly rows: readonly CliLatency[] };

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Measures every command on every stack, from `root` (the project, with stacks/ and dist-js/). */
export function measureCli(root: string, stacks: readonly string[]): CliSection {
  const cli = path.join(root, 'dist-js', 'bin', 'stepwise.js');
  if (!fs.existsSync(cli)) return { skipped: 'CLI not built (run npm run build)' };
  const rows: CliLatency[] = [];
  for (const command of CLI_COMMANDS) {
    for (const stack of stacks) {
      const runsMs: number[] = [];
      let exitCode: number | null = null;
      let problem: string | undefined;
      for (let i = 0; i < CLI_RUNS && problem === undefined; i++) {
        const start = performance.now();
        const result = spawnSync(process.execPath, [cli, command, stack], {
          cwd: root,
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1' },
        });
        runsMs.push(performance.now() - start);
        exitCode = result.status;
        // 0 is success and 1 a reported finding (e.g. check failing); 2 is a usage error, anything else a crash.
        if (result.status !== 0 && result.status !== 1) {
          const firstLine = `${result.stderr}`.split('\n').find((l) => l.trim()) ?? `signal ${result.signal}`;
          problem = `exit ${result.status}: ${firstLine.slice(0, 100)}`;
        }
      }
      rows.push({ command, stack, runsMs, exitCode, medianMs: problem ? undefined : median(runsMs), problem });
    }
  }
  return { rows };
}
