import * as fs from 'node:fs';
import * as path from 'node:path';
import { readApprovals, APPROVE_ENV } from '../../release/approvals';
import { clusterSettle, SETTLE_DEFAULTS } from '../../release/cluster-settle';
import { eventJson, eventText, type ReleaseEvent } from '../../release/release-event';
import { gitopsUpdates, type GitOpsUpdates } from '../../release/gitops-update';
import { pulumiUpdates, type PulumiUpdates } from '../../release/pulumi-update';
import { runRelease } from '../../release/release-run';
import { soakClock } from '../../release/soak-clock';
import { kubeTarget } from '../../status/kube-context';
import { setStageInText, writeStackFileAtomically } from '../../stacks/stage-edit';
import { parseCommandArgs, prometheusOption, requireStackName, STACK_OPTIONS, stacksDirOf } from '../args';
import type { Command } from '../command';
import { loadStackForCli, stageForCli } from '../../command-line/load-stack';
import { stackGate } from '../release-gate';
import { errorLines, UsageError } from '../../command-line/run-main';

const USAGE = `usage: stepwise release <stack> [--to STAGE] [--approve STAGE]... [--approvals FILE] [--dry-run]
                        [--json] [--prometheus URL] [--context NAME] [--settle-timeout S] [--stacks DIR]
                        [--gitops [--out DIR] [--commit [--push]]]

Progressive delivery from a pipeline, with no controller in the cluster. From the stage the stack
is in, stage by stage up to the last (or --to): writes the stage into stacks/Pulumi.<stack>.yaml,
applies it with the Pulumi Automation API (the project's own program, as \`pulumi up --stack <stack>\`
runs it, on your backend and stack), waits until the cluster is at the stage (as \`stepwise status\`
reads it), soaks for the stage's \`soak\`, and asks the metric gate (the plan's analysis section).
A stage that fails goes back to the last good stage, one stage at a time and make-before-break
(or, with \`onFailure: pause\`, stays where it is), and the release exits 1 with the reason.

Before anything changes, \`stepwise check\` must pass on the plan and on every rollback the release
may take. A stage with \`approval: required\` is applied only when approved with --approve, the
${APPROVE_ENV} environment variable (comma-separated stages) or a file given with --approvals.
Interrupted (Ctrl-C, a cancelled job, a killed runner), run it again: it compares the stack file
with the stage Pulumi recorded, applies the file's stage again if that update did not finish, and
watches the stage it starts from before going on. A stack left locked by a killed \`pulumi up\` is
freed only when the lock provably belongs to a dead process (a file backend's lock taken on this
host by a process that is gone); any other lock stops the release, which names \`pulumi cancel\`. Run it in the project directory (Pulumi.yaml);
commit the stack file afterwards. See docs/release.md.

With --gitops the release never changes the cluster: each stage is rendered into the output
folder as \`npm run synth\` renders it, committed with the stack file (--commit; --push pushes
it) or printed as the commands to run, and the release waits for Argo CD or Flux to bring the
cluster to it; where the cluster is at the start is read from the cluster.

options:
  --to STAGE          stop after this stage (default: the last stage)
  --approve STAGE     approve a stage with approval: required (repeatable)
  --approvals FILE    a file of approved stage names, one per line
  --dry-run           check, then preview the next update with Pulumi and show each later move
                      from the plan (as stepwise diff does); change nothing
  --json              one JSON event per line on stdout (docs/release.md: the event format)
  --prometheus URL    query this Prometheus for the gate instead of analysis.prometheus.url
  --context NAME      the kubeconfig context to read the cluster with (default: the current one)
  --settle-timeout S  how long a stage may take to settle, in seconds (default ${SETTLE_DEFAULTS.timeoutSeconds})
  --stacks DIR        the stacks directory (default: stacks)
  --gitops            render and commit each stage for a GitOps controller instead of pulumi up
  --out DIR           with --gitops: the output folder (default: $CDK8S_OUTDIR, else dist)
  --commit            with --gitops: git commit the stack file and the stack's folder per stage
  --push              with --commit: git push each commit
  -h, --help          show this help

exit codes: 0 released (or a dry run), 1 a stage failed (rolled back, paused or a failed update),
check errors or an invalid stack file, 2 usage error (unknown stack, stage, flag or approved stage;
no kubeconfig), 3 the next stage needs an approval, 130 interrupted`;

const OPTIONS = {
  ...STACK_OPTIONS,
  to: { type: 'string' },
  approve: { type: 'string', multiple: true },
  approvals: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  prometheus: { type: 'string' },
  context: { type: 'string' },
  'settle-timeout': { type: 'string' },
  gitops: { type: 'boolean' },
  out: { type: 'string' },
  commit: { type: 'boolean' },
  push: { type: 'boolean' },
} as const;

/** `stepwise release <stack>`. */
export const command: Command = {
  usage: USAGE,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
    const name = requireStackName(positionals, USAGE);
    const prometheus = prometheusOption(values.prometheus);
    const settleTimeout = secondsOption(values['settle-timeout'], '--settle-timeout') ?? SETTLE_DEFAULTS.timeoutSeconds;
    if (values.context === '') throw new UsageError(`--context needs a context name\n\n${USAGE}`);
    for (const flag of ['out', 'commit', 'push'] as const) {
      if (values[flag] !== undefined && !values.gitops) throw new UsageError(`--${flag} needs --gitops\n\n${USAGE}`);
    }
    if (values.push && !values.commit) throw new UsageError(`--push needs --commit\n\n${USAGE}`);
    const stack = loadStackForCli(stacksDirOf(values, context.cwd), name);
    const toIndex = values.to === undefined ? stack.plan.stages.length - 1 : stageForCli(stack, values.to, '--to').index;
    if (toIndex < stack.stageIndex) {
      throw new UsageError(
        `--to ${values.to} is before the current stage ${stack.stage}: a release only moves forward; use \`stepwise rollback ${stack.name} --to ${values.to}\`\n\n${USAGE}`,
      );
    }
    const approvals = approvalsFor(
      { flags: values.approve ?? [], env: process.env[APPROVE_ENV], file: values.approvals },
      stack.plan.stages.map((s) => s.name),
    );
    const emit = (event: ReleaseEvent) => context.out(`${values.json ? eventJson(event) : eventText(event)}\n`);

    const target = await kubeTarget(values.context);
    if ('message' in target) {
      context.err(`stepwise: release ${stack.name}: ${target.message}\n`);
      return 2;
    }
    const stackFile = path.resolve(context.cwd, stack.file);
    const controller = new AbortController();
    // The first Ctrl-C (or SIGTERM from a cancelled job) stops the release cleanly: the running
    // update is cancelled as Pulumi's own Ctrl-C cancels it. A second one quits at once. The
    // listeners stay registered until the end (not \`once\`): a library's exit hook re-raises a
    // signal nobody else listens to, which would kill the release before it could stop cleanly.
    const stop = (signal: NodeJS.Signals) => {
      if (!controller.signal.aborted) return controller.abort();
      removeSignalListeners();
      process.kill(process.pid, signal);
    };
    const removeSignalListeners = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      const updates = values.gitops
        ? gitopsPieces(
            gitopsUpdates(
              {
                dir: context.cwd,
                stacksDir: stacksDirOf(values, context.cwd),
                stackName: stack.name,
                outDir: values.out ?? process.env.CDK8S_OUTDIR ?? 'dist',
                commit: values.commit ?? false,
                push: values.push ?? false,
              },
              target,
              (line) => context.err(`gitops: ${line}\n`),
            ),
          )
        : pulumiPieces(
            await pulumiUpdates({ dir: context.cwd, stackName: stack.name, stackFile }, (line) => context.err(`pulumi: ${line}\n`)),
            controller.signal,
          );
      // The stack file a release writes for `stage` names the stage before it as fromStage.
      const previous = (stage: string) => stack.plan.stages[Math.max(0, stageForCli(stack, stage).index - 1)].name;
      const result = await runRelease(
        {
          stack: stack.name,
          file: stack.file,
          plan: stack.plan,
          stageIndex: stack.stageIndex,
          toIndex,
          approvals,
          dryRun: values['dry-run'] ?? false,
          signal: controller.signal,
        },
        {
          ...updates,
          preview: (stage) => updates.preview(stage, previous(stage)),
          settle: clusterSettle(stack, target, { ...SETTLE_DEFAULTS, timeoutSeconds: settleTimeout }, controller.signal),
          soak: soakClock(controller.signal),
          gate: stackGate(stack, prometheus),
          writeStage: (stage, fromStage) =>
            writeStackFileAtomically(stackFile, setStageInText(fs.readFileSync(stackFile, 'utf8'), { stage, fromStage }, stack.file)),
        },
        emit,
      );
      return result.exitCode;
    } catch (error) {
      for (const line of errorLines(error)) context.err(`stepwise: ${line}\n`);
      return 1;
    } finally {
      removeSignalListeners();
    }
  },
};

/** The update pieces of a release through Pulumi. */
function pulumiPieces(pulumi: PulumiUpdates, signal: AbortSignal) {
  return {
    recordedStage: () => pulumi.recordedStage(),
    freeStaleLocks: () => pulumi.freeStaleLocks(),
    clearPendingOperations: () => pulumi.clearPendingOperations(),
    apply: (_stage: string, { refresh }: { readonly refresh: boolean }) => pulumi.up({ refresh, signal }),
    preview: (stage: string, fromStage: string) => pulumi.preview(stage, fromStage),
  };
}

/** The update pieces of a release through a GitOps controller: the cluster says where it is. */
function gitopsPieces(gitops: GitOpsUpdates) {
  return {
    recordedStage: () => gitops.clusterStage(),
    // A GitOps release takes no Pulumi lock and leaves no Pulumi state behind.
    freeStaleLocks: async () => ({ kind: 'free' }) as const,
    clearPendingOperations: async () => [],
    apply: () => gitops.publish(),
    preview: async (stage: string, fromStage: string) => gitops.preview(stage, fromStage),
  };
}

/** The run's approvals; a stage name the plan lacks is a usage error (exit 2). */
function approvalsFor(...args: Parameters<typeof readApprovals>) {
  try {
    return readApprovals(...args);
  } catch (error) {
    throw new UsageError(`${errorLines(error).join('\n')}\n\n${USAGE}`);
  }
}

/** A positive number of seconds, or undefined when the flag is left out. */
function secondsOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`${flag} '${value}' is not a positive number of seconds (e.g. ${flag} 300)\n\n${USAGE}`);
  }
  return seconds;
}
