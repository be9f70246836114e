/**
 * Reading a stack's status from a live cluster: the reads `stepwise status` makes and the report
 * it prints, also what `stepwise release` polls until the cluster has reached a stage.
 */
import { isWeighted, routerObjects } from '../routing';
import type { Stack } from '../stacks/stack-config';
import { isReadProblem, readCluster, type ClusterReadProblem } from './cluster-reader';
import type { KubeTarget } from './kube-context';
import { liveRouterWeights } from './router-weights';
import { renderedStage } from './rendered-stages';
import { matchStage } from './stage-match';
import { renderedTemplates } from './stage-spec';
import { statusReport, type StatusReport } from './status-report';

/**
 * The status of `stack` in the cluster `target` points at, compared with the stack file's stage
 * (`stack.stage`), or why the cluster could not be read. Only gets and lists.
 */
export async function readStackStatus(
  stack: Stack,
  target: KubeTarget,
  timeoutSeconds: number,
): Promise<StatusReport | ClusterReadProblem> {
  const { plan } = stack;
  const routing = plan.traffic;
  // Router objects keep their names in every stage: the stack's stage says which to read.
  const routerRefs = isWeighted(routing)
    ? routerObjects(plan, routing, stack.stageIndex, {}).map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name }))
    : [];
  const live = await readCluster(target, plan.namespace, routerRefs, timeoutSeconds);
  if (isReadProblem(live)) return live;
  const weights = isWeighted(routing) ? liveRouterWeights(plan, routing, live.routerObjects) : undefined;
  // Loaded only now: a cluster that cannot be reached is reported without loading cdk8s.
  const { renderStackStage } = await import('../synth/render-stack.js');
  // Every stage's pod templates, so stages that differ only in an env var or a limit are told apart.
  const templates = plan.stages.map((stage) =>
    renderedTemplates(renderedStage(stack, stage.name, renderStackStage).files.map((f) => f.object)),
  );
  const match = matchStage(plan, routing, live, weights, stack.stage, stack.fromStage, templates);
  const rendered = renderedStage(stack, match.stage ?? stack.stage, renderStackStage).files.map((f) => f.object);
  return statusReport({ stack, routing, cluster: { context: target.context, server: target.server }, live, weights, match, rendered });
}
