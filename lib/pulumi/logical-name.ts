import type { KubeObject } from '../model/kube-object';

/**
 * The Pulumi name of a rendered object: `<Kind>:<namespace>/<name>` (`<Kind>:<name>` when it has
 * no namespace), e.g. `Deployment:dora-apps/fop-gate`.
 *
 * It is built from the object's identity only, never from the stage or the object's position in
 * the render, because Pulumi keys state by URN (type + name): a name that changed from one stage
 * to the next would make `pulumi up` delete the old resource and create a new one — and with
 * `metadata.name` set, pulumi-kubernetes must delete first, so the workload would go down.
 */
export function logicalName(object: KubeObject): string {
  const { kind, metadata } = object;
  return metadata.namespace ? `${kind}:${metadata.namespace}/${metadata.name}` : `${kind}:${metadata.name}`;
}
