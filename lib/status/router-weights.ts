/**
 * The weight each track gets from a weighted router as the cluster has it, read back from the
 * objects stepwise renders for it (see lib/routing/routing-objects.ts): the canary Ingress's
 * `canary-weight` annotation (`ingress-nginx`), the HTTPRoute's `backendRefs` (`gateway-api`) or
 * the TrafficSplit's `backends` (`smi`). Pure.
 */
import { isPlainObject } from '../model/plain-data';
import type { Plan } from '../model/plan';
import { NGINX_CANARY_ANNOTATIONS, routerObjects, type WeightedRouting } from '../routing';
import type { LiveRouterObject } from './live-cluster';

/** The live weights, or why they cannot be read, and the object that carries them. */
export type LiveRouterWeights = { readonly kind: string; readonly name: string } &
  /** The router's weight per track, as written in its object (HTTPRoute and TrafficSplit weights are relative). */
  (
    | { readonly weights: Readonly<Record<string, number>> }
    /** The object is missing, not served, or does not name the track Services. */
    | { readonly unknown: string }
  );

/** The weights `routing`'s router sends each track with, read from `objects`. */
export function liveRouterWeights(plan: Plan, routing: WeightedRouting, objects: readonly LiveRouterObject[]): LiveRouterWeights {
  const source = routerWeightSource(plan, routing);
  return { ...source, ...readWeights(routing, source, objects) };
}

/**
 * The object that carries the weights, as stepwise renders it (its name is the same in every
 * stage): the canary Ingress for ingress-nginx, the router's one object otherwise.
 */
export function routerWeightSource(plan: Plan, routing: WeightedRouting): { kind: string; name: string } {
  const objects = routerObjects(plan, routing, 0, {});
  const source =
    routing.router === 'ingress-nginx'
      ? objects.find((o) => o.metadata.annotations?.[NGINX_CANARY_ANNOTATIONS.weight] !== undefined)
      : objects[0];
  if (!source) throw new Error(`the ${routing.router} router renders no object carrying the weights`);
  return { kind: source.kind, name: source.metadata.name };
}

function readWeights(
  routing: WeightedRouting,
  { kind, name }: { kind: string; name: string },
  objects: readonly LiveRouterObject[],
): { weights: Record<string, number> } | { unknown: string } {
  const [stable, canary] = routing.tracks;
  const live = objects.find((o) => o.kind === kind && o.name === name);
  if (!live || live.found === 'missing') return { unknown: `${kind} ${name} is missing` };
  if (live.found === 'not-served') return { unknown: `the cluster does not serve ${live.apiVersion} ${kind}` };

  if (routing.router === 'ingress-nginx') {
    const value = live.object.metadata?.annotations?.[NGINX_CANARY_ANNOTATIONS.weight];
    const weight = value === undefined ? 0 : Number(value);
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      return { unknown: `Ingress ${name}: annotation ${NGINX_CANARY_ANNOTATIONS.weight} is '${value}', not a percent` };
    }
    return { weights: { [stable.name]: 100 - weight, [canary.name]: weight } };
  }
  const backends = backendsOf(routing.router, live.object.spec);
  const weights: Record<string, number> = {};
  for (const track of routing.tracks) {
    const found = backends.filter((b) => b.service === track.serviceName);
    if (found.length === 0) return { unknown: `${kind} ${name} sends nothing to Service ${track.serviceName} (track ${track.name})` };
    weights[track.name] = found.reduce((sum, b) => sum + b.weight, 0);
  }
  return { weights };
}

/** Each track's part of the requests (0–1): its weight over the sum of the weights (0 for all when they add up to 0). */
export function weightShares(weights: Readonly<Record<string, number>>): Record<string, number> {
  const total = Object.values(weights).reduce((sum, w) => sum + w, 0);
  return Object.fromEntries(Object.entries(weights).map(([track, w]) => [track, total > 0 ? w / total : 0]));
}

/** The backends of an HTTPRoute's rules or a TrafficSplit, as Service name and weight. */
function backendsOf(router: 'gateway-api' | 'smi', spec: unknown): { service: string; weight: number }[] {
  if (!isPlainObject(spec)) return [];
  const refs =
    router === 'gateway-api'
      ? (Array.isArray(spec.rules) ? spec.rules : []).flatMap((rule: unknown) =>
          isPlainObject(rule) && Array.isArray(rule.backendRefs) ? rule.backendRefs : [],
        )
      : Array.isArray(spec.backends)
        ? spec.backends
        : [];
  return refs.filter(isPlainObject).map((ref) => ({
    service: String(router === 'gateway-api' ? ref.name : ref.service),
    // A Gateway API backendRef without weight has weight 1; an SMI backend always has one.
    weight: typeof ref.weight === 'number' ? ref.weight : router === 'gateway-api' ? 1 : 0,
  }));
}
