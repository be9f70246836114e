/**
 * A plan's traffic routing, parsed from its `traffic` section and its stages' `traffic` weights:
 * which router sends requests to the workloads, and how much of them each track gets per stage.
 */
import { ROUTERS, TRAFFIC_DEFAULTS } from '../schema/traffic-schema';
import type { ReleaseService, ServicePort } from './release-service';

/** How requests reach the workloads. */
export type Router = (typeof ROUTERS)[number];

/** The routers, in the order they are documented. */
export { ROUTERS };

/** The routers that send each track an exact weight (every router but `replicas`). */
export type WeightedRouter = Exclude<Router, 'replicas'>;

/** Defaults for keys a `traffic` section leaves out (documented in docs/stack-file.md). */
export { TRAFFIC_DEFAULTS };

/** One track: the workloads of the routed Service that carry the same track label value. */
export interface Track {
  /** The track label's value, e.g. `canary`. */
  readonly name: string;
  /** The workloads in the track, in plan order. */
  readonly workloads: readonly string[];
  /** The per-track Service stepwise renders for it: `<service>-<track>`, the same in every stage. */
  readonly serviceName: string;
}

/** A Gateway API `parentRef`: the Gateway (or listener of it) the HTTPRoute attaches to. */
export interface GatewayParentRef {
  /** Gateway name. */
  readonly name: string;
  /** Gateway namespace; the plan's namespace when unset. */
  readonly namespace?: string;
  /** Listener name on the Gateway. */
  readonly sectionName?: string;
  /** Listener port on the Gateway. */
  readonly port?: number;
}

/** Settings of the `ingress-nginx` router. */
export interface IngressNginxSettings {
  /** Host the Ingresses answer; any host when unset. */
  readonly host?: string;
  /** Path prefix routed. */
  readonly path: string;
  /** `spec.ingressClassName`. */
  readonly ingressClassName: string;
  /** Header that sends a request to the canary when its value is `always` (ingress-nginx `canary-by-header`). */
  readonly canaryByHeader?: string;
}

/** Settings of the `gateway-api` router. */
export interface GatewayApiSettings {
  /** The Gateways the HTTPRoute attaches to. */
  readonly parentRefs: readonly GatewayParentRef[];
  /** Host names the HTTPRoute answers; every host of the Gateway when empty. */
  readonly hostnames: readonly string[];
  /** Path prefix routed. */
  readonly path: string;
  /**
   * Whether `pulumi up` waits, after it changes the HTTPRoute and before anything scales down,
   * until every Gateway of `parentRefs` reports the route `Accepted` at its current generation
   * (`traffic.waitForAccepted`, default true; see lib/pulumi/route-accepted.ts). GitOps output
   * is the same either way.
   */
  readonly waitForAccepted: boolean;
}

/** A plan routed by replicas: every Service spreads requests over its ready pods (no extra objects). */
export interface ReplicaRouting {
  /** Always `replicas`. */
  readonly router: 'replicas';
}

/** A plan routed by an ingress, a Gateway or a mesh with an exact weight per track and stage. */
export interface WeightedRouting {
  /** Which router. */
  readonly router: WeightedRouter;
  /** The plan Service whose traffic is split (the SMI apex Service; its name and port for the others). */
  readonly service: ReleaseService;
  /** The Service port the router sends to. */
  readonly port: ServicePort;
  /** The pod label whose value names a workload's track. */
  readonly trackLabel: string;
  /** The track that gets every percent a stage does not send elsewhere. */
  readonly stableTrack: string;
  /** The tracks, the stable track first, then in plan order of their first workload. */
  readonly tracks: readonly Track[];
  /** Per stage (by index), the percent of requests each track gets; every track is listed and they add up to 100. */
  readonly stageWeights: readonly Readonly<Record<string, number>>[];
  /** `ingress-nginx` settings (only for that router). */
  readonly ingressNginx?: IngressNginxSettings;
  /** `gateway-api` settings (only for that router). */
  readonly gatewayApi?: GatewayApiSettings;
}

/** A plan's parsed `traffic` section. */
export type TrafficRouting = ReplicaRouting | WeightedRouting;

/** True when the plan routes by an exact weight per track (a `traffic.router` other than `replicas`). */
export function isWeighted(routing: TrafficRouting): routing is WeightedRouting {
  return routing.router !== 'replicas';
}
