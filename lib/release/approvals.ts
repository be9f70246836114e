/**
 * Who approved which stage: `stepwise release` never prompts (it runs in CI), so a stage with
 * `approval: required` is applied only when the run was given its name in one of three ways:
 * `--approve <stage>` (repeatable), the `STEPWISE_APPROVE` environment variable (stage names
 * separated by commas or spaces, e.g. set by a protected CI environment), or a file named by
 * `--approvals FILE` (one stage name per line, `#` comments; e.g. written by a manual pipeline job).
 */
import * as fs from 'node:fs';
import { StepwiseError } from '../model/errors';

/** The environment variable holding approved stage names. */
export const APPROVE_ENV = 'STEPWISE_APPROVE';

/** The stages approved for this run, and where each approval came from. */
export interface Approvals {
  /** True when `stage` was approved. */
  has(stage: string): boolean;
}

/** Where approvals come from. */
export interface ApprovalSources {
  /** `--approve` values. */
  readonly flags: readonly string[];
  /** The value of {@link APPROVE_ENV}, when set. */
  readonly env?: string;
  /** `--approvals FILE`, when given. */
  readonly file?: string;
}

/**
 * The approvals of a run. Every name must be a stage of the plan (a typo would otherwise leave a
 * stage silently unapproved): an unknown one is a StepwiseError naming where it came from.
 */
export function readApprovals(sources: ApprovalSources, stageNames: readonly string[]): Approvals {
  const named: { name: string; from: string; file?: string }[] = [];
  for (const flag of sources.flags) named.push({ name: flag, from: '--approve' });
  for (const name of splitNames(sources.env ?? '')) named.push({ name, from: APPROVE_ENV });
  if (sources.file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(sources.file, 'utf8');
    } catch (error) {
      throw new StepwiseError({
        file: sources.file,
        problem: `cannot be read: ${(error as Error).message}`,
        fix: 'write the approved stage names into it, one per line, before the release runs, or leave --approvals out',
      });
    }
    text.split('\n').forEach((line) => {
      const name = line.replace(/#.*/, '').trim();
      if (name) named.push({ name, from: 'the approvals file', file: sources.file });
    });
  }
  for (const n of named) {
    if (!stageNames.includes(n.name)) {
      throw new StepwiseError({
        ...(n.file ? { file: n.file } : {}),
        problem: `approves '${n.name}' (from ${n.from}), which is not a stage of the plan`,
        fix: `approve one of: ${stageNames.join(', ')}`,
      });
    }
  }
  const approved = new Set(named.map((n) => n.name));
  return { has: (stage) => approved.has(stage) };
}

/** How to approve `stage`, in words, for the message that stops a release. */
export function howToApprove(stage: string): string {
  return `re-run with --approve ${stage}, set ${APPROVE_ENV}=${stage}, or list ${stage} in the file given with --approvals`;
}

function splitNames(value: string): string[] {
  return value.split(/[\s,]+/).filter((name) => name !== '');
}
