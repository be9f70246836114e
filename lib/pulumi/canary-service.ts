import type * as pulumi from '@pulumi/pulumi';
import { ReleaseComponent, type ReleaseComponentArgs } from './release-component';

/** Args of {@link CanaryService}. */
export interface CanaryServiceArgs extends ReleaseComponentArgs {}

/**
 * A canary pair (`kind: CanaryService`) in one stage, as Pulumi resources
 * (`stepwise:index:CanaryService`): the stable and canary Deployments, their
 * PodDisruptionBudgets and the shared Service. Refuses a plan of another kind.
 */
export class CanaryService extends ReleaseComponent {
  constructor(name: string, args: CanaryServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('CanaryService', name, args, opts);
  }
}
