/**
 * What `stepwise status` reads from a live cluster, as plain typed values: the Deployments,
 * ReplicaSets, pods, Services and EndpointSlices of the plan's namespace, and the router's
 * objects. Read once at the edge (cluster-reader.ts) and passed down, so everything that judges
 * the cluster is a pure function of a {@link LiveCluster} and tests need no cluster.
 *
 * The `*Of` functions take the objects in the shape the Kubernetes API returns them (the JSON, or
 * the client library's classes, which use the same field names) and keep what status needs.
 */
import type { Labels, WorkloadSelector } from '../model/labels';

/** A Deployment as it is in the cluster: its spec (what the plan sets) and its status. */
export interface LiveDeployment {
  /** Deployment name. */
  readonly name: string;
  /** Its own labels (how stepwise tells the objects it renders). */
  readonly labels: Labels;
  /** `spec.replicas` (1 when unset, as the API server defaults it). */
  readonly replicas: number;
  /** `spec.paused`. */
  readonly paused: boolean;
  /** The pod template's containers and their images, in template order. */
  readonly containers: readonly { readonly name: string; readonly image: string }[];
  /**
   * `spec.template` as the API server stored it (defaults filled in), compared with the rendered
   * one (pod-template-match.ts); undefined when it was not read.
   */
  readonly template?: unknown;
  /** `spec.selector`. */
  readonly selector: WorkloadSelector;
  /** `metadata.generation` against `status.observedGeneration`: the controller has not acted on the spec yet while lower. */
  readonly generation: number;
  /** `status.observedGeneration` (0 before the controller first saw it). */
  readonly observedGeneration: number;
  /** `status.replicas`: pods of every ReplicaSet that are not terminating. */
  readonly currentReplicas: number;
  /** `status.updatedReplicas`: pods with the current template. */
  readonly updatedReplicas: number;
  /** `status.readyReplicas`. */
  readonly readyReplicas: number;
  /** `status.availableReplicas`: ready for at least `minReadySeconds`. */
  readonly availableReplicas: number;
  /** When the `Progressing` condition is False (e.g. the progress deadline passed): its reason and message. */
  readonly stalled?: string;
}

/** A Service as it is in the cluster. */
export interface LiveService {
  /** Service name. */
  readonly name: string;
  /** Its own labels. */
  readonly labels: Labels;
  /** `spec.selector` (empty when it has none). */
  readonly selector: Labels;
}

/** One endpoint of a Service, from its EndpointSlices. */
export interface LiveEndpoint {
  /** The pod behind it (`targetRef` of kind Pod), when the slice names one. */
  readonly pod?: string;
  /** Its first address. */
  readonly address: string;
  /** `conditions.ready` (unset counts as ready, as the API documents). */
  readonly ready: boolean;
}

/** The endpoints of one Service: every EndpointSlice labelled `kubernetes.io/service-name` with its name. */
export interface LiveServiceEndpoints {
  /** The Service's name. */
  readonly service: string;
  /** Its endpoints, one per pod (a dual-stack pod appears in two slices and counts once). */
  readonly endpoints: readonly LiveEndpoint[];
}

/** The owner that controls an object (`ownerReferences` with `controller: true`). */
export interface Controller {
  /** e.g. `ReplicaSet`, `Deployment`. */
  readonly kind: string;
  /** Its name. */
  readonly name: string;
}

/** A pod: its labels and the ReplicaSet that owns it. */
export interface LivePod {
  /** Pod name. */
  readonly name: string;
  /** Its labels. */
  readonly labels: Labels;
  /** Its controlling owner, if any. */
  readonly controller?: Controller;
}

/** A ReplicaSet: which Deployment owns it. */
export interface LiveReplicaSet {
  /** ReplicaSet name. */
  readonly name: string;
  /** Its controlling owner, if any. */
  readonly controller?: Controller;
}

/** One router object (Ingress, HTTPRoute, TrafficSplit) the plan renders, as the cluster has it. */
export type LiveRouterObject =
  | { readonly kind: string; readonly name: string; readonly found: 'present'; readonly object: RouterObjectJson }
  | { readonly kind: string; readonly name: string; readonly found: 'missing' }
  /** The cluster does not serve the kind at all (its CRD is not installed). */
  | { readonly kind: string; readonly name: string; readonly found: 'not-served'; readonly apiVersion: string };

/** The parts of a router object the weights are read from. */
export interface RouterObjectJson {
  /** `metadata.annotations` (the ingress-nginx canary weight). */
  readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> };
  /** `spec` (HTTPRoute backendRefs, TrafficSplit backends). */
  readonly spec?: unknown;
}

/** Everything `stepwise status` knows about the plan's namespace. */
export interface LiveCluster {
  /** The namespace read. */
  readonly namespace: string;
  /** False when the namespace does not exist; undefined when it could not be told (no permission to read namespaces). */
  readonly namespaceExists: boolean | undefined;
  /** Every Deployment of the namespace that is not being deleted, by name. */
  readonly deployments: readonly LiveDeployment[];
  /** Every ReplicaSet of the namespace. */
  readonly replicaSets: readonly LiveReplicaSet[];
  /** Every pod of the namespace. */
  readonly pods: readonly LivePod[];
  /** Every Service of the namespace. */
  readonly services: readonly LiveService[];
  /** The endpoints of every Service that has EndpointSlices. */
  readonly endpoints: readonly LiveServiceEndpoints[];
  /** The router objects of a weighted plan (none for `replicas`). */
  readonly routerObjects: readonly LiveRouterObject[];
}

/** The fields of object metadata read here. */
export interface MetadataJson {
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>> | null;
  readonly generation?: number;
  readonly deletionTimestamp?: unknown;
  readonly ownerReferences?: readonly { readonly kind?: string; readonly name?: string; readonly controller?: boolean }[] | null;
}

/** A Deployment as the API returns it (the fields read here). */
export interface DeploymentJson {
  readonly metadata?: MetadataJson;
  readonly spec?: {
    readonly replicas?: number;
    readonly paused?: boolean;
    readonly selector?: {
      readonly matchLabels?: Readonly<Record<string, string>> | null;
      readonly matchExpressions?:
        readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] | null }[] | null;
    };
    readonly template?: {
      readonly metadata?: unknown;
      readonly spec?: { readonly containers?: readonly { readonly name?: string; readonly image?: string }[] };
    };
  };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly updatedReplicas?: number;
    readonly readyReplicas?: number;
    readonly availableReplicas?: number;
    readonly conditions?:
      readonly { readonly type?: string; readonly status?: string; readonly reason?: string; readonly message?: string }[] | null;
  };
}

/** A Service as the API returns it (the fields read here). */
export interface ServiceJson {
  readonly metadata?: MetadataJson;
  readonly spec?: { readonly selector?: Readonly<Record<string, string>> | null };
}

/** An EndpointSlice as the API returns it (the fields read here). */
export interface EndpointSliceJson {
  readonly metadata?: MetadataJson;
  readonly endpoints?:
    | readonly {
        readonly addresses?: readonly string[];
        readonly conditions?: { readonly ready?: boolean | null };
        readonly targetRef?: { readonly kind?: string; readonly name?: string };
      }[]
    | null;
}

/** A pod or ReplicaSet as the API returns it (only its metadata is read). */
export interface OwnedObjectJson {
  readonly metadata?: MetadataJson;
}

/** The label EndpointSlices carry to name their Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** A Deployment from the API, or undefined while it is being deleted. */
export function liveDeploymentOf(json: DeploymentJson): LiveDeployment | undefined {
  if (json.metadata?.deletionTimestamp) return undefined;
  const status = json.status ?? {};
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  const stalled = progressing?.status === 'False' ? [progressing.reason, progressing.message].filter(Boolean).join(': ') : undefined;
  const selector = json.spec?.selector ?? {};
  return {
    name: json.metadata?.name ?? '',
    labels: { ...(json.metadata?.labels ?? {}) },
    replicas: json.spec?.replicas ?? 1,
    paused: json.spec?.paused === true,
    containers: (json.spec?.template?.spec?.containers ?? []).map((c) => ({ name: c.name ?? '', image: c.image ?? '' })),
    ...(json.spec?.template !== undefined ? { template: json.spec.template } : {}),
    selector: {
      matchLabels: { ...(selector.matchLabels ?? {}) },
      matchExpressions: (selector.matchExpressions ?? []).map((e) => ({
        key: e.key,
        operator: e.operator as WorkloadSelector['matchExpressions'][number]['operator'],
        values: [...(e.values ?? [])],
      })),
    },
    generation: json.metadata?.generation ?? 0,
    observedGeneration: status.observedGeneration ?? 0,
    currentReplicas: status.replicas ?? 0,
    updatedReplicas: status.updatedReplicas ?? 0,
    readyReplicas: status.readyReplicas ?? 0,
    availableReplicas: status.availableReplicas ?? 0,
    ...(stalled !== undefined ? { stalled: stalled || 'Progressing is False' } : {}),
  };
}

/** A Service from the API. */
export function liveServiceOf(json: ServiceJson): LiveService {
  return { name: json.metadata?.name ?? '', labels: { ...(json.metadata?.labels ?? {}) }, selector: { ...(json.spec?.selector ?? {}) } };
}

/** A pod from the API. */
export function livePodOf(json: OwnedObjectJson): LivePod {
  const controller = controllerOf(json.metadata);
  return { name: json.metadata?.name ?? '', labels: { ...(json.metadata?.labels ?? {}) }, ...(controller ? { controller } : {}) };
}

/** A ReplicaSet from the API. */
export function liveReplicaSetOf(json: OwnedObjectJson): LiveReplicaSet {
  const controller = controllerOf(json.metadata);
  return { name: json.metadata?.name ?? '', ...(controller ? { controller } : {}) };
}

/**
 * The endpoints of each Service from the namespace's EndpointSlices, Services by name. An
 * endpoint is identified by its pod (else its address), so a pod listed in an IPv4 and an IPv6
 * slice counts once; it is ready if any of its listings is. Slices without the Service label
 * (made by hand for a Service without selector) are skipped.
 */
export function liveEndpointsOf(slices: readonly EndpointSliceJson[]): LiveServiceEndpoints[] {
  const byService = new Map<string, Map<string, LiveEndpoint>>();
  for (const slice of slices) {
    const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!service) continue;
    const endpoints = byService.get(service) ?? new Map<string, LiveEndpoint>();
    byService.set(service, endpoints);
    for (const endpoint of slice.endpoints ?? []) {
      const address = endpoint.addresses?.[0] ?? '';
      const pod = endpoint.targetRef?.kind === 'Pod' ? endpoint.targetRef.name : undefined;
      const key = pod !== undefined ? `pod/${pod}` : `address/${address}`;
      // `ready` unset means ready (EndpointConditions: "a nil value should be interpreted as true").
      const ready = endpoint.conditions?.ready !== false;
      const seen = endpoints.get(key);
      endpoints.set(key, {
        ...(pod !== undefined ? { pod } : {}),
        address: seen?.address ?? address,
        ready: ready || seen?.ready === true,
      });
    }
  }
  return [...byService.keys()].sort().map((service) => ({
    service,
    endpoints: [...(byService.get(service) as Map<string, LiveEndpoint>).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, e]) => e),
  }));
}

function controllerOf(metadata: MetadataJson | undefined): Controller | undefined {
  const owner = metadata?.ownerReferences?.find((o) => o.controller === true);
  return owner?.kind && owner.name ? { kind: owner.kind, name: owner.name } : undefined;
}
