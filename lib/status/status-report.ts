/**
 * What `stepwise status <stack>` reports, as data: which stage the cluster is in (or what drifted),
 * each Deployment's replicas and image, each Service's real endpoints and traffic share next to
 * the plan's, the router's weights, and the objects that are missing or extra. `--json` prints it
 * as is and the text is drawn from it, so the two never disagree. Pure: the cluster was read
 * before (cluster-reader.ts) and the stage rendered before (renderStackStage).
 */
import type { Labels } from '../model/labels';
import { named } from '../model/named';
import { isWeighted, type TrafficRouting } from '../routing';
import type { Stack } from '../stacks/stack-config';
import type { LiveCluster } from './live-cluster';
import { serviceTraffic, type ServiceTraffic } from './live-traffic';
import { ownedObjects, type ObjectRef, type RenderedObject } from './owned-objects';
import { rolloutProgress, type RolloutInProgress } from './rollout-progress';
import type { LiveRouterWeights } from './router-weights';
import type { SpecDifference, StageMatch } from './stage-match';
import { stageSpec } from './stage-spec';

/** Where the cluster was read. */
export interface ClusterIdentity {
  /** The kubeconfig context used. */
  readonly context: string;
  /** The API server's URL. */
  readonly server: string;
}

/** One Deployment: its spec and status now, and what the stage says. */
export interface DeploymentStatus {
  /** Deployment name. */
  readonly name: string;
  /** False when it does not exist. */
  readonly exists: boolean;
  /** `spec.replicas`: the pods it should have. */
  readonly desired: number;
  /** `status.replicas`: its pods now, of every ReplicaSet. */
  readonly current: number;
  /** Pods with the current template. */
  readonly updated: number;
  /** Ready pods. */
  readonly ready: number;
  /** Pods ready for at least `minReadySeconds`. */
  readonly available: number;
  /** `spec.paused`. */
  readonly paused: boolean;
  /** Image per container of its pod template. */
  readonly images: Readonly<Record<string, string>>;
  /** What the compared stage sets; null when the stage does not run it. */
  readonly planned: { readonly replicas: number; readonly image: string; readonly paused: boolean } | null;
}

/** A weighted router's weights per track: live (null when they could not be read) and the stage's. */
export interface RouterStatus {
  /** `gateway-api`, `ingress-nginx` or `smi`. */
  readonly router: string;
  /** The object that carries the weights. */
  readonly object: { readonly kind: string; readonly name: string };
  /** Weight per track now, or null. */
  readonly weights: Readonly<Record<string, number>> | null;
  /** Why the weights could not be read, when they could not. */
  readonly unknown?: string;
  /** Weight per track in the compared stage (percent). */
  readonly plannedWeights: Readonly<Record<string, number>>;
}

/** Why `status` exits 1, in the order they are reported. */
export type StatusFinding = 'drift' | 'missing' | 'extra' | 'rolling';

/** The whole report. */
export interface StatusReport {
  /** Stack name. */
  readonly stack: string;
  /** The plan's namespace. */
  readonly namespace: string;
  /** The kubeconfig context used. */
  readonly context: string;
  /** The API server's URL. */
  readonly server: string;
  /** The stage the stack file says (`stepwise:stage`). */
  readonly stackStage: string;
  /** The stage the cluster is in, or null when it matches none. */
  readonly stage: string | null;
  /** Every stage the cluster matches, in plan order (several only when they differ in weights that could not be read). */
  readonly matches: readonly string[];
  /** The stage the objects, endpoints and traffic below are compared with: `stage`, else `stackStage`. */
  readonly comparedStage: string;
  /** When no stage matches, what differs from `stackStage`, field by field; else empty. */
  readonly drift: readonly SpecDifference[];
  /** When no stage matches, the stage with the fewest differences, and how many; else null. */
  readonly nearest: { readonly stage: string; readonly differences: number } | null;
  /** Deployments whose pods have not caught up with their spec. */
  readonly rolling: readonly RolloutInProgress[];
  /** False when the namespace does not exist; null when it could not be told. */
  readonly namespaceExists: boolean | null;
  /** The plan's workloads the stage runs or the cluster has, in plan order, then extra Deployments. */
  readonly deployments: readonly DeploymentStatus[];
  /** The Services the stage renders, with their endpoints and traffic share, live and planned. */
  readonly services: readonly ServiceTraffic[];
  /** The router's weights (weighted plans only; null for `replicas`). */
  readonly router: RouterStatus | null;
  /** Objects of the stage the cluster lacks. */
  readonly missing: readonly ObjectRef[];
  /** Deployments and Services carrying `ownerLabels` that the stage does not render. */
  readonly extra: readonly ObjectRef[];
  /** The labels that mark an object as the stack's. */
  readonly ownerLabels: Labels;
  /** Why the exit code is 1; empty when the cluster is at a stage and settled. */
  readonly findings: readonly StatusFinding[];
  /** 0 at a stage of the plan with nothing missing, extra or rolling; 1 otherwise. */
  readonly exitCode: 0 | 1;
}

/** What the report is built from. */
export interface StatusInput {
  /** The stack. */
  readonly stack: Stack;
  /** Its parsed `traffic` section. */
  readonly routing: TrafficRouting;
  /** Where the cluster was read. */
  readonly cluster: ClusterIdentity;
  /** What was read. */
  readonly live: LiveCluster;
  /** The router's weights as read (weighted plans), else undefined. */
  readonly weights: LiveRouterWeights | undefined;
  /** Which stage the cluster is in. */
  readonly match: StageMatch;
  /** The objects the compared stage (`match.stage`, else the stack's stage) renders. */
  readonly rendered: readonly RenderedObject[];
}

/** The report. */
export function statusReport(input: StatusInput): StatusReport {
  const { stack, routing, cluster, live, weights, match, rendered } = input;
  const { plan } = stack;
  const comparedStage = match.stage ?? stack.stage;
  const index = plan.stages.findIndex((s) => s.name === comparedStage);
  const spec = stageSpec(plan, routing, index);

  const liveByName = new Map(live.deployments.map((d) => [d.name, d]));
  const objects = ownedObjects(rendered, live);
  const names = [
    ...plan.workloads.map((w) => w.name).filter((n) => liveByName.has(n) || named(spec.deployments, n) !== undefined),
    ...objects.extra.filter((o) => o.kind === 'Deployment' && named(plan.workloads, o.name) === undefined).map((o) => o.name),
  ];
  const deployments = names.map((name): DeploymentStatus => {
    const d = liveByName.get(name);
    const planned = named(spec.deployments, name);
    return {
      name,
      exists: d !== undefined,
      desired: d?.replicas ?? 0,
      current: d?.currentReplicas ?? 0,
      updated: d?.updatedReplicas ?? 0,
      ready: d?.readyReplicas ?? 0,
      available: d?.availableReplicas ?? 0,
      paused: d?.paused ?? false,
      images: Object.fromEntries((d?.containers ?? []).map((c) => [c.name, c.image])),
      planned: planned ? { replicas: planned.replicas, image: planned.container.image, paused: planned.paused } : null,
    };
  });
  const rolling = names.flatMap((name) => {
    const d = liveByName.get(name);
    const progress = d && rolloutProgress(d);
    return progress ? [progress] : [];
  });

  const router: RouterStatus | null =
    isWeighted(routing) && weights
      ? {
          router: routing.router,
          object: { kind: weights.kind, name: weights.name },
          weights: 'weights' in weights ? { ...weights.weights } : null,
          ...('unknown' in weights ? { unknown: weights.unknown } : {}),
          plannedWeights: { ...routing.stageWeights[index] },
        }
      : null;

  const findings: StatusFinding[] = [];
  if (match.stage === null) findings.push('drift');
  if (objects.missing.length > 0 || live.namespaceExists === false) findings.push('missing');
  if (objects.extra.length > 0) findings.push('extra');
  if (rolling.length > 0) findings.push('rolling');
  return {
    stack: stack.name,
    namespace: plan.namespace,
    context: cluster.context,
    server: cluster.server,
    stackStage: stack.stage,
    stage: match.stage,
    matches: match.matches,
    comparedStage,
    drift: match.drift,
    nearest: match.nearest,
    rolling,
    namespaceExists: live.namespaceExists ?? null,
    deployments,
    services: serviceTraffic(plan, routing, index, live, weights),
    router,
    missing: objects.missing,
    extra: objects.extra,
    ownerLabels: objects.ownerLabels,
    findings,
    exitCode: findings.length === 0 ? 0 : 1,
  };
}

/** `stepwise status --json`: the report as indented JSON with a final newline. */
export function statusJson(report: StatusReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
