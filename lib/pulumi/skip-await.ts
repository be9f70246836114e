import type { KubeObject } from '../model';

/** The pulumi-kubernetes annotation that makes an update return the applied object without awaiting it. */
export const SKIP_AWAIT_ANNOTATION = 'pulumi.com/skipAwait';

/**
 * `object` with `pulumi.com/skipAwait: "true"`: pulumi-kubernetes records what the API server
 * returned for the apply and does not wait. The program sets it where the provider's await cannot
 * end or records the wrong object: a Deployment created paused (`createdPausedWorkloads`) and an
 * Ingress (`withoutIngressAwait`).
 */
export function withSkipAwait(object: KubeObject): KubeObject {
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [SKIP_AWAIT_ANNOTATION]: 'true' } } };
}
