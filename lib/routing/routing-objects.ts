/**
 * The Kubernetes objects a weighted router needs in one stage, as plain JSON: the per-track
 * Services, and the router's own objects (two Ingresses, an HTTPRoute or a TrafficSplit). Pure
 * functions; the `TrafficRouting` construct adds them to a chart.
 */
import { StepwiseError } from '../model/errors';
import { sortedLabels, type Labels } from '../model/labels';
import type { Plan, ReleaseService } from '../model/plan';
import { runningWorkloads, serviceInStage, type ServiceInStage } from '../model/stage-state';
import type { TrafficRoutingKind } from './routing-kinds';
import type { Track, WeightedRouting } from '../model/traffic-routing';

/** ingress-nginx annotations of the canary Ingress (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary). */
export const NGINX_CANARY_ANNOTATIONS = {
  canary: 'nginx.ingress.kubernetes.io/canary',
  weight: 'nginx.ingress.kubernetes.io/canary-weight',
  byHeader: 'nginx.ingress.kubernetes.io/canary-by-header',
} as const;

/** A router object as plain JSON, the shape `renderStage` returns. */
export interface RoutingObject {
  /** e.g. `gateway.networking.k8s.io/v1`. */
  readonly apiVersion: string;
  /** e.g. `HTTPRoute`; a kind the sync waves and the apply order know (see `TRAFFIC_ROUTING_KINDS`). */
  readonly kind: TrafficRoutingKind;
  /** Name, namespace, labels and (for the canary Ingress) annotations. */
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  /** The object's spec. */
  readonly spec: Record<string, unknown>;
}

/** The selector of a track's Service: the routed Service's own selector plus the track label. */
export function trackSelector(routing: Pick<RouterSettings, 'service' | 'trackLabel'>, track: Pick<Track, 'name'>): Labels {
  return sortedLabels({ ...routing.service.selector, [routing.trackLabel]: track.name });
}

/**
 * What the router objects of one stage are built from: a parsed `traffic` section
 * (`WeightedRouting`) has it all; a cdk8s app or Pulumi program states it by hand.
 */
export interface RouterSettings {
  /** Which router. */
  readonly router: WeightedRouting['router'];
  /** The Service whose traffic is split (the SMI apex Service; its name, selector and ports for the others). */
  readonly service: ReleaseService;
  /** The Service port the router sends to. */
  readonly port: { readonly port: number };
  /** The pod label whose value names a workload's track. */
  readonly trackLabel: string;
  /** The tracks, the stable one first: each one's name (the track label's value) and the per-track Service stepwise renders for it. */
  readonly tracks: readonly Pick<Track, 'name' | 'serviceName'>[];
  /** `ingress-nginx` settings (only for that router). */
  readonly ingressNginx?: WeightedRouting['ingressNginx'];
  /** `gateway-api` settings (only for that router). */
  readonly gatewayApi?: WeightedRouting['gatewayApi'];
}

/**
 * The per-track Service of `track` as the plan declares its own: ClusterIP (a NodePort would
 * clash with the routed Service's), the routed Service's ports without node ports, and the
 * track's selector. Its name and spec are the same in every stage.
 */
export function trackServiceSpec(
  routing: Pick<RouterSettings, 'service' | 'trackLabel'>,
  track: Pick<Track, 'name' | 'serviceName'>,
): ReleaseService {
  return {
    name: track.serviceName,
    type: 'ClusterIP',
    selector: trackSelector(routing, track),
    ports: routing.service.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol })),
  };
}

/**
 * The per-track Service of `track` in the stage at `stageIndex` ({@link trackServiceSpec}), with
 * its endpoints there, so it is counted like the plan's own Services.
 */
export function trackService(plan: Plan, routing: WeightedRouting, track: Track, stageIndex: number): ServiceInStage {
  const service = trackServiceSpec(routing, track);
  return serviceInStage(service, service.selector, runningWorkloads(plan, stageIndex));
}

/**
 * The router's objects for the stage at `stageIndex`, with `labels` on each: for
 * `ingress-nginx` a main Ingress to the stable track's Service and a canary Ingress beside it;
 * for `gateway-api` one HTTPRoute; for `smi` one TrafficSplit. Names never change between stages.
 */
export function routerObjects(plan: Plan, routing: WeightedRouting, stageIndex: number, labels: Labels): RoutingObject[] {
  return stageRouterObjects(routing, routing.stageWeights[stageIndex], plan.namespace, labels);
}

/**
 * The router's objects ({@link routerObjects}) sending `weights` (percent per track name) of the
 * requests to each track, in `namespace` (none: the namespace they are applied to).
 */
export function stageRouterObjects(
  routing: RouterSettings,
  weights: Readonly<Record<string, number>>,
  namespace: string | undefined,
  labels: Labels,
): RoutingObject[] {
  const metadata = (name: string) => ({ name, ...(namespace === undefined ? {} : { namespace }), labels: sortedLabels(labels) });
  switch (routing.router) {
    case 'ingress-nginx':
      return ingressObjects(routing, weights, metadata);
    case 'gateway-api':
      return [httpRoute(routing, weights, metadata)];
    case 'smi':
      return [trafficSplit(routing, weights, metadata)];
  }
}

type Metadata = (name: string) => RoutingObject['metadata'];

function ingressObjects(routing: RouterSettings, weights: Readonly<Record<string, number>>, metadata: Metadata): RoutingObject[] {
  const settings = routing.ingressNginx;
  if (!settings)
    throw missingSettings(
      'ingress-nginx',
      'take the routing parsePlan reads (plan.traffic), which has them filled in (ingressClassName, path, host)',
    );
  const [stable, canary] = routing.tracks;
  const spec = (track: RouterSettings['tracks'][number]) => ({
    ingressClassName: settings.ingressClassName,
    rules: [
      {
        ...(settings.host ? { host: settings.host } : {}),
        http: {
          paths: [
            {
              path: settings.path,
              pathType: 'Prefix',
              backend: { service: { name: track.serviceName, port: { number: routing.port.port } } },
            },
          ],
        },
      },
    ],
  });
  const annotations: Record<string, string> = {
    [NGINX_CANARY_ANNOTATIONS.canary]: 'true',
    [NGINX_CANARY_ANNOTATIONS.weight]: String(weights[canary.name]),
  };
  if (settings.canaryByHeader) annotations[NGINX_CANARY_ANNOTATIONS.byHeader] = settings.canaryByHeader;
  return [
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: metadata(routing.service.name), spec: spec(stable) },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { ...metadata(`${routing.service.name}-${canary.name}`), annotations: sortedLabels(annotations) },
      spec: spec(canary),
    },
  ];
}

function httpRoute(routing: RouterSettings, weights: Readonly<Record<string, number>>, metadata: Metadata): RoutingObject {
  const settings = routing.gatewayApi;
  if (!settings)
    throw missingSettings(
      'gateway-api',
      'take the routing parsePlan reads (plan.traffic), which has them filled in (parentRefs, hostnames, path)',
    );
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: metadata(routing.service.name),
    spec: {
      parentRefs: settings.parentRefs.map((ref) => ({ ...ref })),
      ...(settings.hostnames.length > 0 ? { hostnames: [...settings.hostnames] } : {}),
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: settings.path } }],
          backendRefs: routing.tracks.map((track) => ({ name: track.serviceName, port: routing.port.port, weight: weights[track.name] })),
        },
      ],
    },
  };
}

function trafficSplit(routing: RouterSettings, weights: Readonly<Record<string, number>>, metadata: Metadata): RoutingObject {
  return {
    apiVersion: 'split.smi-spec.io/v1alpha2',
    kind: 'TrafficSplit',
    metadata: metadata(routing.service.name),
    spec: {
      service: routing.service.name,
      backends: routing.tracks.map((track) => ({ service: track.serviceName, weight: weights[track.name] })),
    },
  };
}

/**
 * `WeightedRouting` built by hand without its router's settings: `parsePlan` always sets them
 * (or reports the section), so only a caller that skips it gets here.
 */
function missingSettings(router: string, fix: string): StepwiseError {
  return new StepwiseError({ keyPath: 'traffic', problem: `router ${router} is given without its settings`, fix });
}
