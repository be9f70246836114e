import type * as pulumi from '@pulumi/pulumi';
import { ReleaseComponent, type ReleaseComponentArgs } from './release-component';

/** Args of {@link BatchedRollout}. */
export interface BatchedRolloutArgs extends ReleaseComponentArgs {}

/**
 * A batched rollout (`kind: BatchedRollout`) in one stage, as Pulumi resources
 * (`stepwise:index:BatchedRollout`): one Deployment per batch, their PodDisruptionBudgets and the
 * Service in front of all batches. Refuses a plan of another kind.
 */
export class BatchedRollout extends ReleaseComponent {
  constructor(name: string, args: BatchedRolloutArgs, opts?: pulumi.ComponentResourceOptions) {
    super('BatchedRollout', name, args, opts);
  }
}
