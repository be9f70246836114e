import * as pulumi from '@pulumi/pulumi';
import type { Stack } from '../stacks';
import { renderStackStage } from '../synth/render-stack';
import { orderedFromClusterStage } from './cluster-stage';
import { deployStack } from './deploy-stack';
import { recordedStage } from './recorded-stage';
import type { ServiceOutput, WorkloadOutput } from './release-outputs';
import { asRunError, stackFromPulumiConfig } from './stack-from-pulumi-config';

/** The stack outputs of the stepwise program. */
export interface StepwiseProgramOutputs {
  /** The stage the stack is now in. */
  readonly stage: pulumi.Output<string>;
  /** The stage it was in before this update. */
  readonly fromStage: pulumi.Output<string>;
  /** Per workload: replicas, image and expected traffic share. */
  readonly workloads: pulumi.Output<Record<string, WorkloadOutput>>;
  /** Per Service: selector, endpoints and expected traffic share per workload. */
  readonly services: pulumi.Output<Record<string, ServiceOutput>>;
}

/**
 * The Pulumi program: applies the stage `stepwise:stage` of the running stack's config
 * (`stacks/Pulumi.<stack>.yaml`), ordered as the move from the stage the last update recorded,
 * and returns the stack outputs. `lib/pulumi/index.ts` exports it as the project's `main`; the
 * Automation API can run it as an inline program. A wrong stack file fails as a RunError (its
 * problems, no stack trace) before any Kubernetes object registers.
 */
export async function stepwiseProgram(): Promise<StepwiseProgramOutputs> {
  const recorded = await recordedStage();
  try {
    const inFile = stackFromPulumiConfig();
    const stack = orderedFromClusterStage(inFile, recorded, (message) => pulumi.log.warn(message));
    // The objects are rendered as `npm run synth` renders the stack file (its fromStage decides
    // the Argo CD sync-wave annotations, which mean nothing to Pulumi); only the order follows the
    // cluster. Rendered from the record instead, a second `pulumi up` would rewrite annotations.
    const render = (s: Stack) => renderStackStage({ ...s, fromStage: inFile.fromStage, fromStageIndex: inFile.fromStageIndex });
    const release = deployStack(stack, { render });
    return { stage: release.stage, fromStage: release.fromStage, workloads: release.workloads, services: release.services };
  } catch (error) {
    throw asRunError(error);
  }
}
