/** What `stepwise check` reports about a plan's traffic routing. Pure. */
import type { Finding } from '../model/finding';
import type { Plan } from '../model/plan';
import { allStageStates, type StageState } from '../model/stage-state';
import { stageRouting } from './routed-traffic';
import { isWeighted, type WeightedRouting } from '../model/traffic-routing';

/** Rule id: a stage sends a weight to a track none of whose pods exist. */
export const WEIGHT_WITHOUT_READY_PODS = 'weight-without-ready-pods';

/** Rule id: a stage (from another version of the plan) sends requests to a track the plan's routing does not have. */
export const INVALID_TRAFFIC_SECTION = 'invalid-traffic-section';

/**
 * The routing findings of one stage (a `stepwise check` stage rule): an error for every track the
 * router sends a weight to while the stage runs no pod of it — those requests fail (ingress-nginx
 * and Gateway API answer 503, the mesh has no endpoint). Only the stage itself is read, so it also
 * works on the stage pairs `check` builds from two versions of a plan; a stage of another version
 * that weighs a track this plan does not have is an `invalid-traffic-section` error.
 */
export function weightWithoutReadyPods(plan: Plan, state: StageState): Finding[] {
  const routing = plan.traffic;
  const weights = state.stage.traffic ?? {};
  const invalid = (problem: string, fix: string): Finding => ({
    severity: 'error',
    rule: INVALID_TRAFFIC_SECTION,
    stage: state.stage.name,
    object: 'plan',
    problem,
    fix,
  });
  if (!isWeighted(routing)) {
    if (Object.keys(weights).length === 0) return [];
    return [
      invalid(
        `stage '${state.stage.name}' sets traffic weights, but the plan routes by replicas (each workload gets its share of ready pods)`,
        'set traffic.router to gateway-api, ingress-nginx or smi, or remove the stage weights',
      ),
    ];
  }
  const known = new Set(routing.tracks.map((t) => t.name));
  const stranger = Object.keys(weights).filter((track) => weights[track] > 0 && !known.has(track));
  if (stranger.length > 0) {
    return stranger.map((track) =>
      invalid(
        `stage '${state.stage.name}' sends ${weights[track]}% of requests to track '${track}', which the plan's ${routing.router} router does not have`,
        `use the plan's tracks: ${[...known].join(', ')}`,
      ),
    );
  }
  const split = stageRouting(state, routing);
  return split.tracks
    .filter((t) => t.weight > 0 && t.readyPods === 0)
    .map((t) => ({
      severity: 'error' as const,
      rule: WEIGHT_WITHOUT_READY_PODS,
      stage: state.stage.name,
      object: routerObjectFor(routing, t.track.name),
      problem: `sends ${t.weight}% of requests to track '${t.track.name}' (Service ${t.track.serviceName}), which has no pods in this stage: those requests fail`,
      fix: `run a workload of track '${t.track.name}' (${t.track.workloads.join(', ')}) in this stage, or set its weight to 0 in the stage's traffic`,
    }));
}

/** Every routing finding of the plan, stage by stage. */
export function routingFindings(plan: Plan): Finding[] {
  return allStageStates(plan).flatMap((state) => weightWithoutReadyPods(plan, state));
}

/** The object that carries a track's weight, as `Kind/name`. */
function routerObjectFor(routing: WeightedRouting, track: string): string {
  switch (routing.router) {
    case 'ingress-nginx':
      return track === routing.stableTrack ? `Ingress/${routing.service.name}` : `Ingress/${routing.service.name}-${track}`;
    case 'gateway-api':
      return `HTTPRoute/${routing.service.name}`;
    case 'smi':
      return `TrafficSplit/${routing.service.name}`;
  }
}
