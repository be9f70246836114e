import * as fs from 'node:fs';
import { formatGateReport } from '../../gate/report';
import type { Finding } from '../../model/finding';
import { checkPlan, checkStagePair } from '../../review/check';
import { findingLines, summaryText } from '../../review/diff-format';
import { stageDiff } from '../../review/diff-stages';
import type { Stack } from '../../stacks';
import { assertStackFileWritable, setStageInText, writeStackFileAtomically } from '../../stacks/stage-edit';
import { parseCommandArgs, prometheusOption, requireStackName, STACK_OPTIONS, stacksDirOf } from '../args';
import type { Command, CommandContext } from '../command';
import { loadStackForCli, stageForCli } from '../../command-line/load-stack';
import { UsageError } from '../../command-line/run-main';

/** Which way a stage move goes: `promote` to a later stage, `rollback` to an earlier one. */
export type MoveDirection = 'promote' | 'rollback';

const PROMOTE_USAGE = `usage: stepwise promote <stack> [--to STAGE] [--dry-run] [--skip-gate] [--prometheus URL] [--stacks DIR]

Moves the stack to its next stage: sets stepwise:stage (and stepwise:fromStage, the stage it
leaves) in stacks/Pulumi.<stack>.yaml, changing no other byte of the file. Before writing it
runs \`stepwise check\` and refuses on errors, and, when the plan has an analysis section, runs
the metric gate for the current stage and refuses unless it passes. It prints what the change
does and how to apply it.

options:
  --to STAGE        move to this later stage, jumping over the ones between (default: the next stage)
  --dry-run         check and print, but do not write the file
  --skip-gate       do not run the metric gate (printed as a warning on stderr)
  --prometheus URL  query this Prometheus for the gate instead of analysis.prometheus.url
  --stacks DIR      the stacks directory (default: stacks)
  -h, --help        show this help

exit codes: 0 moved (or would move, with --dry-run), 1 refused (last stage, check errors, the gate
did not pass) or a stack file it cannot edit (invalid, read-only, stepwise:stage not written as
\`stepwise:stage: <name>\`), 2 usage error (unknown stack, stage or flag; --to not later; a bad
--prometheus URL, even with --skip-gate)`;

const ROLLBACK_USAGE = `usage: stepwise rollback <stack> [--to STAGE] [--dry-run] [--stacks DIR]

Moves the stack back to its previous stage: sets stepwise:stage (and stepwise:fromStage, the
stage it leaves) in stacks/Pulumi.<stack>.yaml, changing no other byte of the file. Runs
\`stepwise check\` on this move first and refuses on its errors (errors in other stages are reported
but do not block a rollback); never runs the metric gate. Prints what the change does and how to
apply it.

options:
  --to STAGE    move to this earlier stage, jumping over the ones between (default: the previous stage)
  --dry-run     check and print, but do not write the file
  --stacks DIR  the stacks directory (default: stacks)
  -h, --help    show this help

exit codes: 0 moved (or would move, with --dry-run), 1 refused (first stage, check errors) or a
stack file it cannot edit (invalid, read-only, stepwise:stage not written as
\`stepwise:stage: <name>\`), 2 usage error (unknown stack, stage or flag; --to not earlier)`;

const PROMOTE_OPTIONS = {
  ...STACK_OPTIONS,
  to: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'skip-gate': { type: 'boolean' },
  prometheus: { type: 'string' },
} as const;

const ROLLBACK_OPTIONS = { ...STACK_OPTIONS, to: { type: 'string' }, 'dry-run': { type: 'boolean' } } as const;

/** What a move was asked to do, from the command line. */
interface MoveRequest {
  readonly name: string;
  readonly stacksDir: string;
  readonly to?: string;
  readonly dryRun: boolean;
  readonly skipGate: boolean;
  readonly prometheus?: string;
}

/** `stepwise promote` or `stepwise rollback`: the same steps, in opposite directions. */
export function stageMoveCommand(direction: MoveDirection): Command {
  const usage = direction === 'promote' ? PROMOTE_USAGE : ROLLBACK_USAGE;
  return {
    usage,
    async run(args, context) {
      let request: MoveRequest;
      if (direction === 'promote') {
        const { values, positionals } = parseCommandArgs(args, PROMOTE_OPTIONS, usage);
        request = {
          name: requireStackName(positionals, usage),
          stacksDir: stacksDirOf(values, context.cwd),
          to: values.to,
          dryRun: values['dry-run'] ?? false,
          skipGate: values['skip-gate'] ?? false,
          // Checked first, whatever else is asked: a mistyped URL is a usage error even with --skip-gate.
          prometheus: prometheusOption(values.prometheus),
        };
      } else {
        const { values, positionals } = parseCommandArgs(args, ROLLBACK_OPTIONS, usage);
        request = {
          name: requireStackName(positionals, usage),
          stacksDir: stacksDirOf(values, context.cwd),
          to: values.to,
          dryRun: values['dry-run'] ?? false,
          skipGate: false,
        };
      }
      return moveStage(direction, request, usage, context);
    },
  };
}

async function moveStage(direction: MoveDirection, request: MoveRequest, usage: string, context: CommandContext): Promise<number> {
  const verb = direction;
  const stack = loadStackForCli(request.stacksDir, request.name);
  const target = targetStage(direction, stack, request.to, usage);
  if ('refusal' in target) {
    context.err(`stepwise: ${target.refusal}\n`);
    return 1;
  }
  const jumped =
    direction === 'promote'
      ? stack.plan.stages.slice(stack.stageIndex + 1, target.index)
      : stack.plan.stages.slice(target.index + 1, stack.stageIndex).reverse();
  if (jumped.length > 0) context.err(`stepwise: --to ${target.name} jumps over ${jumped.map((s) => s.name).join(', ')}\n`);

  // This very move must be safe (a jump or a rollback is not one of the transitions checkPlan
  // looks at). A promote also needs the whole plan sound; a rollback does not wait for an error in
  // some later stage: that is the moment an operator can least afford to be blocked.
  const moveFindings = checkStagePair({ plan: stack.plan, stage: stack.stage }, { plan: stack.plan, stage: target.name });
  const planFindings = checkPlan(stack.plan);
  const findings = direction === 'promote' ? dedupe([...planFindings, ...moveFindings]) : moveFindings;
  const errors = findings.filter((f) => f.severity === 'error');
  const elsewhere = direction === 'rollback' ? planFindings.filter((f) => f.severity === 'error').length : 0;
  if (elsewhere > 0 && errors.length === 0) {
    context.err(
      `stepwise: the plan has ${elsewhere} check error${elsewhere === 1 ? '' : 's'} in other stages (run \`stepwise check ${stack.name}\`); rolling back anyway, since this move is safe\n`,
    );
  }
  const warnings = findings.length - errors.length;
  if (errors.length > 0) {
    for (const f of errors) for (const line of findingLines(f)) context.err(`${line}\n`);
    context.err(
      `stepwise: refusing to ${verb} ${stack.name}: \`stepwise check\` found ${errors.length} error${errors.length === 1 ? '' : 's'} (above); fix the plan in ${stack.file} and run \`stepwise check ${stack.name}\`\n`,
    );
    return 1;
  }
  if (warnings > 0) {
    context.err(
      `stepwise: \`stepwise check\` found ${warnings} warning${warnings === 1 ? '' : 's'} and no errors; run \`stepwise check ${stack.name}\` to read them\n`,
    );
  }

  // Everything that can refuse comes before anything on stdout, so stdout never announces a move
  // that did not happen: the edit (a layout it cannot edit, a read-only file), then the gate.
  const edited = setStageInText(fs.readFileSync(stack.file, 'utf8'), { stage: target.name, fromStage: stack.stage }, stack.file);
  assertStackFileWritable(stack.file);
  if (direction === 'promote') {
    const gate = await runGateBeforePromote(stack, request, context);
    if (gate !== 0) return gate;
  }

  const review = {
    stack: stack.name,
    diff: stageDiff({ plan: stack.plan, stage: stack.stage }, { plan: stack.plan, stage: target.name }),
    planChanges: [],
    findings: errors,
  };
  const change = `stepwise:stage ${stack.stage} → ${target.name} (stepwise:fromStage: ${stack.stage})`;
  if (request.dryRun) {
    context.out(`${summaryText(review)}\n`);
    context.out(`Dry run: ${stack.file} was not changed; without --dry-run it would get ${change}.\n`);
    return 0;
  }
  writeStackFileAtomically(stack.file, edited);
  context.out(`${summaryText(review)}\n`);
  context.out(`Updated ${stack.file}: ${change}.\n`);
  // A rollback often follows an update that failed or was interrupted, after which Pulumi's state
  // may not match the cluster (seen on a real cluster: the failed rollout stays, and a plain
  // `pulumi up` back to the recorded stage changes nothing); --refresh reads the cluster first.
  context.out(`Apply it: pulumi up ${direction === 'rollback' ? '--refresh ' : ''}--stack ${stack.name}\n`);
  context.out(`   or, for GitOps (Argo CD / Flux): commit and push ${stack.file}; CI renders it with npm run synth.\n`);
  return 0;
}

/** The stage the move goes to, or why it cannot move (a refusal, exit 1). A `--to` in the wrong direction is a UsageError. */
function targetStage(
  direction: MoveDirection,
  stack: Stack,
  to: string | undefined,
  usage: string,
): { name: string; index: number } | { refusal: string } {
  const stages = stack.plan.stages;
  if (to === undefined) {
    const index = stack.stageIndex + (direction === 'promote' ? 1 : -1);
    if (index >= stages.length) {
      return {
        refusal: `${stack.name} is already at its last stage (${stack.stage}): there is nothing to promote to; ${stack.file} was not changed`,
      };
    }
    if (index < 0) {
      return {
        refusal: `${stack.name} is already at its first stage (${stack.stage}): there is nothing to roll back to; ${stack.file} was not changed`,
      };
    }
    return { name: stages[index].name, index };
  }
  const target = stageForCli(stack, to, '--to');
  if (target.index === stack.stageIndex) {
    return { refusal: `${stack.name} is already at stage ${stack.stage}; ${stack.file} was not changed` };
  }
  if (direction === 'promote' && target.index < stack.stageIndex) {
    throw new UsageError(
      `--to ${to} is before the current stage ${stack.stage}: promote only moves forward; use \`stepwise rollback ${stack.name} --to ${to}\`\n\n${usage}`,
    );
  }
  if (direction === 'rollback' && target.index > stack.stageIndex) {
    throw new UsageError(
      `--to ${to} is after the current stage ${stack.stage}: rollback only moves back; use \`stepwise promote ${stack.name} --to ${to}\`\n\n${usage}`,
    );
  }
  return target;
}

/**
 * The metric gate before a promotion: only when the plan has an analysis section. Returns 0 to go
 * on, or the exit code of the refusal. `--skip-gate` goes on with a warning on stderr.
 */
async function runGateBeforePromote(stack: Stack, request: MoveRequest, context: CommandContext): Promise<number> {
  if (request.skipGate) {
    context.err(`WARNING: --skip-gate: promoting ${stack.name} without checking its metrics\n`);
    return 0;
  }
  const prometheus = request.prometheus;
  if (!stack.plan.analysis) {
    if (prometheus !== undefined)
      context.err(`stepwise: --prometheus is ignored: ${stack.name} has no analysis section, so there is no metric gate\n`);
    return 0;
  }
  // Loaded only when needed: stacks without a gate never load the Prometheus client.
  const { gateStack } = await import('../gate-stack.js');
  const result = await gateStack(stack, prometheus);
  if ('none' in result) {
    context.err(`stepwise: metric gate: nothing to measure yet: ${result.none}; promoting without a gate verdict\n`);
    return 0;
  }
  context.out(formatGateReport(result.report));
  context.out('\n');
  if (result.report.verdict === 'pass') return 0;
  context.err(
    `stepwise: refusing to promote ${stack.name}: the metric gate is ${result.report.verdict} (above), not pass; ${stack.file} was not changed` +
      ` (to promote anyway, pass --skip-gate)\n`,
  );
  return 1;
}

/** Findings both checks report (the move's own transition is also one checkPlan checks) once. */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([f.severity, f.rule, f.stage, f.object, f.problem]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `stepwise promote <stack>`. */
export const command: Command = stageMoveCommand('promote');
