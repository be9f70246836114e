import type { Construct } from 'constructs';
import { ReleaseStage } from './release-stage';
import type { ReleaseStageProps } from './release-stage-props';

/**
 * Props of {@link SelectorCutover}: the v1 and v2 workloads that run in this stage, and the
 * Service with this stage's selector (v1's version label before the cutover, v2's after it).
 */
export interface SelectorCutoverProps extends ReleaseStageProps {}

/**
 * A selector cutover in one stage: v1 and v2 Deployments side by side, the Service selecting one
 * of them. Across stages v2 is created, the selector switches to v2's version label, v2 scales up
 * and v1 is removed; a workload the selector leaves out gets no traffic, which is the point.
 */
export class SelectorCutover extends ReleaseStage {
  constructor(scope: Construct, id: string, props: SelectorCutoverProps) {
    super(scope, id, 'SelectorCutover', props);
  }
}
