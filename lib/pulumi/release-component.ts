import * as pulumi from '@pulumi/pulumi';
import type { KubeObject } from '../model/kube-object';
import { StepwiseErrors, kindRuleProblems, stageState, transition, type ReleaseKind } from '../model';
import { CONFIG_NAMESPACE, type Stack } from '../stacks';
import { renderStackStage, type RenderedStage } from '../synth/render-stack';
import { applyOrder, type ApplyPhase } from './apply-order';
import { kubeResource } from './kube-resource';
import { logicalName } from './logical-name';
import { withPatchForce } from './patch-force';
import { namespaceObject } from '../constructs/release-namespace';
import { releaseOutputs, type ServiceOutput, type WorkloadOutput } from './release-outputs';
import { servicesAwaitingNoPods, servicesSelectingNoPods } from './service-endpoints';

/** Args shared by the release components. */
export interface ReleaseComponentArgs {
  /** The stack to deploy: its plan, the stage to apply and the stage the cluster is in. */
  readonly stack: Stack;
  /**
   * Renders the stack's stage into the objects to register. Each one is registered exactly as
   * rendered, under a name derived from its kind, namespace and name.
   * @default - `renderStackStage(stack)`: the objects `npm run synth` writes for the stage
   */
  readonly render?: (stack: Stack) => RenderedStage;
}

/** One registered Kubernetes object. */
export interface ReleaseObject {
  /** The object as rendered (the resource's inputs, with `pulumi.com/patchForce`: see `withPatchForce`). */
  readonly object: KubeObject;
  /** When it is applied within the update (see `ApplyPhase`). */
  readonly phase: ApplyPhase;
  /** The Pulumi resource. */
  readonly resource: pulumi.CustomResource;
}

/**
 * One stage of a stack as Pulumi resources: a child resource per rendered object, ordered
 * make-before-break for the move from `stack.fromStage` to `stack.stage`. The named subclasses
 * (`CanaryService`, `BatchedRollout`, `SelectorCutover`) give it the type token of its kind.
 */
export abstract class ReleaseComponent extends pulumi.ComponentResource {
  /** The stage the stack is now in. */
  readonly stage: pulumi.Output<string>;
  /** The stage it came from. */
  readonly fromStage: pulumi.Output<string>;
  /** Per workload in the stage: replicas, image, expected traffic share. */
  readonly workloads: pulumi.Output<Record<string, WorkloadOutput>>;
  /** Per Service: selector, endpoints, expected traffic share per workload. */
  readonly services: pulumi.Output<Record<string, ServiceOutput>>;
  /** The plan's Namespace, unless the plan says `createNamespace: false`. */
  readonly namespace: pulumi.CustomResource | undefined;
  /** The registered objects by Pulumi name, in registration order. */
  readonly objects: ReadonlyMap<string, ReleaseObject>;

  protected constructor(kind: ReleaseKind, name: string, args: ReleaseComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    // Everything that can fail on a bad stack runs before the component registers, so a wrong
    // plan fails `pulumi up` with its problems and registers nothing.
    const { stack } = args;
    const kindProblems = kindRuleProblems(stack.plan, kind);
    if (kindProblems.length > 0) {
      throw new StepwiseErrors(kindProblems.map((p) => p.under(`config.${CONFIG_NAMESPACE}:plan`).inFile(stack.file)));
    }
    const render = args.render ?? ((s: Stack) => renderStackStage(s));
    const rendered = render(stack).files.map((f) => f.object);
    if (servicesSelectingNoPods(rendered).length > 0) {
      // Only a Service this update creates or changes is awaited: compare with the stage the cluster is in.
      const before =
        stack.fromStageIndex === stack.stageIndex
          ? undefined
          : render({ ...stack, stage: stack.fromStage, stageIndex: stack.fromStageIndex }).files.map((f) => f.object);
      const problems = servicesAwaitingNoPods(stack, rendered, before);
      if (problems.length > 0) throw new StepwiseErrors(problems);
    }
    const move = transition(stack.plan, stageState(stack.plan, stack.fromStageIndex), stack.stageIndex);
    const ordered = applyOrder(rendered, move);
    const names = ordered.map((o) => o.name);
    const seen = new Set<string>();
    const duplicate = names.find((n) => seen.size === seen.add(n).size);
    if (duplicate) throw new Error(`stepwise: two rendered objects are both named ${duplicate}; object names must be unique`);

    super(`stepwise:index:${kind}`, name, {}, opts);

    // The namespace first: nothing in it can be created before it exists. It is kept when the
    // stack is destroyed or stops registering it, since it may hold more than this release.
    const namespace = namespaceObject(stack.plan);
    this.namespace = namespace && kubeResource(logicalName(namespace), namespace, { parent: this, retainOnDelete: true });
    const objects = new Map<string, ReleaseObject>();
    for (const item of ordered) {
      const dependsOn = item.dependsOn.map((n) => (objects.get(n) as ReleaseObject).resource);
      if (this.namespace) dependsOn.push(this.namespace);
      const resource = kubeResource(item.name, withPatchForce(item.object), { parent: this, dependsOn });
      objects.set(item.name, { object: item.object, phase: item.phase, resource });
    }
    this.objects = objects;

    const outputs = releaseOutputs(stack);
    this.stage = pulumi.output(outputs.stage);
    this.fromStage = pulumi.output(outputs.fromStage);
    this.workloads = pulumi.output(outputs.workloads) as pulumi.Output<Record<string, WorkloadOutput>>;
    this.services = pulumi.output(outputs.services) as pulumi.Output<Record<string, ServiceOutput>>;
    this.registerOutputs({ stage: this.stage, fromStage: this.fromStage, workloads: this.workloads, services: this.services });
  }
}
