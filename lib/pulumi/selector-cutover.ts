import type * as pulumi from '@pulumi/pulumi';
import { ReleaseComponent, type ReleaseComponentArgs } from './release-component';

/** Args of {@link SelectorCutover}. */
export interface SelectorCutoverArgs extends ReleaseComponentArgs {}

/**
 * A selector cutover (`kind: SelectorCutover`) in one stage, as Pulumi resources
 * (`stepwise:index:SelectorCutover`): the v1 and v2 Deployments present in the stage, their
 * PodDisruptionBudgets and the Service whose selector moves from one to the other. Refuses a
 * plan of another kind.
 */
export class SelectorCutover extends ReleaseComponent {
  constructor(name: string, args: SelectorCutoverArgs, opts?: pulumi.ComponentResourceOptions) {
    super('SelectorCutover', name, args, opts);
  }
}
