import type { Construct } from 'constructs';
import { ReleaseStage } from './release-stage';
import type { ReleaseStageProps } from './release-stage-props';

/**
 * Props of {@link CanaryService}: the stable and the canary workload (e.g. `api` × 9 and
 * `api-canary` × 1, each with this stage's image), and the Service that selects the label both
 * share (e.g. `app: api`), so the canary gets its share of the ready pods; or, with
 * `trafficRouter`, the exact percent of requests its track gets.
 */
export interface CanaryServiceProps extends ReleaseStageProps {}

/**
 * A canary pair in one stage: a stable and a canary Deployment of one app behind one Service
 * selecting the label both share. Every workload must be selected by a Service
 * (`workloads[i].labels`); across stages the Service selector never changes (that is a
 * `SelectorCutover`).
 *
 * @example
 * new CanaryService(chart, 'api', {
 *   services: [{ name: 'api', selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] }],
 *   workloads: [
 *     { name: 'api', labels: { app: 'api', track: 'stable' }, image: 'api:1.4.0', replicas: 9 },
 *     { name: 'api-canary', labels: { app: 'api', track: 'canary' }, image: 'api:1.5.0', replicas: 1 },
 *   ],
 * });
 */
export class CanaryService extends ReleaseStage {
  constructor(scope: Construct, id: string, props: CanaryServiceProps) {
    super(scope, id, 'CanaryService', props);
  }
}
