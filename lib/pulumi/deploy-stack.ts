import type * as pulumi from '@pulumi/pulumi';
import type { Stack } from '../stacks';
import type { RenderedStage } from '../synth/render-stack';
import { BatchedRollout } from './batched-rollout';
import { CanaryService } from './canary-service';
import type { ReleaseComponent } from './release-component';
import { SelectorCutover } from './selector-cutover';

/** Options of {@link deployStack}. */
export interface DeployStackOptions {
  /**
   * Renders the stack's stage into the objects to register.
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
 * Registers one stage of a stack: the release component its plan's `kind` names, named after the
 * stack (a name that never changes from stage to stage), with a child resource per rendered
 * object. Throws StepwiseErrors, before registering anything, when the stage cannot be applied.
 */
export function deployStack(stack: Stack, options: DeployStackOptions = {}): ReleaseComponent {
  const args = { stack, render: options.render };
  switch (stack.plan.kind) {
    case 'CanaryService':
      return new CanaryService(stack.name, args, options.resourceOptions);
    case 'BatchedRollout':
      return new BatchedRollout(stack.name, args, options.resourceOptions);
    case 'SelectorCutover':
      return new SelectorCutover(stack.name, args, options.resourceOptions);
  }
}
