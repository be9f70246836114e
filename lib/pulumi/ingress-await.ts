import type { KubeObject } from '../model';
import { withSkipAwait } from './skip-await';

/**
 * `object` as the Pulumi program applies it: an Ingress with `pulumi.com/skipAwait: "true"`,
 * anything else unchanged.
 *
 * pulumi-kubernetes' Ingress await (`pkg/await/ingress.go`) waits for an address in
 * `status.loadBalancer` and records the Ingress it last saw in its shared informer. An Ingress
 * that already had an address is seen at once, and that copy can still be the one from before the
 * update: Pulumi's state then records the old canary weight, and the next `pulumi up` applies
 * the stage again (seen on a real cluster, e2e/pulumi-stages.e2e.test.ts). Skipping the await
 * records the object the API server returned for the apply. Nothing a release relies on is lost:
 * an address says nothing about whether the controller has loaded the new weight, and a
 * controller that never publishes one (some do not by default) made every update wait 10 minutes
 * and fail.
 */
export function withoutIngressAwait(object: KubeObject): KubeObject {
  return object.kind === 'Ingress' ? withSkipAwait(object) : object;
}
