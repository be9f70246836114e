/**
 * What a progressive-delivery controller (Argo Rollouts, Flagger) needs to run a plan's release
 * itself: the Deployment it takes over, the Service and tracks it routes through, and the
 * traffic steps the stages walk. Pure; the exporters turn it into their controller's object.
 */
import { named } from '../model/named';
import { canaryPair } from '../model/canary-pair';
import { StepwiseError } from '../model/errors';
import type { Plan, ReleaseService, Workload } from '../model/plan';
import { labelsMatch } from '../model/labels';
import { allStageStates } from '../model/stage-state';
import { stageRouting } from '../routing/routed-traffic';
import { isWeighted, type TrafficRouting, type WeightedRouting } from '../model/traffic-routing';

/** A plan's release as a controller sees it. */
export interface HandOver {
  /** The stable workload: the Deployment the controller takes over (its target). */
  readonly stable: Workload;
  /** The canary workload, whose pods the controller replaces with its own. */
  readonly canary: Workload;
  /** The Service whose requests are split (the routed Service, or the one selecting the stable workload). */
  readonly service: ReleaseService;
  /** The plan's parsed `traffic` section. */
  readonly routing: TrafficRouting;
  /** The image the release ends on (the stable workload's image in the last stage). */
  readonly newImage: string;
  /**
   * The percent of requests on the new image at each stage that splits traffic (strictly between
   * 0 and 100), in stage order, repeats removed: the controller's weight steps.
   */
  readonly weights: readonly number[];
  /** Pods serving requests once the release is done: the last stage's replicas of every workload with a share of requests. */
  readonly replicas: number;
}

/**
 * The hand-over of `plan` to `controller`. Only a canary pair (`kind: CanaryService` with one
 * stable and one canary workload) can be handed over: a controller runs one Deployment plus the
 * canary pods it creates. Throws a StepwiseError (key path relative to the plan) otherwise.
 */
export function handOver(plan: Plan, controller: string): HandOver {
  if (plan.kind === 'BatchedRollout') {
    throw new StepwiseError({
      keyPath: 'kind',
      problem: `is BatchedRollout: its ${plan.workloads.length} Deployments cannot be handed to ${controller}, which runs one Deployment and creates the canary pods itself`,
      fix: `merge the batches into one workload and model the release as a CanaryService; ${controller}'s weight steps then replace the batches`,
    });
  }
  if (plan.kind === 'SelectorCutover') {
    throw new StepwiseError({
      keyPath: 'kind',
      problem: `is SelectorCutover, a blue-green release; export writes ${controller}'s canary steps, which a cutover has none of`,
      fix: "use Argo Rollouts' blueGreen strategy (activeService = the Service, previewService for v2) or Flagger's Blue/Green analysis instead",
    });
  }
  // The controllers release one new pod template, built from one Deployment: a stage's own
  // template (an env var, a limit) has no place in their steps.
  const templated = plan.stages.findIndex((stage) => Object.values(stage.workloads).some((w) => w.definition !== undefined));
  if (templated >= 0) {
    const stage = plan.stages[templated];
    const name = Object.keys(stage.workloads).find((w) => stage.workloads[w].definition !== undefined) as string;
    throw new StepwiseError({
      keyPath: `stages[${templated}].workloads.${name}`,
      problem: `changes the pod template of '${name}' in stage '${stage.name}' (not only its image); ${controller} rolls out one new template of one Deployment and has no step for a stage's own template`,
      fix: `release the change as a new image (or set it on the workload for every stage) before handing the release to ${controller}`,
    });
  }
  const routing = plan.traffic;
  const { stable, canary, service } = isWeighted(routing) ? weightedPair(plan, routing) : replicaPair(plan);
  const last = plan.stages[plan.stages.length - 1];
  const newImage = last.workloads[stable.name]?.image;
  if (newImage === undefined) {
    throw new StepwiseError({
      keyPath: `stages[${plan.stages.length - 1}].workloads`,
      problem: `the last stage has no '${stable.name}', the stable workload ${controller} would take over`,
      fix: `keep '${stable.name}' in every stage`,
    });
  }
  if (plan.stages[0].workloads[stable.name]?.image === newImage) {
    throw new StepwiseError({
      keyPath: 'stages',
      problem: `the stable workload '${stable.name}' runs ${newImage} in the first and the last stage, so the plan releases no new image`,
      fix: `end the plan with the stage where '${stable.name}' runs the new image`,
    });
  }
  const states = allStageStates(plan);
  const percents = plan.stages.map((stage, i) => {
    const shares = stageRouting(states[i], routing).byWorkload;
    const share = [stable, canary]
      .filter((w) => stage.workloads[w.name]?.image === newImage)
      .reduce((sum, w) => sum + (shares[w.name] ?? 0), 0);
    return toPercent(share);
  });
  const weights = percents.filter((p, i) => p > 0 && p < 100 && p !== percents[i - 1]);
  if (weights.length === 0) {
    throw new StepwiseError({
      keyPath: 'stages',
      problem: `no stage sends part of the requests to ${newImage} before all of them, so there are no canary steps for ${controller}`,
      fix: "add a stage where the canary runs the new image beside the stable workload's old one",
    });
  }
  // The pods that serve requests once the release is done: an idle canary (weight 0) is not one.
  const served = stageRouting(states[states.length - 1], routing).byWorkload;
  const replicas = Object.entries(last.workloads).reduce((sum, [name, w]) => sum + ((served[name] ?? 0) > 0 ? w.replicas : 0), 0);
  return { stable, canary, service, routing, newImage, weights, replicas };
}

/** A share (0–1) as a whole percent, never rounded onto 0 or 100 when it is strictly between. */
function toPercent(share: number): number {
  const percent = Math.round(share * 100);
  if (share > 0 && percent === 0) return 1;
  if (share < 1 && percent === 100) return 99;
  return percent;
}

function weightedPair(plan: Plan, routing: WeightedRouting) {
  const [stableTrack, ...others] = routing.tracks;
  if (others.length !== 1 || stableTrack.workloads.length !== 1 || others[0].workloads.length !== 1) {
    throw new StepwiseError({
      keyPath: 'traffic',
      problem: `a controller splits between one stable and one canary workload; the tracks are ${routing.tracks.map((t) => `${t.name} (${t.workloads.join(', ')})`).join(', ')}`,
      fix: 'give the plan one workload per track, stable and canary',
    });
  }
  const byName = (name: string) => named(plan.workloads, name) as Workload;
  const stable = byName(stableTrack.workloads[0]);
  const canary = byName(others[0].workloads[0]);
  // The gate measures the pair's canary (canaryPair); the controller must take over the other one.
  if (canaryPair(plan)?.canary === stable) {
    throw new StepwiseError({
      keyPath: 'traffic',
      problem: `the stable track's workload '${stable.name}' takes the new image before the ${others[0].name} track's '${canary.name}', so the canary is on the stable track`,
      fix: `give '${canary.name}' the new image first, or swap the two workloads' track labels`,
    });
  }
  return { stable, canary, service: routing.service };
}

/**
 * Without tracks, the plan's canary pair (`canaryPair`, the pair `stepwise gate` measures too):
 * the stable workload is the one that does not take the new image first, the one with the most
 * replicas in the first stage when both take it in the same stage (the first declared on a tie).
 */
function replicaPair(plan: Plan) {
  const pair = plan.workloads.length === 2 ? canaryPair(plan) : undefined;
  if (!pair) {
    throw new StepwiseError({
      keyPath: 'workloads',
      problem: `a controller takes over a canary pair (one stable, one canary workload), got ${plan.workloads.length} workloads`,
      fix: 'declare exactly the stable and the canary workload',
    });
  }
  const { stable, canary } = pair;
  const service = plan.services.find((s) => labelsMatch(s.selector, stable.labels) && labelsMatch(s.selector, canary.labels));
  if (!service) {
    throw new StepwiseError({
      keyPath: 'services',
      problem: `no Service selects both '${stable.name}' and '${canary.name}', so there is no traffic to split`,
      fix: 'select the label both workloads share (e.g. app: <app>)',
    });
  }
  return { stable, canary, service };
}
