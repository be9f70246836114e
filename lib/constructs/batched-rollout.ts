import type { Construct } from 'constructs';
import { ReleaseStage } from './release-stage';
import type { ReleaseStageProps } from './release-stage-props';

/**
 * Props of {@link BatchedRollout}: the batches of one app as workloads (`app-1`, the gray batch,
 * then larger ones), each with this stage's image, and the Service in front of all of them. A
 * stage moves the new image to the next batch.
 */
export interface BatchedRolloutProps extends ReleaseStageProps {}

/**
 * A batched rollout in one stage: one app as several Deployments behind one Service. Every batch
 * must be selected by a Service (`workloads[i].labels`); across stages the Service selector never
 * changes.
 */
export class BatchedRollout extends ReleaseStage {
  constructor(scope: Construct, id: string, props: BatchedRolloutProps) {
    super(scope, id, 'BatchedRollout', props);
  }
}
