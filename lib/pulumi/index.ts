/**
 * The Pulumi program (`main` in Pulumi.yaml): `pulumi up --stack <stack>` applies the stage
 * `stepwise:stage` of `stacks/Pulumi.<stack>.yaml`. All the logic is in `deployStack`; this file
 * only reads the config, reports a wrong stack file as a RunError (no stack trace) and exports
 * the release's outputs as stack outputs.
 */
import { deployStack } from './deploy-stack';
import type { ReleaseComponent } from './release-component';
import { asRunError, stackFromPulumiConfig } from './stack-from-pulumi-config';

function deployCurrentStack(): ReleaseComponent {
  try {
    return deployStack(stackFromPulumiConfig());
  } catch (error) {
    throw asRunError(error);
  }
}

const release = deployCurrentStack();

/** The stage the stack is now in. */
export const stage = release.stage;
/** The stage it was in before this update. */
export const fromStage = release.fromStage;
/** Per workload: replicas, image and expected traffic share. */
export const workloads = release.workloads;
/** Per Service: selector, endpoints and expected traffic share per workload. */
export const services = release.services;
