/**
 * Where a Service's requests really go: its ready endpoints (from the EndpointSlices) per
 * workload, and the traffic share that gives, next to what the plan says for the stage. Pure.
 *
 * An endpoint belongs to the workload whose Deployment owns its pod (pod → ReplicaSet →
 * Deployment), never by label: an adopted Deployment's selector may also match another
 * workload's pods. A pod without that chain (a bare pod, a ReplicaSet made by hand) belongs to the
 * live Deployment whose selector matches its labels with the most requirements, else to such a
 * workload of the plan, else to no workload.
 */
import { workloadSelectorMatches, type Labels, type WorkloadSelector } from '../model/labels';
import { firstByKey, named } from '../model/named';
import type { Plan } from '../model/plan';
import { stageState, type ServiceInStage } from '../model/stage-state';
import { isWeighted, routedTraffic, trackService, type TrafficRouting, type WeightedRouting } from '../routing';
import type { LiveCluster, LiveServiceEndpoints } from './live-cluster';
import { weightShares, type LiveRouterWeights } from './router-weights';

/** A workload's endpoints behind one Service, live and planned. */
export interface WorkloadEndpoints {
  /** The Deployment whose pods these are; null for pods of no Deployment. */
  readonly workload: string | null;
  /** Ready endpoints now. */
  readonly ready: number;
  /** Endpoints that are not ready now (starting, failing their probe, or terminating). */
  readonly notReady: number;
  /** The share of the Service's requests it gets now (0–1); null when it cannot be told (the router's weights were not read). */
  readonly share: number | null;
  /** Its ready endpoints when the stage is reached. */
  readonly plannedReady: number;
  /** The share of requests the plan gives it in the stage (0–1). */
  readonly plannedShare: number;
}

/** One Service's endpoints and traffic, live and planned. */
export interface ServiceTraffic {
  /** Service name. */
  readonly name: string;
  /** False when the Service does not exist. */
  readonly exists: boolean;
  /** Its selector now (null when it does not exist). */
  readonly selector: Labels | null;
  /** Its selector in the stage. */
  readonly plannedSelector: Labels;
  /** Ready endpoints now. */
  readonly readyEndpoints: number;
  /** Ready endpoints when the stage is reached. */
  readonly plannedReadyEndpoints: number;
  /**
   * How requests are shared: `ready endpoints` (kube-proxy spreads them evenly over the ready
   * endpoints) or `router weights` (the Service a weighted router splits: each track gets its
   * weight, spread over the ready endpoints of its track Service).
   */
  readonly shareBy: 'ready endpoints' | 'router weights';
  /** Per workload, plan order first, then other Deployments by name, then pods of none. */
  readonly workloads: readonly WorkloadEndpoints[];
}

/**
 * Every Service the stage at `index` renders (the plan's, then a weighted router's per-track
 * Services) with its live and planned endpoints and traffic.
 */
export function serviceTraffic(
  plan: Plan,
  routing: TrafficRouting,
  index: number,
  live: LiveCluster,
  weights: LiveRouterWeights | undefined,
): ServiceTraffic[] {
  const state = stageState(plan, index);
  const planned: ServiceInStage[] = [...state.services];
  if (isWeighted(routing)) planned.push(...routing.tracks.map((track) => trackService(plan, routing, track, index)));
  const podsInStage = new Map(state.workloads.map((w) => [w.workload.name, w.pods.count]));
  const owner = endpointOwner(plan, live);
  // Looked up by name, not with a `find` per Service: that made a stack of thousands quadratic.
  const endpointsByService = firstByKey(live.endpoints, (e) => e.service);
  const planOrder = new Map(plan.workloads.map((w, i) => [w.name, i]));
  const endpointsOf = (service: string) => countByWorkload(endpointsByService.get(service), owner);
  const routed = isWeighted(routing) ? routing : undefined;

  return planned.map((s): ServiceTraffic => {
    const found = named(live.services, s.service.name);
    const counts = endpointsOf(s.service.name);
    const readyEndpoints = sum([...counts.values()].map((c) => c.ready));
    const byRouter = routed !== undefined && routed.service.name === s.service.name;
    // The Service's own record, not a copy: a copy per Service would use up V8's hidden classes (lib/model/name-record.ts).
    const plannedShares: Readonly<Record<string, number>> = byRouter ? routedTraffic(state, routing) : s.traffic;

    const routerShares = byRouter ? sharesByWeight(routed, weights, endpointsOf) : undefined;
    const liveShare = (workload: string | null): number | null => {
      if (routerShares !== undefined) return routerShares === null ? null : (routerShares.get(workload) ?? 0);
      return readyEndpoints > 0 ? (counts.get(workload)?.ready ?? 0) / readyEndpoints : 0;
    };

    const names = orderedWorkloads(planOrder, [...counts.keys(), ...s.endpoints]);
    return {
      name: s.service.name,
      exists: found !== undefined,
      selector: found ? { ...found.selector } : null,
      plannedSelector: { ...s.selector },
      readyEndpoints,
      plannedReadyEndpoints: s.readyEndpoints,
      shareBy: byRouter ? 'router weights' : 'ready endpoints',
      workloads: names.map((workload) => {
        const selected = workload !== null && s.endpoints.includes(workload);
        return {
          workload,
          ready: counts.get(workload)?.ready ?? 0,
          notReady: counts.get(workload)?.notReady ?? 0,
          share: liveShare(workload),
          plannedReady: selected ? (podsInStage.get(workload) ?? 0) : 0,
          plannedShare: workload !== null ? (plannedShares[workload] ?? 0) : 0,
        };
      }),
    };
  });
}

type EndpointCounts = Map<string | null, { ready: number; notReady: number }>;

/**
 * Per workload, the share of the split Service's requests a weighted router sends it: its track's
 * part of the weights, spread over the ready endpoints of the track's Service. Null when the
 * weights could not be read.
 */
function sharesByWeight(
  routing: WeightedRouting,
  weights: LiveRouterWeights | undefined,
  endpointsOf: (service: string) => EndpointCounts,
): Map<string | null, number> | null {
  if (!weights || !('weights' in weights)) return null;
  const trackShares = weightShares(weights.weights);
  const result = new Map<string | null, number>();
  for (const track of routing.tracks) {
    const inTrack = endpointsOf(track.serviceName);
    const trackReady = sum([...inTrack.values()].map((c) => c.ready));
    for (const [workload, c] of inTrack) {
      const share = trackReady > 0 ? ((trackShares[track.name] ?? 0) * c.ready) / trackReady : 0;
      result.set(workload, (result.get(workload) ?? 0) + share);
    }
  }
  return result;
}

/** Ready and not-ready endpoints per owning workload (null: no workload). */
function countByWorkload(endpoints: LiveServiceEndpoints | undefined, owner: (pod: string | undefined) => string | null): EndpointCounts {
  const counts: EndpointCounts = new Map();
  for (const endpoint of endpoints?.endpoints ?? []) {
    const workload = owner(endpoint.pod);
    const c = counts.get(workload) ?? { ready: 0, notReady: 0 };
    counts.set(workload, endpoint.ready ? { ...c, ready: c.ready + 1 } : { ...c, notReady: c.notReady + 1 });
  }
  return counts;
}

/** The workload a pod's endpoint belongs to (see the file's comment). */
function endpointOwner(plan: Plan, live: LiveCluster): (pod: string | undefined) => string | null {
  const pods = new Map(live.pods.map((p) => [p.name, p]));
  const replicaSets = new Map(live.replicaSets.map((rs) => [rs.name, rs]));
  const deployments = [...live.deployments].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return (podName) => {
    const pod = podName === undefined ? undefined : pods.get(podName);
    if (!pod) return null;
    if (pod.controller?.kind === 'ReplicaSet') {
      const owner = replicaSets.get(pod.controller.name)?.controller;
      if (owner?.kind === 'Deployment') return owner.name;
    }
    // A pod without controller references (an orphan): the narrowest selector that matches it, since
    // an adopted Deployment's broad selector (the blog's `name: nginx`) also matches the other's pods.
    const byLive = narrowestMatch(deployments, pod.labels);
    if (byLive) return byLive.name;
    return narrowestMatch(plan.workloads, pod.labels)?.name ?? null;
  };
}

/** The first of `candidates` whose selector matches `labels` and has the most requirements, or undefined. */
function narrowestMatch<T extends { readonly name: string; readonly selector: WorkloadSelector }>(
  candidates: readonly T[],
  labels: Labels,
): T | undefined {
  const size = (s: WorkloadSelector) => Object.keys(s.matchLabels).length + s.matchExpressions.length;
  let best: T | undefined;
  for (const c of candidates)
    if (workloadSelectorMatches(c.selector, labels) && (!best || size(c.selector) > size(best.selector))) best = c;
  return best;
}

/** `names` without repeats: the plan's workloads in plan order (`planOrder`: name → index), then other Deployments by name, then null. */
function orderedWorkloads(planOrder: ReadonlyMap<string, number>, names: readonly (string | null)[]): (string | null)[] {
  const present = new Set(names);
  const named = [...present].filter((n): n is string => n !== null);
  const inPlan = named.filter((n) => planOrder.has(n)).sort((a, b) => (planOrder.get(a) as number) - (planOrder.get(b) as number));
  const others = named.filter((n) => !planOrder.has(n)).sort();
  return [...inPlan, ...others, ...(present.has(null) ? [null] : [])];
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
