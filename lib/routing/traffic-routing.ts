/**
 * The cdk8s side of traffic routing: the construct `ReleaseStage` adds when a plan routes by
 * weight, and the sync-wave annotations of `gitops.syncWaves`. The only files of lib/routing that
 * import cdk8s; everything they render is computed by the pure modules beside them.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Plan } from '../model/plan';
import { ReleaseServiceObject } from '../constructs/release-service';
import { MANAGED_BY } from '../constructs/workload-deployment';
import { routerObjects, trackService } from './routing-objects';
import type { WeightedRouting } from './traffic-section';

/** Props of {@link TrafficRouting}. */
export interface TrafficRoutingProps {
  /** The plan (namespace, common labels, stages). */
  readonly plan: Plan;
  /** The plan's parsed `traffic` section. */
  readonly routing: WeightedRouting;
  /** The stage rendered, by index. */
  readonly stageIndex: number;
}

/**
 * A weighted router in one stage: a Service per track (same name in every stage), then the
 * router's objects carrying the stage's weights — a main and a canary Ingress (`ingress-nginx`),
 * an HTTPRoute (`gateway-api`) or a TrafficSplit (`smi`).
 */
export class TrafficRouting extends Construct {
  /** The per-track Services, by track name. */
  readonly trackServices: ReadonlyMap<string, ReleaseServiceObject>;
  /** The router's objects, in render order. */
  readonly routerObjects: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: TrafficRoutingProps) {
    super(scope, id);
    const { plan, routing, stageIndex } = props;
    const services = new Map<string, ReleaseServiceObject>();
    for (const track of routing.tracks) {
      const service = trackService(plan, routing, track, stageIndex);
      services.set(track.name, new ReleaseServiceObject(this, `track-${track.name}`, { plan, service }));
    }
    this.trackServices = services;
    const labels = { ...plan.commonLabels, ...MANAGED_BY };
    this.routerObjects = routerObjects(plan, routing, stageIndex, labels).map(
      (object) => new ApiObject(this, `${object.kind}-${object.metadata.name}`, { ...object }),
    );
  }
}
