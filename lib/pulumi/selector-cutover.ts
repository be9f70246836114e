import type * as pulumi from '@pulumi/pulumi';
import { ReleaseComponent } from './release-component';
import { registrationFromArgs, type ReleaseComponentArgs } from './release-component-args';

/**
 * Args of {@link SelectorCutover}: the v1 and v2 workloads of this stage, and the Service with
 * this stage's selector (see the cdk8s `SelectorCutoverProps`).
 */
export interface SelectorCutoverArgs extends ReleaseComponentArgs {}

/**
 * A selector cutover in one stage, as Pulumi resources (`stepwise:index:SelectorCutover`): the v1
 * and v2 Deployments present in the stage, their PodDisruptionBudgets and the Service whose
 * selector moves from one to the other, applied make-before-break. Refuses, before registering
 * anything, args the cdk8s `SelectorCutover` refuses, naming the arg.
 */
export class SelectorCutover extends ReleaseComponent {
  constructor(name: string, args: SelectorCutoverArgs, opts?: pulumi.ComponentResourceOptions) {
    super('SelectorCutover', name, registrationFromArgs('SelectorCutover', name, args), opts);
  }
}
