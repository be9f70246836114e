/**
 * Watches a namespace while a stage is applied and keeps what happened, in order: every
 * Deployment and Service change, and the ready endpoints of every Service after each
 * EndpointSlice event. The suite then asserts what the plan promised — ready endpoints never
 * below the plan's numbers, the selector switch only after the new side is ready, scale-downs
 * and deletes only after the switch, and no object replaced.
 */
import type { KubeApi, KubeObject, WatchEvent } from './kube-api';

/** One thing that happened, with the time it was seen. */
export type Observation =
  | { readonly at: number; readonly kind: 'endpoints'; readonly service: string; readonly ready: number }
  | {
      readonly at: number;
      readonly kind: 'deployment';
      readonly type: WatchEvent['type'];
      readonly name: string;
      readonly uid: string;
      readonly replicas: number;
      readonly readyReplicas: number;
      readonly updatedReplicas: number;
      readonly images: readonly string[];
    }
  | {
      readonly at: number;
      readonly kind: 'service';
      readonly type: WatchEvent['type'];
      readonly name: string;
      readonly uid: string;
      readonly selector: string;
    };

interface EndpointSlice extends KubeObject {
  readonly endpoints?: { readonly conditions?: { readonly ready?: boolean } }[];
}

/** A running observation of one namespace. */
export class TransitionObserver {
  readonly observations: Observation[] = [];
  readonly errors: Error[] = [];
  private readonly slices = new Map<string, { service: string; ready: number }>();
  private readonly stops: (() => void)[] = [];

  private constructor(
    private readonly api: KubeApi,
    readonly namespace: string,
  ) {}

  /** Starts watching `namespace` from its current state. */
  static async start(api: KubeApi, namespace: string): Promise<TransitionObserver> {
    const observer = new TransitionObserver(api, namespace);
    await observer.watch(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, (e) =>
      observer.onSlice(e as WatchEvent<EndpointSlice>),
    );
    await observer.watch(`/apis/apps/v1/namespaces/${namespace}/deployments`, (e) => observer.onDeployment(e));
    await observer.watch(`/api/v1/namespaces/${namespace}/services`, (e) => observer.onService(e));
    return observer;
  }

  /** Stops every watch. */
  stop(): void {
    for (const stop of this.stops) stop();
  }

  /** The ready endpoints of `service` now. */
  readyEndpoints(service: string): number {
    let ready = 0;
    for (const slice of this.slices.values()) if (slice.service === service) ready += slice.ready;
    return ready;
  }

  /**
   * Resolves with `service`'s ready endpoints once they are `expected`, or with what they are
   * after `timeoutMs` (EndpointSlices follow pod changes a moment after the Deployment's status).
   */
  async settledReadyEndpoints(service: string, expected: number, timeoutMs = 30_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (this.readyEndpoints(service) !== expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return this.readyEndpoints(service);
  }

  /** The fewest ready endpoints `service` had from `since` on (including the count at `since`). */
  minReadyEndpoints(service: string, since: number, initial: number): number {
    let min = initial;
    for (const o of this.observations) if (o.kind === 'endpoints' && o.service === service && o.at >= since) min = Math.min(min, o.ready);
    return min;
  }

  /** Observations from `since` on. */
  since(since: number): Observation[] {
    return this.observations.filter((o) => o.at >= since);
  }

  private async watch(collection: string, onEvent: (event: WatchEvent) => void): Promise<void> {
    const list = (await this.api.get(collection)) as { metadata: { resourceVersion: string }; items: KubeObject[] };
    for (const item of list.items) onEvent({ type: 'ADDED', object: item });
    this.stops.push(this.api.watch(collection, list.metadata.resourceVersion, onEvent, (error) => this.errors.push(error)));
  }

  private onSlice(event: WatchEvent<EndpointSlice>): void {
    const slice = event.object;
    const labels = (slice.metadata.labels ?? {}) as Record<string, string>;
    const service = labels['kubernetes.io/service-name'];
    if (!service) return;
    if (event.type === 'DELETED') this.slices.delete(slice.metadata.name);
    else
      this.slices.set(slice.metadata.name, { service, ready: (slice.endpoints ?? []).filter((e) => e.conditions?.ready === true).length });
    this.observations.push({ at: performance.now(), kind: 'endpoints', service, ready: this.readyEndpoints(service) });
  }

  private onDeployment(event: WatchEvent): void {
    const d = event.object as KubeObject & {
      spec?: { replicas?: number; template?: { spec?: { containers?: { image: string }[] } } };
      status?: { readyReplicas?: number; updatedReplicas?: number };
    };
    this.observations.push({
      at: performance.now(),
      kind: 'deployment',
      type: event.type,
      name: d.metadata.name,
      uid: d.metadata.uid ?? '',
      replicas: d.spec?.replicas ?? 0,
      readyReplicas: d.status?.readyReplicas ?? 0,
      updatedReplicas: d.status?.updatedReplicas ?? 0,
      images: (d.spec?.template?.spec?.containers ?? []).map((c) => c.image),
    });
  }

  private onService(event: WatchEvent): void {
    const s = event.object as KubeObject & { spec?: { selector?: Record<string, string> } };
    const selector = Object.entries(s.spec?.selector ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    this.observations.push({
      at: performance.now(),
      kind: 'service',
      type: event.type,
      name: s.metadata.name,
      uid: s.metadata.uid ?? '',
      selector,
    });
  }
}

/** A short picture of a namespace's Deployments, ReplicaSets and pods, for failure messages. */
export async function describeNamespace(api: KubeApi, namespace: string): Promise<string> {
  type Item = KubeObject & { spec?: any; status?: any };
  const list = async (path: string) => ((await api.get(path)) as { items: Item[] }).items;
  const lines: string[] = [];
  for (const d of await list(`/apis/apps/v1/namespaces/${namespace}/deployments`)) {
    lines.push(
      `Deployment ${d.metadata.name}: spec ${d.spec?.replicas} paused=${Boolean(d.spec?.paused)} status ${JSON.stringify(d.status ?? {})}`,
    );
  }
  for (const rs of await list(`/apis/apps/v1/namespaces/${namespace}/replicasets`)) {
    lines.push(
      `ReplicaSet ${rs.metadata.name}: spec ${rs.spec?.replicas} ready ${rs.status?.readyReplicas ?? 0} image ${rs.spec?.template?.spec?.containers?.[0]?.image}`,
    );
  }
  for (const p of await list(`/api/v1/namespaces/${namespace}/pods`)) {
    const ready = (p.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;
    lines.push(
      `Pod ${p.metadata.name}: ${p.status?.phase} ready=${ready} deleting=${Boolean(p.metadata.deletionTimestamp)} labels=${JSON.stringify(p.metadata.labels)}`,
    );
  }
  return lines.join('\n');
}
