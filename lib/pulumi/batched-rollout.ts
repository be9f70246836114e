import type * as pulumi from '@pulumi/pulumi';
import { ReleaseComponent } from './release-component';
import { registrationFromArgs, type ReleaseComponentArgs } from './release-component-args';

/**
 * Args of {@link BatchedRollout}: the batches with this stage's replicas and image, and the
 * Service in front of all of them (see the cdk8s `BatchedRolloutProps`).
 */
export interface BatchedRolloutArgs extends ReleaseComponentArgs {}

/**
 * A batched rollout in one stage, as Pulumi resources (`stepwise:index:BatchedRollout`): one
 * Deployment per batch, their PodDisruptionBudgets and the Service in front of all batches,
 * applied make-before-break. Refuses, before registering anything, args the cdk8s
 * `BatchedRollout` refuses, naming the arg.
 */
export class BatchedRollout extends ReleaseComponent {
  constructor(name: string, args: BatchedRolloutArgs, opts?: pulumi.ComponentResourceOptions) {
    super('BatchedRollout', name, registrationFromArgs('BatchedRollout', name, args), opts);
  }
}
