import type { KubeObject } from '../model';
import type { Router } from '../model';

/** The pulumi-kubernetes annotation that makes an update wait for conditions on the object it applied. */
export const WAIT_FOR_ANNOTATION = 'pulumi.com/waitFor';

/** A Gateway API `parentRef` as an HTTPRoute's spec holds it. */
interface ParentRef {
  readonly name: string;
  readonly namespace?: string;
  readonly sectionName?: string;
  readonly port?: number;
}

/**
 * `object` as the Pulumi program applies it when it is a Gateway API HTTPRoute: with a
 * `pulumi.com/waitFor` that holds the update until every Gateway in its `parentRefs` has accepted
 * the route as it is now. Any other object is returned unchanged.
 *
 * Why: pulumi-kubernetes has no await logic for custom resources; it applies an HTTPRoute and
 * returns at once (seen on a real cluster, e2e/pulumi-routers.e2e.test.ts), so the Deployments
 * that scale down after the weight change (they depend on the route) would scale down before any
 * Gateway has taken the new weights. A Gateway reports what it did in the route's
 * `status.parents[]`, one entry per parent, with an `Accepted` condition whose
 * `observedGeneration` says which generation of the route it judged. The route's top-level status
 * has no `observedGeneration`, so the provider's own staleness check does not apply: each
 * expression compares the condition's `observedGeneration` with `metadata.generation` itself. A
 * plain `jsonpath={.status.parents[0]...}` would pass on the previous generation's status, and
 * would look at one parent only.
 *
 * One expression per parentRef (the provider waits for all of a JSON array), matching the status
 * entry by the reference's name and, when the spec gives them, namespace, sectionName and port.
 * The filters are parenthesised two terms at a time: the provider's JSONPath library (theory/
 * jsonpath 0.9) does not parse three `&&` terms in a row.
 *
 * A cluster with no Gateway controller never accepts the route: the update fails after the
 * provider's 10-minute timeout. Such a plan sets `traffic.waitForAccepted: false`.
 */
export function withRouteAcceptedAwait(object: KubeObject): KubeObject {
  if (object.kind !== 'HTTPRoute' || !String(object.apiVersion).startsWith('gateway.networking.k8s.io/')) return object;
  const spec = object.spec as { parentRefs?: readonly ParentRef[] } | undefined;
  const parentRefs = spec?.parentRefs ?? [];
  if (parentRefs.length === 0) return object;
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...object.metadata.annotations, [WAIT_FOR_ANNOTATION]: JSON.stringify(parentRefs.map(acceptedExpression)) },
    },
  };
}

/** The `jsonpath=` expression that holds once the Gateway of `ref` has accepted the route's current generation. */
export function acceptedExpression(ref: ParentRef): string {
  const parent = all([
    `@.parentRef.name=='${ref.name}'`,
    ...(ref.namespace === undefined ? [] : [`@.parentRef.namespace=='${ref.namespace}'`]),
    ...(ref.sectionName === undefined ? [] : [`@.parentRef.sectionName=='${ref.sectionName}'`]),
    ...(ref.port === undefined ? [] : [`@.parentRef.port==${ref.port}`]),
  ]);
  const accepted = all([`@.type=='Accepted'`, `@.status=='True'`, `@.observedGeneration==$.metadata.generation`]);
  return `jsonpath={.status.parents[?${parent}].conditions[?${accepted}].type}`;
}

/** `terms` joined with `&&`, two at a time in parentheses: `((a && b) && c)`. */
function all(terms: readonly string[]): string {
  return terms.reduce((joined, term, i) => (i === 0 ? term : i === terms.length - 1 ? `${joined} && ${term}` : `(${joined} && ${term})`));
}

/** Whether the Pulumi program awaits the HTTPRoute of `routing`: a gateway-api router, unless `traffic.waitForAccepted: false`. */
export function awaitsRouteAccepted(routing: {
  readonly router: Router;
  readonly gatewayApi?: { readonly waitForAccepted: boolean };
}): boolean {
  return routing.router === 'gateway-api' && routing.gatewayApi?.waitForAccepted === true;
}
