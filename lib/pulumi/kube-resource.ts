import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { KubeObject } from '../model/kube-object';

/** The top-level fields the typed pulumi-kubernetes classes pass on (they drop any other). */
const TYPED_FIELDS: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata', 'spec']);

/**
 * The Pulumi resource for one rendered object, with the object unchanged as its inputs:
 * the typed pulumi-kubernetes class for the kinds stepwise renders itself (Deployment, Service,
 * PodDisruptionBudget, Ingress), `CustomResource` for any other apiVersion/kind (Gateway API
 * routes, SMI TrafficSplits, …) and for an object with top-level fields a typed class would drop.
 *
 * The provider picks its await logic (Deployment readiness, Service endpoints) by the object's
 * apiVersion/kind, not by the SDK class. A render never switches an object between the two
 * classes from one stage to the next (its fields do not change shape), so its URN type is stable.
 * The casts are safe because `renderStackStage` validated every object against its schema.
 */
export function kubeResource(name: string, object: KubeObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const typed = Object.keys(object).every((field) => TYPED_FIELDS.has(field));
  switch (typed ? `${object.apiVersion}/${object.kind}` : '') {
    case 'apps/v1/Deployment':
      return new k8s.apps.v1.Deployment(name, object as unknown as k8s.apps.v1.DeploymentArgs, opts);
    case 'v1/Namespace':
      return new k8s.core.v1.Namespace(name, object as unknown as k8s.core.v1.NamespaceArgs, opts);
    case 'v1/Service':
      return new k8s.core.v1.Service(name, object as unknown as k8s.core.v1.ServiceArgs, opts);
    case 'policy/v1/PodDisruptionBudget':
      return new k8s.policy.v1.PodDisruptionBudget(name, object as unknown as k8s.policy.v1.PodDisruptionBudgetArgs, opts);
    case 'networking.k8s.io/v1/Ingress':
      return new k8s.networking.v1.Ingress(name, object as unknown as k8s.networking.v1.IngressArgs, opts);
    default:
      return new k8s.apiextensions.CustomResource(name, { ...object }, opts);
  }
}
