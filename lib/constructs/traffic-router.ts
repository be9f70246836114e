/**
 * The construct `ReleaseStage` adds when a plan routes by weight (`traffic.router`): the per-track
 * Services and the router's objects. Everything it renders is computed by the pure modules of
 * lib/routing; this file only adds them to a chart.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Plan } from '../model/plan';
import { routerObjects, trackService } from '../routing/routing-objects';
import type { WeightedRouting } from '../model/traffic-routing';
import { ReleaseServiceObject } from './release-service';
import { MANAGED_BY } from './workload-deployment';

/** Props of {@link TrafficRouter}. */
export interface TrafficRouterProps {
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
export class TrafficRouter extends Construct {
  /** The per-track Services, by track name. */
  readonly trackServices: ReadonlyMap<string, ReleaseServiceObject>;
  /** The router's objects, in render order. */
  readonly routerObjects: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: TrafficRouterProps) {
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
