import type { Construct } from 'constructs';
import { ReleaseStage, type ReleaseStageProps } from './release-stage';

/** Props of {@link SelectorCutover}. */
export interface SelectorCutoverProps extends ReleaseStageProps {}

/**
 * A selector cutover: v1 and v2 Deployments side by side, then a stage switches the Service
 * selector to v2's version label, v2 is scaled up, and v1 removed. At least one stage must change
 * a Service selector.
 */
export class SelectorCutover extends ReleaseStage {
  constructor(scope: Construct, id: string, props: SelectorCutoverProps) {
    super(scope, id, 'SelectorCutover', props);
  }
}
