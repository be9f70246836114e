import * as pulumi from '@pulumi/pulumi';
import type { KubeObject, ReleaseKind } from '../model';
import type { ApplyPhase, OrderedObject } from './apply-order';
import { kubeResource } from './kube-resource';
import { logicalName } from './logical-name';
import { createdPausedWarning } from './created-paused';
import { withoutIngressAwait } from './ingress-await';
import { withPatchForce } from './patch-force';
import type { ReleaseOutputs, ServiceOutput, WorkloadOutput } from './release-outputs';
import { withRouteAcceptedAwait } from './route-accepted';
import { withSkipAwait } from './skip-await';

/** One registered Kubernetes object. */
export interface ReleaseObject {
  /**
   * The object as rendered. The resource's inputs add pulumi-kubernetes annotations: `patchForce`
   * (`withPatchForce`), `waitFor` on an HTTPRoute (`withRouteAcceptedAwait`), `skipAwait` on a
   * Deployment created paused and on an Ingress (`withSkipAwait`, `withoutIngressAwait`).
   */
  readonly object: KubeObject;
  /** When it is applied within the update (see `ApplyPhase`). */
  readonly phase: ApplyPhase;
  /** The Pulumi resource. */
  readonly resource: pulumi.CustomResource;
}

/**
 * What a release component registers, worked out (and validated) before it registers anything:
 * the rendered objects in make-before-break order, the namespace to create, and the outputs.
 */
export interface ReleaseRegistration {
  /** The rendered objects with their phase and dependencies (`applyOrder`). */
  readonly ordered: readonly OrderedObject[];
  /** The Namespace to create first and keep on delete, if any. */
  readonly namespace: KubeObject | undefined;
  /** The stage, where it came from, and what runs and how requests are spread. */
  readonly outputs: ReleaseOutputs;
  /** Deployments applied without the provider's await: created paused, they never roll out (`createdPausedWorkloads`). */
  readonly createdPaused: readonly string[];
  /** Whether an HTTPRoute is awaited until every Gateway accepted it (gateway-api `waitForAccepted`). */
  readonly awaitRouteAccepted: boolean;
}

/**
 * One stage of a release as Pulumi resources (`stepwise:index:<kind>`): a child resource per
 * rendered object, ordered make-before-break, under one component whose outputs say what runs.
 * `CanaryService`, `BatchedRollout` and `SelectorCutover` build it from typed args; `deployStack`
 * from a stack file.
 */
export abstract class ReleaseComponent extends pulumi.ComponentResource {
  /** The stage the release is now in. */
  readonly stage: pulumi.Output<string>;
  /** The stage it came from. */
  readonly fromStage: pulumi.Output<string>;
  /** Per workload in the stage: replicas, image, expected traffic share. */
  readonly workloads: pulumi.Output<Record<string, WorkloadOutput>>;
  /** Per Service: selector, endpoints, expected traffic share per workload. */
  readonly services: pulumi.Output<Record<string, ServiceOutput>>;
  /** The Namespace, when the component creates it. */
  readonly namespace: pulumi.CustomResource | undefined;
  /** The registered objects by Pulumi name, in registration order. */
  readonly objects: ReadonlyMap<string, ReleaseObject>;

  /** Registers `registration` as practice `kind`; everything that can fail has failed before this. */
  protected constructor(kind: ReleaseKind, name: string, registration: ReleaseRegistration, opts?: pulumi.ComponentResourceOptions) {
    const names = registration.ordered.map((o) => o.name);
    const seen = new Set<string>();
    const duplicate = names.find((n) => seen.size === seen.add(n).size);
    if (duplicate) throw new Error(`stepwise: two rendered objects are both named ${duplicate}; object names must be unique`);

    // What only the Pulumi program adds to an object (GitOps tools have their own health checks):
    // the stage's fields win over anyone else's, a route is awaited until its Gateways accept it,
    // and a Deployment that cannot roll out, or an Ingress, is not awaited.
    const applied = (object: KubeObject): KubeObject => {
      const forced = withPatchForce(withoutIngressAwait(object));
      if (object.kind === 'Deployment' && registration.createdPaused.includes(object.metadata.name)) return withSkipAwait(forced);
      return registration.awaitRouteAccepted ? withRouteAcceptedAwait(forced) : forced;
    };

    super(`stepwise:index:${kind}`, name, {}, opts);
    for (const workload of registration.createdPaused) pulumi.log.warn(createdPausedWarning(workload, registration.outputs.stage), this);

    // The namespace first: nothing in it can be created before it exists. It is kept when the
    // stack is destroyed or stops registering it, since it may hold more than this release.
    const namespace = registration.namespace;
    this.namespace = namespace && kubeResource(logicalName(namespace), namespace, { parent: this, retainOnDelete: true });
    const objects = new Map<string, ReleaseObject>();
    for (const item of registration.ordered) {
      const dependsOn = item.dependsOn.map((n) => (objects.get(n) as ReleaseObject).resource);
      if (this.namespace) dependsOn.push(this.namespace);
      const resource = kubeResource(item.name, applied(item.object), { parent: this, dependsOn });
      objects.set(item.name, { object: item.object, phase: item.phase, resource });
    }
    this.objects = objects;

    const outputs = registration.outputs;
    this.stage = pulumi.output(outputs.stage);
    this.fromStage = pulumi.output(outputs.fromStage);
    this.workloads = pulumi.output(outputs.workloads) as pulumi.Output<Record<string, WorkloadOutput>>;
    this.services = pulumi.output(outputs.services) as pulumi.Output<Record<string, ServiceOutput>>;
    this.registerOutputs({ stage: this.stage, fromStage: this.fromStage, workloads: this.workloads, services: this.services });
  }
}
