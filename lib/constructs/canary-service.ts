import type { Construct } from 'constructs';
import { ReleaseStage, type ReleaseStageProps } from './release-stage';

/** Props of {@link CanaryService}. */
export interface CanaryServiceProps extends ReleaseStageProps {}

/**
 * A canary pair: a stable and a canary Deployment of one app (e.g. `fop-gate` × 9 and
 * `fop-gate-canary` × 1) behind one Service selecting the label both share, so the canary gets
 * its share of ready replicas. Every workload must be selected by a Service, and no stage may
 * change a Service selector (that is a `SelectorCutover`).
 */
export class CanaryService extends ReleaseStage {
  constructor(scope: Construct, id: string, props: CanaryServiceProps) {
    super(scope, id, 'CanaryService', props);
  }
}
