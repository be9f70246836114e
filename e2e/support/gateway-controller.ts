/**
 * What a Gateway API implementation does that `pulumi up` now waits for: it judges every
 * HTTPRoute and writes, per parent Gateway, an `Accepted` condition with the route generation it
 * judged into `status.parents[]`. The test cluster runs no gateway (no pods run), so this stands in
 * for one, the way ingress-controller.ts stands in for an ingress controller; the routing itself
 * is not simulated. `delayMs` is how long the stand-in takes to act on a new generation (a real
 * controller takes from milliseconds to seconds), so that a test can tell what happened before
 * the route was accepted from what happened after.
 */
import type { KubeApi, KubeObject } from './kube-api';

/** The controller name the stand-in writes into each parent's status. */
export const GATEWAY_CONTROLLER_NAME = 'stepwise.e2e/gateway';

/** One status the stand-in published: the route, the generation it accepted, and when (`performance.now()`). */
export interface RouteAccepted {
  readonly namespace: string;
  readonly name: string;
  readonly generation: number;
  readonly at: number;
}

/** A running stand-in gateway controller. */
export interface GatewayController {
  /** How long it waits before it accepts a new generation of a route; 0 at start. */
  delayMs: number;
  /** Every status it published, in order. */
  readonly accepted: readonly RouteAccepted[];
  /** Errors of its watch or its status updates. */
  readonly errors: readonly Error[];
  /** Stops it. */
  stop(): void;
}

type HttpRoute = KubeObject & {
  metadata: KubeObject['metadata'] & { generation?: number };
  spec?: { parentRefs?: Record<string, unknown>[] };
  status?: { parents?: { conditions?: { type: string; status: string; observedGeneration?: number }[] }[] };
};

/** Starts accepting every HTTPRoute of the cluster, for every parent it names. */
export async function startGatewayController(api: KubeApi): Promise<GatewayController> {
  const collection = '/apis/gateway.networking.k8s.io/v1/httproutes';
  const accepted: RouteAccepted[] = [];
  const errors: Error[] = [];
  const scheduled = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const controller: GatewayController = { delayMs: 0, accepted, errors, stop: () => undefined };

  const isAccepted = (route: HttpRoute) => {
    const parents = route.status?.parents ?? [];
    return (
      parents.length === (route.spec?.parentRefs ?? []).length &&
      parents.every((p) =>
        (p.conditions ?? []).some(
          (c) => c.type === 'Accepted' && c.status === 'True' && c.observedGeneration === route.metadata.generation,
        ),
      )
    );
  };
  const publish = async (route: HttpRoute) => {
    const { name, namespace, generation } = route.metadata;
    const lastTransitionTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const parents = (route.spec?.parentRefs ?? []).map((parentRef) => ({
      parentRef,
      controllerName: GATEWAY_CONTROLLER_NAME,
      conditions: [
        {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: 'accepted by the e2e stand-in',
          observedGeneration: generation,
          lastTransitionTime,
        },
      ],
    }));
    await api.mergePatch(`/apis/gateway.networking.k8s.io/v1/namespaces/${namespace}/httproutes/${name}/status`, { status: { parents } });
    accepted.push({ namespace: namespace ?? '', name, generation: generation ?? 0, at: performance.now() });
  };
  const judge = (route: HttpRoute) => {
    if (isAccepted(route)) return;
    // By UID: a route deleted and created again under its name starts its generations anew.
    const key = `${route.metadata.uid}@${route.metadata.generation}`;
    if (scheduled.has(key)) return;
    scheduled.add(key);
    const timer = setTimeout(() => {
      timers.delete(timer);
      publish(route).catch((e: Error) => errors.push(e));
    }, controller.delayMs);
    timers.add(timer);
  };

  // The API group can be served a moment before each of its CRDs' resources is.
  const deadline = Date.now() + 30_000;
  let response = await api.raw('GET', collection);
  while (response.status === 404 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    response = await api.raw('GET', collection);
  }
  if (response.status !== 200) throw new Error(`GET ${collection}: ${response.status} ${response.body}`);
  const list = JSON.parse(response.body) as { metadata: { resourceVersion: string }; items: HttpRoute[] };
  for (const item of list.items) judge(item);
  const stopWatch = api.watch<HttpRoute>(
    collection,
    list.metadata.resourceVersion,
    (event) => {
      if (event.type === 'ADDED' || event.type === 'MODIFIED') judge(event.object);
    },
    (error) => errors.push(error),
  );
  controller.stop = () => {
    stopWatch();
    for (const timer of timers) clearTimeout(timer);
  };
  return controller;
}
