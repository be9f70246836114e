/**
 * The construct a release adds when it routes by weight (`trafficRouter`): the per-track
 * Services and the router's objects. Everything it renders is computed by the pure modules of
 * lib/routing; this file only adds them to a chart.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Labels } from '../model';
import { stageRouterObjects, trackServiceSpec, type RouterSettings } from '../routing/routing-objects';
import { ReleaseServiceObject } from './release-service';
import { MANAGED_BY } from './workload-deployment';

/** A weighted router in the stage being rendered: what it routes, and the weights. */
export interface TrafficRouterProps {
  /**
   * The router (`ingress-nginx`, `gateway-api` or `smi`), the Service it splits, the track label
   * and the tracks, stable first. A plan's parsed `traffic` section (`parseTraffic`) is one.
   */
  readonly routing: RouterSettings;
  /** The percent of requests each track gets in this stage, by track name; they add up to 100. */
  readonly weights: Readonly<Record<string, number>>;
}

/** Props of {@link TrafficRouter}. */
export interface TrafficRouterConstructProps extends TrafficRouterProps {
  /**
   * Namespace of every object.
   * @default - the chart's namespace, else the one they are applied to
   */
  readonly namespace?: string;
  /**
   * Labels on every object (team, …).
   * @default - none
   */
  readonly commonLabels?: Labels;
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

  constructor(scope: Construct, id: string, props: TrafficRouterConstructProps) {
    super(scope, id);
    const { namespace, commonLabels, routing } = props;
    const services = new Map<string, ReleaseServiceObject>();
    for (const track of routing.tracks) {
      const service = trackServiceSpec(routing, track);
      services.set(
        track.name,
        new ReleaseServiceObject(this, `track-${track.name}`, { namespace, commonLabels, service, selector: service.selector }),
      );
    }
    this.trackServices = services;
    const labels = { ...commonLabels, ...MANAGED_BY };
    this.routerObjects = stageRouterObjects(routing, props.weights, namespace, labels).map(
      (object) => new ApiObject(this, `${object.kind}-${object.metadata.name}`, { ...object }),
    );
  }
}
