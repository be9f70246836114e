import { Construct } from 'constructs';
import type { ReleaseKind } from '../model';
import type { ReleaseServiceObject } from './release-service';
import type { ReleaseStageProps } from './release-stage-props';
import { addStageObjects, checkedStage, stageObjectProps } from './stage-objects';
import type { TrafficRouter } from './traffic-router';
import type { WorkloadDeployment } from './workload-deployment';

/**
 * Renders one stage of a release: a Deployment (and PodDisruptionBudget) per workload, every
 * Service with the stage's selector, and the router's objects. The named constructs
 * (`CanaryService`, `BatchedRollout`, `SelectorCutover`) check the rules of their practice; every
 * problem is reported at once, naming the prop, before anything is added to the chart.
 */
export abstract class ReleaseStage extends Construct {
  /** The practice this construct follows. */
  readonly kind: ReleaseKind;
  /** The Deployments, by workload name. */
  readonly workloads: ReadonlyMap<string, WorkloadDeployment>;
  /** The Services, by name. */
  readonly services: ReadonlyMap<string, ReleaseServiceObject>;
  /** The per-track Services and router objects, when the stage routes by weight (`trafficRouter`). */
  readonly routing?: TrafficRouter;

  protected constructor(scope: Construct, id: string, kind: ReleaseKind, props: ReleaseStageProps) {
    const objects = stageObjectProps(props, checkedStage(kind, props));
    super(scope, id);
    this.kind = kind;
    const added = addStageObjects(this, props, objects);
    this.workloads = added.workloads;
    this.services = added.services;
    this.routing = added.routing;
  }
}
