/**
 * The traffic share each workload gets in a stage, as the plan's router sends it: by ready
 * replicas (`replicas`), or by the stage's weight per track, spread over the track's ready pods.
 * Pure math for `plan`, `check` and `diff`; no cdk8s.
 */
import { trafficByWorkload, type StageState } from '../model/stage-state';
import { isWeighted, type Router, type Track, type TrafficRouting } from '../model/traffic-routing';

/** One track in one stage. */
export interface TrackInStage {
  /** The track. */
  readonly track: Track;
  /** The percent of requests the router sends it (0–100). */
  readonly weight: number;
  /** Ready pods of the track's workloads in the stage (every pod they run assumed ready; see RunningWorkload.pods). */
  readonly readyPods: number;
}

/** How the router splits requests in one stage. */
export interface StageRouting {
  /** The plan's router. */
  readonly router: Router;
  /** Every track with its weight and ready pods, the stable track first; empty for `replicas`. */
  readonly tracks: readonly TrackInStage[];
  /**
   * The share of requests (0–1) each workload of the stage gets: for `replicas` its share of the
   * ready endpoints of its Service; for a weighted router its track's weight times its part of
   * the track's ready pods.
   */
  readonly byWorkload: Readonly<Record<string, number>>;
  /** The share of routed requests (0–1) sent to tracks without a ready pod: they fail. */
  readonly unserved: number;
}

/**
 * How `routing` splits requests in a stage as the cluster runs it (its pods, from
 * `stageState`/`stageStateFrom`). Only the stage itself is read — its workloads' pods and its own
 * weights — so a stage taken from another version of the plan (as `diff` and `check` build them)
 * is judged on its own.
 */
export function stageRouting(state: StageState, routing: TrafficRouting): StageRouting {
  const byReplicas = trafficByWorkload(state);
  if (!isWeighted(routing)) return { router: routing.router, tracks: [], byWorkload: byReplicas, unserved: 0 };

  const podsOf = new Map(state.workloads.map((w) => [w.workload.name, w.pods.count]));
  const weights = state.stage.traffic ?? {};
  const inTrack = new Set(routing.tracks.flatMap((t) => t.workloads));
  // Workloads the routed Service does not select keep the share their own Service gives them.
  const byWorkload: Record<string, number> = {};
  for (const running of state.workloads) {
    if (!inTrack.has(running.workload.name)) byWorkload[running.workload.name] = byReplicas[running.workload.name];
  }
  let unserved = 0;
  const tracks = routing.tracks.map((track): TrackInStage => {
    const weight = weights[track.name] ?? 0;
    const present = track.workloads.filter((name) => podsOf.has(name));
    const readyPods = present.reduce((sum, name) => sum + (podsOf.get(name) ?? 0), 0);
    for (const name of present) byWorkload[name] = readyPods > 0 ? ((weight / 100) * (podsOf.get(name) ?? 0)) / readyPods : 0;
    if (readyPods === 0) unserved += weight / 100;
    return { track, weight, readyPods };
  });
  const ordered: Record<string, number> = {};
  for (const running of state.workloads) ordered[running.workload.name] = byWorkload[running.workload.name];
  return { router: routing.router, tracks, byWorkload: ordered, unserved };
}

/**
 * Per workload of a stage, the share of requests (0–1) `routing` sends it; the same shape as
 * `trafficByWorkload`, which it equals for `replicas` plans.
 */
export function routedTraffic(state: StageState, routing: TrafficRouting): Record<string, number> {
  return { ...stageRouting(state, routing).byWorkload };
}
