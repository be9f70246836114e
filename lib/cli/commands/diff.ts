import { checkStagePair } from '../../review/check';
import { fromStageFindings } from '../../review/check-from-stage';
import { formatReview, REVIEW_FORMATS, type StageReview } from '../../review/diff-format';
import { manifestPatches, type ManifestSide } from '../../review/diff-manifests';
import { planChanges } from '../../review/diff-plan-changes';
import { stageDiff, type StageSide } from '../../review/diff-stages';
import { stackFilePath, stackFromText, type Stack } from '../../stacks';
import { formatOption, parseCommandArgs, requireStackName, STACK_OPTIONS, stacksDirOf } from '../args';
import type { Command } from '../command';
import { readFileAtRef } from '../git';
import { loadStackForCli, stageForCli } from '../../command-line/load-stack';
import { UsageError } from '../../command-line/run-main';

const USAGE = `usage: stepwise diff <stack> [--from STAGE] [--to STAGE] [--format text|markdown|json] [--stacks DIR]
       stepwise diff <stack> --base GIT-REF [--format text|markdown|json] [--stacks DIR]

Shows what a stage change does before it is applied: per workload its image, replicas and
traffic share; per Service its selector and ready endpoints; the transition's pods and the fewest
ready endpoints against the capacity floor; what \`stepwise check\` finds about the move; then the
unified diff of the rendered manifests.

  --from STAGE      the stage before (default: the stack's current stage, stepwise:stage)
  --to STAGE        the stage after (default: the stage after --from). At the last stage there
                    is no next stage: diff says so and exits 0
  --base GIT-REF    compare the stack file as it is at GIT-REF (e.g. origin/main, HEAD) with the
                    working tree, each at its own current stage: the review of a pull request.
                    Also lists plan changes Pulumi applies by replacing an object or that replace
                    every pod. Not combinable with --from/--to
  --format FORMAT   text (default), markdown (for a pull-request comment) or json
  --stacks DIR      the stacks directory (default: stacks)
  -h, --help        show this help

exit codes: 0 the diff was shown, 1 a stack file is invalid, 2 usage error (unknown stack, stage,
flag or git ref)`;

const OPTIONS = {
  ...STACK_OPTIONS,
  from: { type: 'string' },
  to: { type: 'string' },
  base: { type: 'string' },
  format: { type: 'string' },
} as const;

/** `stepwise diff <stack>`. */
export const command: Command = {
  usage: USAGE,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
    const name = requireStackName(positionals, USAGE);
    const format = formatOption(values.format, REVIEW_FORMATS, USAGE);
    if (values.base !== undefined && (values.from !== undefined || values.to !== undefined)) {
      throw new UsageError(`--base compares each version at its own current stage; it cannot be combined with --from or --to\n\n${USAGE}`);
    }
    if (values.base === '') throw new UsageError(`--base needs a git ref, e.g. --base origin/main\n\n${USAGE}`);
    const stacksDir = stacksDirOf(values, context.cwd);
    const stack = loadStackForCli(stacksDir, name);

    let before: { stack: Stack; side: StageSide; label: string };
    let after: { stack: Stack; side: StageSide; label: string };
    if (values.base !== undefined) {
      const file = stackFilePath(stacksDir, name);
      const atRef = readFileAtRef(file, values.base, context.cwd);
      const old = stackFromText(name, `${atRef.pathInRepo} at ${values.base}`, atRef.text);
      before = { stack: old, side: { plan: old.plan, stage: old.stage, source: values.base }, label: safeLabel(values.base) };
      after = { stack, side: { plan: stack.plan, stage: stack.stage, source: 'working tree' }, label: 'working-tree' };
    } else {
      const from = values.from === undefined ? { name: stack.stage, index: stack.stageIndex } : stageForCli(stack, values.from, '--from');
      let to: { name: string; index: number };
      if (values.to !== undefined) {
        to = stageForCli(stack, values.to, '--to');
      } else if (from.index + 1 < stack.plan.stages.length) {
        to = { name: stack.plan.stages[from.index + 1].name, index: from.index + 1 };
      } else {
        context.out(lastStageMessage(stack, from.name, values.from !== undefined, format));
        return 0;
      }
      before = { stack, side: { plan: stack.plan, stage: from.name }, label: from.name };
      after = { stack, side: { plan: stack.plan, stage: to.name }, label: to.name };
    }

    const review: StageReview = {
      stack: name,
      diff: stageDiff(before.side, after.side),
      planChanges: before.stack === after.stack ? [] : planChanges(before.stack.plan, after.stack.plan),
      findings: [
        ...checkStagePair(before.side, after.side),
        ...(values.base !== undefined ? fromStageFindings(before.stack, after.stack) : []),
      ],
      patches: await renderedPatches(before, after),
    };
    context.out(formatReview(review, format));
    return 0;
  },
};

/**
 * Renders what may differ between the two stages (cdk8s is loaded only here) and diffs the
 * manifest files. The workloads and Services both stages make from the same props render the same
 * and would show no patch, so they are not rendered.
 */
async function renderedPatches(
  before: { stack: Stack; side: StageSide; label: string },
  after: { stack: Stack; side: StageSide; label: string },
) {
  const { renderStackStageChange } = await import('../../synth/render-stack.js');
  const rendered = renderStackStageChange(
    { stack: before.stack, stage: before.side.stage },
    { stack: after.stack, stage: after.side.stage },
  );
  const side = (s: { stack: Stack; label: string }, files: ManifestSide['files']): ManifestSide => ({
    label: `${s.label}/${s.stack.name}`,
    files,
  });
  return manifestPatches(side(before, rendered.before), side(after, rendered.after));
}

function safeLabel(ref: string): string {
  return ref.replace(/[^A-Za-z0-9._/-]/g, '_');
}

function lastStageMessage(stack: Stack, stage: string, explicit: boolean, format: string): string {
  const where = explicit ? `--from ${stage} is` : `${stack.name} is at`;
  const text = `${where} the last stage of the plan (${stage}): there is no next stage to diff against; pass --to STAGE to compare with another stage`;
  if (format === 'json') return `${JSON.stringify({ stack: stack.name, from: { stage, source: null }, to: null, note: text }, null, 2)}\n`;
  if (format === 'markdown') return `### \`${stack.name}\`: \`${stage}\`\n\n${text}\n`;
  return `${text}\n`;
}
