import type { KubeObject } from '../model/kube-object';
import type { Transition, TransitionPhase } from '../model';
import { isTrafficRoutingKind } from '../routing/routing-kinds';
import { logicalName } from './logical-name';

/**
 * When, within one `pulumi up`, a rendered object is applied (make-before-break):
 * - `make`: Deployments that are created, scaled up, resumed or get a new image without scaling
 *   down; applied first and awaited until their pods are ready (pulumi-kubernetes' Deployment await);
 * - `switch`: objects that route traffic (Services, Ingresses, Gateway API routes, SMI
 *   TrafficSplits); applied once every `make` Deployment is ready;
 * - `break`: Deployments that scale down, also with a new image (the controller scales down
 *   first, then rolls out; see lib/model/transition.ts); applied once every `switch` object is applied;
 * - `none`: everything else (unchanged Deployments, PodDisruptionBudgets); no ordering.
 *
 * Workloads deleted by the stage are not rendered at all: Pulumi deletes resources that the
 * program no longer registers only after the program has finished, i.e. after every create and
 * update above (https://github.com/pulumi/pulumi/blob/24cf53f6993e0ad158b9fb9c9dece1927c5a3a87/developer-docs/architecture/resource-registration.md,
 * "Once the Pulumi program has exited, the step generator determines which existing resources must
 * be deleted"; https://github.com/pulumi/pulumi/issues/19096).
 */
export type ApplyPhase = 'make' | 'switch' | 'break' | 'none';

/** True when applying `object` moves traffic (its kind is one of `TRAFFIC_ROUTING_KINDS`, lib/routing). */
export function routesTraffic(object: KubeObject): boolean {
  return isTrafficRoutingKind(object.kind);
}

/** A rendered object with its Pulumi name, its phase and the objects it must wait for. */
export interface OrderedObject {
  /** The object exactly as rendered. */
  readonly object: KubeObject;
  /** Its Pulumi name ({@link logicalName}). */
  readonly name: string;
  /** When it is applied. */
  readonly phase: ApplyPhase;
  /** Pulumi names of the objects that must be applied (and awaited) before it. */
  readonly dependsOn: readonly string[];
}

const PHASE_RANK: Record<ApplyPhase, number> = { make: 0, none: 0, switch: 1, break: 2 };

/** The phase of each workload of `transition`, by name. */
export function transitionPhases(transition: Transition): Record<string, TransitionPhase> {
  return Object.fromEntries(transition.workloads.map((w) => [w.name, w.phase]));
}

/**
 * The objects of a stage with the dependencies that make an update make-before-break, given the
 * phase of each workload (by Deployment name; one not listed is `none`): `switch` objects wait
 * for every `make` Deployment, `break` Deployments wait for every `switch` object. Returned in an
 * order where every object comes after the objects it depends on (stable within a phase, so
 * render order is kept).
 */
export function applyOrder(objects: readonly KubeObject[], workloadPhases: Readonly<Record<string, TransitionPhase>>): OrderedObject[] {
  const phaseOf = (object: KubeObject): ApplyPhase => {
    if (object.kind === 'Deployment') {
      return Object.prototype.hasOwnProperty.call(workloadPhases, object.metadata.name) ? workloadPhases[object.metadata.name] : 'none';
    }
    return routesTraffic(object) ? 'switch' : 'none';
  };
  const phased = objects.map((object) => ({ object, name: logicalName(object), phase: phaseOf(object) }));
  const namesIn = (phase: ApplyPhase) => phased.filter((o) => o.phase === phase).map((o) => o.name);
  const made = namesIn('make');
  const switched = namesIn('switch');
  const ordered = phased.map((o): OrderedObject => ({
    ...o,
    dependsOn: o.phase === 'switch' ? made : o.phase === 'break' ? switched : [],
  }));
  return ordered
    .map((o, i) => ({ o, i }))
    .sort((a, b) => PHASE_RANK[a.o.phase] - PHASE_RANK[b.o.phase] || a.i - b.i)
    .map(({ o }) => o);
}
