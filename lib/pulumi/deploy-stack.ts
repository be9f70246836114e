import type * as pulumi from '@pulumi/pulumi';
import { StepwiseErrors, stageState, transition } from '../model';
import { namespaceObject } from '../constructs/release-namespace';
import type { Stack } from '../stacks';
import { renderStackStage, type RenderedStage } from '../synth/render-stack';
import { applyOrder, transitionPhases } from './apply-order';
import { createdPausedWorkloads } from './created-paused';
import { awaitsRouteAccepted } from './route-accepted';
import { ReleaseComponent, type ReleaseRegistration } from './release-component';
import { releaseOutputs } from './release-outputs';
import { servicesAwaitingNoPods, servicesSelectingNoPods } from './service-endpoints';

/** Options of {@link deployStack}. */
export interface DeployStackOptions {
  /**
   * Renders the stack's stage into the objects to register. Each one is registered exactly as
   * rendered, under a name derived from its kind, namespace and name.
   * @default - `renderStackStage(stack)`, the objects `npm run synth` writes
   */
  readonly render?: (stack: Stack) => RenderedStage;
  /**
   * Options of the release component (e.g. `providers` with an explicit Kubernetes provider).
   * @default - none: resources use the default Kubernetes provider (the current kubeconfig context)
   */
  readonly resourceOptions?: pulumi.ComponentResourceOptions;
}

/**
 * The stack-file front end of the release components: one stage of a stack, as the component of
 * its plan's kind (`stepwise:index:<kind>`), ordered as the move from `stack.fromStage`.
 */
class StackRelease extends ReleaseComponent {
  constructor(stack: Stack, registration: ReleaseRegistration, opts?: pulumi.ComponentResourceOptions) {
    super(stack.plan.kind, stack.name, registration, opts);
  }
}

/**
 * Registers one stage of a stack: the release component its plan's `kind` names, named after the
 * stack (a name that never changes from stage to stage), with a child resource per rendered
 * object, ordered make-before-break for the move from `stack.fromStage` to `stack.stage`. Throws
 * StepwiseErrors, before registering anything, when the stage cannot be applied.
 */
export function deployStack(stack: Stack, options: DeployStackOptions = {}): ReleaseComponent {
  const render = options.render ?? ((s: Stack) => renderStackStage(s));
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
  const registration: ReleaseRegistration = {
    ordered: applyOrder(rendered, transitionPhases(move)),
    namespace: namespaceObject(stack.plan),
    outputs: releaseOutputs(stack),
    createdPaused: createdPausedWorkloads(move),
    awaitRouteAccepted: awaitsRouteAccepted(stack.plan.traffic),
  };
  return new StackRelease(stack, registration, options.resourceOptions);
}
