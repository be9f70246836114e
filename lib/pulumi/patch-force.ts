import type { KubeObject } from '../model/kube-object';

/** The pulumi-kubernetes annotation that makes server-side apply take over conflicting fields. */
export const PATCH_FORCE_ANNOTATION = 'pulumi.com/patchForce';

/**
 * `object` as the Pulumi program applies it: with `pulumi.com/patchForce: "true"`, so that the
 * stage's values win over a field someone else set since the last update.
 *
 * pulumi-kubernetes applies objects with server-side apply. After a `kubectl scale` (or `kubectl
 * edit`, or another tool) another field manager owns the field, and the next `pulumi up` fails
 * with "Server-Side Apply field conflict detected" (seen on a real cluster,
 * e2e/pulumi-existing-objects.e2e.test.ts) — the release stops at a hand-made change. The stage
 * is what the cluster should run: every field stepwise renders is stepwise's, and fields it does
 * not render stay with whoever set them. (An autoscaler that owns `replicas` would be overruled
 * at every update: do not put an HPA on a Deployment a plan scales.)
 */
export function withPatchForce(object: KubeObject): KubeObject {
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [PATCH_FORCE_ANNOTATION]: 'true' } } };
}
