/**
 * Reads what `stepwise status` needs from the cluster, through `@kubernetes/client-node`: the
 * namespace, its Deployments, ReplicaSets, pods, Services and EndpointSlices, and the router's
 * objects by name. Only reads (list and get). Every way the cluster can fail to answer is a
 * distinct {@link ClusterReadProblem}, never an exception, so the command can name the server
 * and the context and exit 3 without a stack trace.
 */
import type { KubeTarget } from './kube-context';
import {
  liveDeploymentOf,
  liveEndpointsOf,
  livePodOf,
  liveReplicaSetOf,
  liveServiceOf,
  type DeploymentJson,
  type EndpointSliceJson,
  type LiveCluster,
  type LiveDeployment,
  type LiveRouterObject,
  type OwnedObjectJson,
  type RouterObjectJson,
  type ServiceJson,
} from './live-cluster';

/** Why the cluster could not be read. */
export interface ClusterReadProblem {
  /**
   * `unreachable`: no connection (refused, unknown host, TLS, an auth plugin that failed);
   * `timeout`: no complete answer in time; `refused`: the API server answered 401 or 403;
   * `server-error`: any other error status.
   */
  readonly kind: 'unreachable' | 'timeout' | 'refused' | 'server-error';
  /** What was being read and what went wrong. */
  readonly message: string;
}

/** A router object to read, by the kind and name the stage renders. */
export interface RouterObjectRef {
  /** e.g. `gateway.networking.k8s.io/v1`. */
  readonly apiVersion: string;
  /** e.g. `HTTPRoute`. */
  readonly kind: string;
  /** Its name. */
  readonly name: string;
}

/** True when `value` is a {@link ClusterReadProblem} (what was read has no `message`). */
export function isReadProblem(value: unknown): value is ClusterReadProblem {
  return typeof value === 'object' && value !== null && 'kind' in value && 'message' in value;
}

/**
 * Reads `namespace` and the router objects `routerRefs` from the cluster of `target`, all within
 * `timeoutSeconds`. The requests run at once; the first problem is returned.
 */
export async function readCluster(
  target: KubeTarget,
  namespace: string,
  routerRefs: readonly RouterObjectRef[],
  timeoutSeconds: number,
): Promise<LiveCluster | ClusterReadProblem> {
  const { client, config } = target;
  const signal = AbortSignal.timeout(timeoutSeconds * 1000);
  // Every request carries the deadline, and says who is asking (audit logs show the user agent).
  const userAgent = client.setHeaderMiddleware('User-Agent', 'stepwise-status');
  const options = {
    middleware: [
      {
        pre: (request: Parameters<typeof userAgent.pre>[0]) => {
          request.setSignal(signal);
          return userAgent.pre(request);
        },
        post: userAgent.post,
      },
    ],
    middlewareMergeStrategy: 'append' as const,
  };
  const apps = config.makeApiClient(client.AppsV1Api);
  const core = config.makeApiClient(client.CoreV1Api);
  const discovery = config.makeApiClient(client.DiscoveryV1Api);
  const custom = config.makeApiClient(client.CustomObjectsApi);

  type Read<T> = Promise<T | ClusterReadProblem>;
  const read = <T>(what: string, call: () => Promise<T>): Read<T> =>
    call().then(
      (value) => value,
      (error: unknown) => readProblem(error, what, timeoutSeconds),
    );
  const inNamespace = `in namespace ${namespace}`;

  const [namespaceExists, deployments, replicaSets, pods, services, slices, ...routerObjects] = await Promise.all([
    core.readNamespace({ name: namespace }, options).then(
      () => true as boolean | undefined,
      (error: unknown) => {
        const code = statusCode(error);
        if (code === 404) return false;
        if (code === 403) return undefined; // may not read namespaces: the lists still tell
        return readProblem(error, `namespace ${namespace}`, timeoutSeconds);
      },
    ),
    read(`Deployments ${inNamespace}`, () => apps.listNamespacedDeployment({ namespace }, options)),
    read(`ReplicaSets ${inNamespace}`, () => apps.listNamespacedReplicaSet({ namespace }, options)),
    read(`pods ${inNamespace}`, () => core.listNamespacedPod({ namespace }, options)),
    read(`Services ${inNamespace}`, () => core.listNamespacedService({ namespace }, options)),
    read(`EndpointSlices ${inNamespace}`, () => discovery.listNamespacedEndpointSlice({ namespace }, options)),
    ...routerRefs.map((ref) =>
      readRouterObject(
        ref,
        namespace,
        (group, version, plural) => custom.getNamespacedCustomObject({ group, version, namespace, plural, name: ref.name }, options),
        timeoutSeconds,
      ),
    ),
  ]);
  for (const value of [namespaceExists, deployments, replicaSets, pods, services, slices, ...routerObjects]) {
    if (isReadProblem(value)) return value;
  }
  const items = <T>(list: unknown): T[] => (list as { items: T[] }).items;
  return {
    namespace,
    namespaceExists: namespaceExists as boolean | undefined,
    deployments: items<DeploymentJson>(deployments)
      .map(liveDeploymentOf)
      .filter((d): d is LiveDeployment => d !== undefined),
    replicaSets: items<OwnedObjectJson>(replicaSets).map(liveReplicaSetOf),
    pods: items<OwnedObjectJson>(pods).map(livePodOf),
    services: items<ServiceJson>(services).map(liveServiceOf),
    endpoints: liveEndpointsOf(items<EndpointSliceJson>(slices)),
    routerObjects: routerObjects as LiveRouterObject[],
  };
}

/**
 * One router object. A 404 is told apart by its body: a `Status` NotFound is a missing object; any
 * other (`404 page not found`) means the cluster does not serve the kind (its CRD is not installed).
 */
async function readRouterObject(
  ref: RouterObjectRef,
  namespace: string,
  get: (group: string, version: string, plural: string) => Promise<unknown>,
  timeoutSeconds: number,
): Promise<LiveRouterObject | ClusterReadProblem> {
  const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/') : ['', ref.apiVersion];
  try {
    const object = (await get(group, version, pluralOf(ref.kind))) as RouterObjectJson;
    return { kind: ref.kind, name: ref.name, found: 'present', object };
  } catch (error) {
    if (statusCode(error) !== 404) return readProblem(error, `${ref.kind} ${ref.name} in namespace ${namespace}`, timeoutSeconds);
    const body = errorBody(error);
    if (body?.kind === 'Status' && body.reason === 'NotFound') return { kind: ref.kind, name: ref.name, found: 'missing' };
    return { kind: ref.kind, name: ref.name, found: 'not-served', apiVersion: ref.apiVersion };
  }
}

/** The resource name of a kind, as the API server derives it (`Ingress` → `ingresses`, `HTTPRoute` → `httproutes`). */
function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** The HTTP status of a client error (`ApiException.code`), or undefined when there was no answer. */
function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The JSON body of an API error (`ApiException.body`, a string or already parsed), or undefined. */
function errorBody(error: unknown): { kind?: string; reason?: string; message?: string } | undefined {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === 'object' && body !== null) return body as { kind?: string };
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as { kind?: string }) : undefined;
  } catch {
    return undefined;
  }
}

/** The problem a failed read of `what` is. */
function readProblem(error: unknown, what: string, timeoutSeconds: number): ClusterReadProblem {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'AbortError' || name === 'TimeoutError') {
    return { kind: 'timeout', message: `reading ${what}: no answer within ${timeoutSeconds} s` };
  }
  const code = statusCode(error);
  if (code !== undefined) {
    const body = errorBody(error);
    const detail =
      body?.message ?? (typeof (error as { body?: unknown }).body === 'string' ? String((error as { body: string }).body).trim() : '');
    const text = `reading ${what}: HTTP ${code}${detail ? `: ${detail}` : ''}`;
    return { kind: code === 401 || code === 403 ? 'refused' : 'server-error', message: text };
  }
  const message = error instanceof Error ? error.message : String(error);
  // node-fetch says `request to <url> failed, reason: connect ECONNREFUSED ...`: the reason is what a user needs.
  const reason = /reason: (.*)$/s.exec(message)?.[1] ?? message;
  return { kind: 'unreachable', message: `reading ${what}: ${reason.trim()}` };
}
