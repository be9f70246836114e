/**
 * The shape of a plan's `traffic` section (which router sends requests to the workloads) and of
 * a stage's `traffic` weights.
 */
import { z } from 'zod';
import { portNumber } from './common-schemas';
import { documented } from './documented';

/** The routers, in the order they are documented. */
export const ROUTERS = ['replicas', 'gateway-api', 'ingress-nginx', 'smi'] as const;

/** Values a `traffic` section gets for the keys it leaves out. */
export const TRAFFIC_DEFAULTS = {
  router: 'replicas',
  trackLabel: 'track',
  stableTrack: 'stable',
  path: '/',
  ingressClassName: 'nginx',
} as const;

const parentRef = z.strictObject({
  name: documented(z.string().min(1), 'Gateway name.'),
  namespace: documented(z.string().min(1).optional(), "Gateway namespace; the plan's namespace when left out."),
  sectionName: documented(z.string().min(1).optional(), 'Listener name on the Gateway.'),
  port: documented(portNumber.optional(), 'Listener port on the Gateway.'),
});

/** A plan's `traffic` section. Keys under "router" name the router they apply to. */
export const trafficSchema = z.strictObject({
  router: documented(
    z.enum(ROUTERS).optional(),
    'How requests reach the workloads: replicas (a share of ready pods), or an exact weight per track with gateway-api, ingress-nginx or smi.',
    TRAFFIC_DEFAULTS.router,
  ),
  service: documented(z.string().min(1).optional(), "The plan Service whose traffic is split; the plan's only Service when left out."),
  port: documented(
    z.union([z.string().min(1), z.number().int()]).optional(),
    "The Service port routed, by name or number; the Service's first port when left out.",
  ),
  trackLabel: documented(z.string().min(1).optional(), 'The pod label whose value names a workload’s track.', TRAFFIC_DEFAULTS.trackLabel),
  stableTrack: documented(
    z.string().min(1).optional(),
    'The track that gets every percent a stage does not send elsewhere.',
    TRAFFIC_DEFAULTS.stableTrack,
  ),
  host: documented(z.string().min(1).optional(), 'Router ingress-nginx: the host the Ingresses answer; any host when left out.'),
  path: documented(z.string().min(1).optional(), 'Routers ingress-nginx and gateway-api: the path prefix routed.', TRAFFIC_DEFAULTS.path),
  ingressClassName: documented(
    z.string().min(1).optional(),
    'Router ingress-nginx: `spec.ingressClassName`.',
    TRAFFIC_DEFAULTS.ingressClassName,
  ),
  canaryByHeader: documented(
    z.string().min(1).optional(),
    'Router ingress-nginx: a header that sends a request to the canary when its value is `always`.',
  ),
  parentRefs: documented(
    z.array(parentRef).min(1).max(32).optional(),
    'Router gateway-api (required): the Gateways the HTTPRoute attaches to.',
  ),
  hostnames: documented(
    z.array(z.string().min(1)).optional(),
    'Router gateway-api: host names the HTTPRoute answers; every host of the Gateway when left out.',
  ),
  waitForAccepted: documented(
    z.boolean().optional(),
    'Router gateway-api: `pulumi up` waits until every Gateway of `parentRefs` accepted the route at its current generation before anything scales down (docs/pulumi-awaits.md); `false` turns the wait off. GitOps output is the same either way.',
    true,
  ),
});

/** A stage's `traffic`: the percent of requests each track gets; the stable track gets the rest. */
export const stageTrafficSchema = z.record(z.string(), z.number().int().min(0).max(100));

/** A `traffic` section as a stack file writes it. */
export type TrafficData = z.input<typeof trafficSchema>;

/** One Gateway reference of a `traffic` section. */
export const parentRefSchema = parentRef;

/** The keys of a `traffic` section. */
export const TRAFFIC_KEYS: readonly string[] = Object.keys(trafficSchema.shape);
