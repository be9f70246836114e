/**
 * The kinds that decide where requests go. One list, because three places must agree on it: the
 * render order (`renderStage` puts them after the Deployments and PodDisruptionBudgets), the
 * Pulumi apply order (they are applied in the `switch` phase, once every new pod is ready) and
 * the Argo CD sync waves (they sync in the `route` wave). A router object of a kind missing here
 * does not type-check (`RoutingObject.kind` is a {@link TrafficRoutingKind}).
 */

/**
 * Every kind whose change moves traffic between workloads, in render order. Matched by kind
 * alone: the Gateway API, SMI and Ingress kinds do not clash with anything stepwise renders. The
 * Gateway API routes stepwise does not render itself (GRPCRoute, TLSRoute, TCPRoute, UDPRoute)
 * are listed so objects passed in beside a stage are still applied in the right phase.
 */
export const TRAFFIC_ROUTING_KINDS = [
  'Service',
  'Ingress',
  'HTTPRoute',
  'GRPCRoute',
  'TLSRoute',
  'TCPRoute',
  'UDPRoute',
  'TrafficSplit',
] as const;

/** One of {@link TRAFFIC_ROUTING_KINDS}. */
export type TrafficRoutingKind = (typeof TRAFFIC_ROUTING_KINDS)[number];

/** True when an object of `kind` decides where requests go (see {@link TRAFFIC_ROUTING_KINDS}). */
export function isTrafficRoutingKind(kind: string): kind is TrafficRoutingKind {
  return (TRAFFIC_ROUTING_KINDS as readonly string[]).includes(kind);
}
