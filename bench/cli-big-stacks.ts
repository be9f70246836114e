/**
 * The CLI on big stack files, as a user waits for it: cold `node dist-js/bin/stepwise.js`
 * processes running `plan`, `check`, `diff` (first stage → second), `render` (first stage) and
 * `rollback --dry-run` (the comment-preserving edit of the stack file, read back) on
 * synthetic stacks of 1,000 to 4,000 workloads, side by side with the same command on the
 * smallest example stack (what the ratio targets compare against). Needs `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { loadStack } from '../lib/stacks';
import { median } from './measure-render';
import { syntheticStackConfig, syntheticStageNames } from './synthetic-stack';

/** The synthetic sizes, in workloads. */
export const BIG_STACK_SIZES = [1000, 2000, 4000] as const;

/** Cold runs per command and stack; the median is reported. */
export const BIG_STACK_RUNS = 3;

/** The commands measured, with their arguments after the stack name. */
function commands(stages: readonly string[]): ReadonlyArray<{ readonly name: string; readonly args: readonly string[] }> {
  return [
    { name: 'plan', args: [] },
    { name: 'check', args: [] },
    { name: 'diff', args: ['--from', stages[0], '--to', stages[1]] },
    { name: 'render', args: ['--stage', stages[0]] },
    // The synthetic stacks are at their last stage: a rollback has a stage to go back to. A dry
    // run edits the file's text in memory and reads it back, as a real one does before writing.
    { name: 'rollback', args: ['--dry-run'] },
  ];
}

/** One command on one stack. */
export interface BigStackLatency {
  readonly command: string;
  /** The smallest example stack's name, or `synthetic-<n>`. */
  readonly stack: string;
  /** Workloads in the stack. */
  readonly workloads: number;
  /** Size of the stack file, bytes. */
  readonly fileBytes: number;
  readonly medianMs?: number;
  readonly runsMs: readonly number[];
  /** Why it is not a measurement (not built, a non-zero exit), or undefined. */
  readonly problem?: string;
}

/** The section: `skipped` when the CLI is not built. */
export type BigStackSection = { readonly skipped: string } | { readonly baselineStack: string; readonly rows: readonly BigStackLatency[] };

/** The example stack with the smallest file: the baseline the ratios divide by. */
function smallestExample(stacksDir: string): string {
  const files = fs.readdirSync(stacksDir).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
  files.sort((a, b) => fs.statSync(path.join(stacksDir, a)).size - fs.statSync(path.join(stacksDir, b)).size);
  return /^Pulumi\.(.+)\.yaml$/.exec(files[0])?.[1] as string;
}

/** Measures every command on the smallest example and on each synthetic size, from `root` (the project). */
export function measureBigStacks(root: string): BigStackSection {
  const cli = path.join(root, 'dist-js', 'bin', 'stepwise.js');
  if (!fs.existsSync(cli)) return { skipped: 'CLI not built (run npm run build)' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-bench-stacks-'));
  try {
    const stacks: Array<{ name: string; workloads: number; stages: string[] }> = [];
    const baseline = smallestExample(path.join(root, 'stacks'));
    fs.copyFileSync(path.join(root, 'stacks', `Pulumi.${baseline}.yaml`), path.join(dir, `Pulumi.${baseline}.yaml`));
    const { plan } = loadStack(dir, baseline);
    stacks.push({ name: baseline, workloads: plan.workloads.length, stages: plan.stages.map((s) => s.name) });
    for (const n of BIG_STACK_SIZES) {
      const name = `synthetic-${n}`;
      fs.writeFileSync(
        path.join(dir, `Pulumi.${name}.yaml`),
        stringify({ config: syntheticStackConfig('canary-pairs', n) }, { lineWidth: 0 }),
      );
      stacks.push({ name, workloads: n, stages: syntheticStageNames('canary-pairs') });
    }
    const rows: BigStackLatency[] = [];
    for (const stack of stacks) {
      const fileBytes = fs.statSync(path.join(dir, `Pulumi.${stack.name}.yaml`)).size;
      // The smallest example is at its first stage: a rollback there only says so. No ratio target.
      for (const command of commands(stack.stages).filter((c) => c.name !== 'rollback' || stack.name !== baseline)) {
        const runsMs: number[] = [];
        let problem: string | undefined;
        for (let i = 0; i < BIG_STACK_RUNS && problem === undefined; i++) {
          const start = performance.now();
          const result = spawnSync(process.execPath, [cli, command.name, stack.name, ...command.args, '--stacks', dir], {
            cwd: root,
            encoding: 'utf8',
            maxBuffer: 256 * 1024 * 1024,
            env: { ...process.env, NO_COLOR: '1' },
          });
          runsMs.push(performance.now() - start);
          // check and diff exit 1 to report a finding; 2 is a usage error, anything else a crash.
          if (result.status !== 0 && result.status !== 1) {
            problem = `exit ${result.status}: ${(`${result.stderr}`.split('\n').find((l) => l.trim()) ?? `signal ${result.signal}`).slice(0, 100)}`;
          }
        }
        rows.push({
          command: command.name,
          stack: stack.name,
          workloads: stack.workloads,
          fileBytes,
          runsMs,
          problem,
          medianMs: problem ? undefined : median(runsMs),
        });
      }
    }
    return { baselineStack: baseline, rows };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
