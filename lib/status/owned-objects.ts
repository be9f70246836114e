/**
 * The objects a stack owns in the cluster against the ones a stage renders: what is missing, and
 * what is extra. Checked for the kinds that decide where requests go and how many pods run them —
 * Deployments, Services and the router's objects. Pure.
 */
import { firstByKey } from '../model/named';
import { isTrafficRoutingKind } from '../routing';
import type { LiveCluster } from './live-cluster';

/** An object the stage renders, as `renderStackStage` gives it (the fields read here). */
export interface RenderedObject {
  /** e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** e.g. `Deployment`. */
  readonly kind: string;
  /** Its name and labels. */
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
}

/** An object that is missing or extra. */
export interface ObjectRef {
  /** Its kind. */
  readonly kind: string;
  /** Its name. */
  readonly name: string;
  /** Why, when there is more to say than "missing" (the cluster does not serve the kind). */
  readonly reason?: string;
}

/** The stage's objects the cluster lacks, and the stack's objects the stage does not render. */
export interface OwnedObjects {
  /** Rendered by the stage, not in the cluster, in render order. */
  readonly missing: readonly ObjectRef[];
  /**
   * Deployments and Services of the namespace carrying the stack's labels (those on every object
   * the stage renders: the plan's `labels` and `app.kubernetes.io/managed-by: stepwise`) that
   * the stage does not render, Deployments first, each by name.
   */
  readonly extra: readonly ObjectRef[];
  /** The labels that mark an object as the stack's. */
  readonly ownerLabels: Readonly<Record<string, string>>;
}

/** Missing and extra objects of the stage that rendered `rendered`. */
export function ownedObjects(rendered: readonly RenderedObject[], live: LiveCluster): OwnedObjects {
  const checked = rendered.filter((o) => o.kind === 'Deployment' || isTrafficRoutingKind(o.kind));
  // Sets and maps by kind and name, not a scan per object: that made a stack of thousands quadratic.
  const key = (kind: string, name: string) => `${kind}/${name}`;
  const liveNames = new Set([
    ...live.deployments.map((d) => key('Deployment', d.name)),
    ...live.services.map((s) => key('Service', s.name)),
  ]);
  const routers = firstByKey(live.routerObjects, (o) => key(o.kind, o.name));
  const missing: ObjectRef[] = [];
  for (const object of checked) {
    const { kind } = object;
    const name = object.metadata.name;
    if (kind === 'Deployment' || kind === 'Service') {
      if (!liveNames.has(key(kind, name))) missing.push({ kind, name });
      continue;
    }
    const router = routers.get(key(kind, name));
    if (router?.found === 'present') continue;
    missing.push(
      router?.found === 'not-served' ? { kind, name, reason: `the cluster does not serve ${router.apiVersion} ${kind}` } : { kind, name },
    );
  }

  const ownerLabels = commonLabels(rendered);
  // Without labels to tell the stack's objects by, every object would count: none is called extra.
  const owned = (labels: Readonly<Record<string, string>>) =>
    Object.keys(ownerLabels).length > 0 && Object.entries(ownerLabels).every(([k, v]) => labels[k] === v);
  const renderedNames = new Set(rendered.map((o) => key(o.kind, o.metadata.name)));
  const renders = (kind: string, name: string) => renderedNames.has(key(kind, name));
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const extra: ObjectRef[] = [
    ...[...live.deployments]
      .sort(byName)
      .filter((d) => owned(d.labels) && !renders('Deployment', d.name))
      .map((d) => ({ kind: 'Deployment', name: d.name })),
    ...[...live.services]
      .sort(byName)
      .filter((s) => owned(s.labels) && !renders('Service', s.name))
      .map((s) => ({ kind: 'Service', name: s.name })),
  ];
  return { missing, extra, ownerLabels };
}

/** The labels every object carries (key and value), sorted by key; empty when there are no objects. */
function commonLabels(objects: readonly RenderedObject[]): Record<string, string> {
  if (objects.length === 0) return {};
  const [first, ...rest] = objects;
  const result: Record<string, string> = {};
  for (const key of Object.keys(first.metadata.labels ?? {}).sort()) {
    const value = (first.metadata.labels ?? {})[key];
    if (rest.every((o) => o.metadata.labels?.[key] === value)) result[key] = value;
  }
  return result;
}
