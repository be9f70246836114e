/**
 * What the cluster's objects say in each stage of a plan, in the fields a stage decides: per
 * Deployment its replicas, image and paused flag (or that it does not exist) and, when the caller
 * rendered the stage, its pod template (env, resources, args... whatever a stage changes), per Service its
 * selector, and for a weighted router the weight of each track. `stepwise status` compares the
 * live objects with these to tell which stage the cluster is in. Pure, from the model.
 */
import type { Labels } from '../model/labels';
import { definitionIn, type Plan, type Workload } from '../model/plan';
import { isWeighted, trackSelector, type TrafficRouting } from '../routing';

/** A Deployment's spec in one stage. */
export interface DeploymentSpec {
  /** Deployment (workload) name. */
  readonly name: string;
  /** `spec.replicas`. */
  readonly replicas: number;
  /** `spec.paused`. */
  readonly paused: boolean;
  /** The workload's container and the stage's image for it. */
  readonly container: { readonly name: string; readonly image: string };
  /** The sidecar containers of the stage's pod template (`pod.containers`) and their images. */
  readonly sidecars: readonly { readonly name: string; readonly image: string }[];
  /**
   * The pod template the stage renders (`spec.template`), when the caller rendered the stage:
   * what tells apart stages that change only an env var or a limit. Undefined: not compared.
   */
  readonly template?: unknown;
}

/** The pod template (`spec.template`) each Deployment of one stage renders, by Deployment name. */
export type RenderedTemplates = ReadonlyMap<string, unknown>;

/** The {@link RenderedTemplates} of one stage's rendered objects. */
export function renderedTemplates(
  objects: readonly { readonly kind: string; readonly metadata: { readonly name: string } }[],
): RenderedTemplates {
  return new Map(
    objects.filter((o) => o.kind === 'Deployment').map((o) => [o.metadata.name, (o as { spec?: { template?: unknown } }).spec?.template]),
  );
}

/** The sidecars (`pod.containers`) of a workload's definition, by name and image. */
function sidecarsOf(definition: Workload): { name: string; image: string }[] {
  const containers = definition.pod?.containers;
  if (!Array.isArray(containers)) return [];
  return containers.flatMap((c) => {
    const { name, image } = (c ?? {}) as { name?: unknown; image?: unknown };
    return typeof name === 'string' && typeof image === 'string' ? [{ name, image }] : [];
  });
}

/** The fields a stage decides, for every object the plan owns. */
export interface StageSpec {
  /** Stage name. */
  readonly stage: string;
  /** Its index in the plan. */
  readonly index: number;
  /** The Deployments that exist in the stage, in plan order. */
  readonly deployments: readonly DeploymentSpec[];
  /** The plan's workloads the stage does not run: their Deployments must not exist. */
  readonly absentDeployments: readonly string[];
  /** Every Service with its selector in the stage: the plan's, then a weighted router's per-track Services. */
  readonly services: readonly { readonly name: string; readonly selector: Labels }[];
  /** A weighted router's percent per track in the stage; undefined for `replicas`. */
  readonly routerWeights?: Readonly<Record<string, number>>;
}

/**
 * The spec of the stage at `index` (`routing` is the plan's parsed `traffic` section), with the pod
 * templates of `templates` (the stage rendered) when given.
 */
export function stageSpec(plan: Plan, routing: TrafficRouting, index: number, templates?: RenderedTemplates): StageSpec {
  const stage = plan.stages[index];
  const deployments: DeploymentSpec[] = [];
  const absentDeployments: string[] = [];
  for (const workload of plan.workloads) {
    const state = stage.workloads[workload.name];
    if (state === undefined) absentDeployments.push(workload.name);
    else {
      deployments.push({
        name: workload.name,
        replicas: state.replicas,
        paused: state.paused,
        container: { name: workload.containerName, image: state.image },
        sidecars: sidecarsOf(definitionIn(workload, state)),
        ...(templates?.has(workload.name) ? { template: templates.get(workload.name) } : {}),
      });
    }
  }
  const services = plan.services.map((s) => ({ name: s.name, selector: stage.serviceSelectors[s.name] }));
  if (!isWeighted(routing)) return { stage: stage.name, index, deployments, absentDeployments, services };
  for (const track of routing.tracks) services.push({ name: track.serviceName, selector: trackSelector(routing, track) });
  return { stage: stage.name, index, deployments, absentDeployments, services, routerWeights: { ...routing.stageWeights[index] } };
}
