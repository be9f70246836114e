import type * as pulumi from '@pulumi/pulumi';
import { ReleaseComponent } from './release-component';
import { registrationFromArgs, type ReleaseComponentArgs } from './release-component-args';

/**
 * Args of {@link CanaryService}: the stable and the canary workload with this stage's replicas
 * and image, and the Service selecting the label both share (see the cdk8s `CanaryServiceProps`).
 */
export interface CanaryServiceArgs extends ReleaseComponentArgs {}

/**
 * A canary pair in one stage, as Pulumi resources (`stepwise:index:CanaryService`): the stable and
 * canary Deployments, their PodDisruptionBudgets and the shared Service (and a router's objects),
 * applied make-before-break. Refuses, before registering anything, args the cdk8s `CanaryService`
 * refuses, naming the arg.
 */
export class CanaryService extends ReleaseComponent {
  constructor(name: string, args: CanaryServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('CanaryService', name, registrationFromArgs('CanaryService', name, args), opts);
  }
}
