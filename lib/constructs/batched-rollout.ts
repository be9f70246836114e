import type { Construct } from 'constructs';
import { ReleaseStage, type ReleaseStageProps } from './release-stage';

/** Props of {@link BatchedRollout}. */
export interface BatchedRolloutProps extends ReleaseStageProps {}

/**
 * A batched rollout: one app as several Deployments (`app-1` as the gray batch, then larger
 * batches) behind one Service; a stage moves the new image to the next batch. Every batch must be
 * selected by a Service, and no stage may change a Service selector.
 */
export class BatchedRollout extends ReleaseStage {
  constructor(scope: Construct, id: string, props: BatchedRolloutProps) {
    super(scope, id, 'BatchedRollout', props);
  }
}
