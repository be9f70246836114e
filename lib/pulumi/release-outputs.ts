import { labelsMatch, podsAfter, servicesInStage, stageState, type RunningWorkload, type ServiceInStage } from '../model';
import type { ResolvedService, ResolvedWorkload, TrafficRouterProps } from '../constructs';
import { routedTraffic } from '../routing/routed-traffic';
import type { Stack } from '../stacks';

/** A workload as it runs in the stack's stage. */
export interface WorkloadOutput {
  /** Desired replicas. */
  readonly replicas: number;
  /** Container image. */
  readonly image: string;
  /**
   * Expected share of the app's requests (0 to 1), as the plan's router sends them: with a traffic
   * router (`traffic.router` other than `replicas`), the stage's weight for its track spread over
   * the track's ready pods; without one, its share of its Service's ready replicas (what
   * kube-proxy does). This, not ServiceOutput.trafficShare, is what users of a routed app see.
   */
  readonly trafficShare: number;
}

/** A Service in the stack's stage. */
export interface ServiceOutput {
  /** The selector the Service has in this stage. */
  readonly selector: Readonly<Record<string, string>>;
  /** The workloads it selects, in plan order. */
  readonly endpoints: readonly string[];
  /** Pods behind it when every replica is ready. */
  readonly readyEndpoints: number;
  /**
   * Per workload, how this Service itself spreads requests over its endpoints (ready replicas), 0
   * to 1: what kube-proxy does for requests sent to this Service. With a traffic router, requests
   * that come through the router follow the stage's weights instead, see WorkloadOutput.trafficShare.
   */
  readonly trafficShare: Readonly<Record<string, number>>;
}

/** What a release component (and the Pulumi program) exports for a stack. */
export interface ReleaseOutputs {
  /** The stage the stack is now in (`stepwise:stage`). */
  readonly stage: string;
  /** The stage the update moved from: the one the last update recorded, else `stepwise:fromStage`, else the stage before in the plan. */
  readonly fromStage: string;
  /** Per workload present in the stage: replicas, image and traffic share. */
  readonly workloads: Readonly<Record<string, WorkloadOutput>>;
  /** Per Service: selector, endpoints and traffic share per workload. */
  readonly services: Readonly<Record<string, ServiceOutput>>;
}

/** The outputs of a stack's current stage, computed from the plan (plain data, no Pulumi). */
export function releaseOutputs(stack: Stack): ReleaseOutputs {
  const state = stageState(stack.plan, stack.stageIndex);
  // As the plan's router sends requests: track weights with a router, else ready-replica shares.
  const shares = routedTraffic(state, stack.plan.traffic);
  return { stage: stack.stage, fromStage: stack.fromStage, ...objectOutputs(state.workloads, state.services, shares) };
}

/** A stage stated as props (not a plan's), for {@link stageOutputs}. */
export interface StageToReport {
  /** The stage's name. */
  readonly stage: string;
  /** The stage the update moves from. */
  readonly fromStage: string;
  /** The workloads, defaults resolved. */
  readonly workloads: readonly ResolvedWorkload[];
  /** The Services, defaults resolved. */
  readonly services: readonly ResolvedService[];
  /** The weighted router, if any. */
  readonly trafficRouter?: TrafficRouterProps;
}

/**
 * The outputs of a stage given as props, counted as {@link releaseOutputs} counts a plan's stage
 * reached from an empty namespace: a Deployment created paused has no pods yet.
 */
export function stageOutputs(stage: StageToReport): ReleaseOutputs {
  const running: RunningWorkload[] = stage.workloads.map(({ workload, state }) => ({
    workload,
    state,
    pods: podsAfter(workload, undefined, state),
  }));
  const inServices = servicesInStage(stage.services, running);
  // As kube-proxy spreads them: the share of the first Service that selects the workload.
  const firstService = new Map<string, ServiceInStage>();
  for (const service of inServices) {
    for (const name of service.endpoints) if (!firstService.has(name)) firstService.set(name, service);
  }
  const shares: Record<string, number> = {};
  for (const w of running) shares[w.workload.name] = firstService.get(w.workload.name)?.traffic[w.workload.name] ?? 0;
  const router = stage.trafficRouter;
  if (router) {
    // As the router sends them: each track's weight spread over the track's ready pods.
    const { routing, weights } = router;
    for (const track of routing.tracks) {
      const members = running.filter(
        (w) => labelsMatch(routing.service.selector, w.workload.labels) && w.workload.labels[routing.trackLabel] === track.name,
      );
      const pods = members.reduce((sum, w) => sum + w.pods.count, 0);
      for (const w of members) shares[w.workload.name] = pods > 0 ? ((weights[track.name] / 100) * w.pods.count) / pods : 0;
    }
  }
  return { stage: stage.stage, fromStage: stage.fromStage, ...objectOutputs(running, inServices, shares) };
}

/**
 * The outputs of a stage's workloads (with each one's share, `shares`) and Services. A Service's
 * shares are its own record, not a copy: a copy per Service keyed by workload names would use up
 * V8's hidden classes on a big stack (lib/model/name-record.ts).
 */
function objectOutputs(
  running: readonly RunningWorkload[],
  services: readonly ServiceInStage[],
  shares: Readonly<Record<string, number>>,
): Pick<ReleaseOutputs, 'workloads' | 'services'> {
  const workloads: Record<string, WorkloadOutput> = {};
  for (const { workload, state } of running) {
    workloads[workload.name] = { replicas: state.replicas, image: state.image, trafficShare: shares[workload.name] };
  }
  const byName: Record<string, ServiceOutput> = {};
  for (const service of services) {
    byName[service.service.name] = {
      selector: { ...service.selector },
      endpoints: [...service.endpoints],
      readyEndpoints: service.readyEndpoints,
      trafficShare: service.traffic,
    };
  }
  return { workloads, services: byName };
}
