import { isReadProblem, type ClusterReadProblem } from '../../status/cluster-reader';
import { kubeTarget } from '../../status/kube-context';
import { readStackStatus } from '../../status/stack-status';
import { formatStatus } from '../../status/status-format';
import { statusJson } from '../../status/status-report';
import { parseCommandArgs, requireStackName, stacksDirOf, STACK_OPTIONS } from '../args';
import type { Command } from '../command';
import { loadStackForCli } from '../../command-line/load-stack';
import { errorLines, UsageError } from '../../command-line/run-main';

const USAGE = `usage: stepwise status <stack> [--context NAME] [--json] [--timeout S] [--stacks DIR]

Reads the stack's namespace from a live cluster and tells which stage of the plan it is in: the
stage whose replicas, images and paused flags (per Deployment), selectors (per Service) and
router weights the cluster has, preferring the stack file's stage (stepwise:stage) when several
match. When none matches it lists, field by field, what differs from the stack file's stage.
It shows per Deployment the desired, current, updated, ready and available pods and the image,
and per Service the ready endpoints from its EndpointSlices, per workload, with the traffic
share they give next to the plan's (a weighted router's weights for the Service it splits); it
lists the objects of the stage that are missing, and the Deployments and Services carrying the
stack's labels that the stage does not render. Only reads from the cluster (get and list).

The cluster is the current context of the kubeconfig (KUBECONFIG, else ~/.kube/config), as for
kubectl. See docs/status.md.

options:
  --context NAME  use this kubeconfig context instead of the current one
  --json          print the report as one JSON document
  --timeout S     give up when the cluster has not answered within S seconds (default 10)
  --stacks DIR    where the Pulumi.<stack>.yaml files are (default: stacks)
  -h, --help      this text

exit codes: 0 the cluster is at a stage of the plan, with nothing missing, extra or rolling;
1 it is not: drift, missing or extra objects, or a rollout in progress (the last line says which);
2 usage error, or an invalid stack file; 3 the cluster cannot be reached or read`;

const OPTIONS = { ...STACK_OPTIONS, context: { type: 'string' }, json: { type: 'boolean' }, timeout: { type: 'string' } } as const;

const DEFAULT_TIMEOUT_SECONDS = 10;

/** `stepwise status <stack>`. */
export const command: Command = {
  usage: USAGE,
  async run(args, context) {
    // Exit 1 says "the cluster is not at a stage" (scripts act on it), so a problem that keeps
    // status from judging is 2, or 3 when it is the cluster.
    try {
      const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
      const name = requireStackName(positionals, USAGE);
      const timeoutSeconds = timeoutOption(values.timeout);
      if (values.context === '') throw new UsageError(`--context needs a context name\n\n${USAGE}`);
      const stack = loadStackForCli(stacksDirOf(values, context.cwd), name);
      const target = await kubeTarget(values.context);
      if ('message' in target) {
        context.err(`stepwise: status ${stack.name}: ${target.message}\n`);
        return target.kind === 'unknown-context' ? 2 : 3;
      }
      const report = await readStackStatus(stack, target, timeoutSeconds);
      if (isReadProblem(report)) {
        context.err(
          `stepwise: status ${stack.name}: cannot read the cluster at ${target.server} (context ${target.context}): ${report.message}\n`,
        );
        context.err(`stepwise: fix: ${readFix(report, target.context, stack.plan.namespace)}\n`);
        return 3;
      }
      context.out(values.json ? statusJson(report) : formatStatus(report));
      return report.exitCode;
    } catch (error) {
      for (const line of errorLines(error)) context.err(`stepwise: ${line}\n`);
      return 2;
    }
  },
};

/** `--timeout S`: a positive number of seconds. */
function timeoutOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout '${value}' is not a positive number of seconds (e.g. --timeout 30)\n\n${USAGE}`);
  }
  return seconds;
}

/** What to do about a cluster that could not be read (shared with `stepwise release`). */
export function readFix(problem: ClusterReadProblem, kubeContext: string, namespace: string): string {
  switch (problem.kind) {
    case 'unreachable':
      return `check that the cluster is up and that context ${kubeContext} points at it (kubectl --context ${kubeContext} cluster-info), or pass --context NAME`;
    case 'timeout':
      return 'check the connection to the API server, or give it longer with --timeout S';
    case 'refused':
      return `status needs get and list on deployments, replicasets, pods, services and endpointslices (and the router's kind) in namespace ${namespace}; check your credentials with kubectl --context ${kubeContext} auth can-i list deployments -n ${namespace}`;
    case 'server-error':
      return 'the API server failed the request; retry, and check its health with kubectl get --raw /readyz';
  }
}
