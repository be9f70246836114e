import { App, Chart, type ChartProps } from 'cdk8s';
import type { KubeObject, Plan } from '../model';
import { sortKeysInPlace } from '../model/sorted-keys';
import { TRAFFIC_ROUTING_KINDS } from '../routing/routing-kinds';
import { BatchedRollout } from './batched-rollout';
import { CanaryService } from './canary-service';
import type { ReleaseStage } from './release-stage';
import { SelectorCutover } from './selector-cutover';

/** Props of {@link ReleaseChart}. */
export interface ReleaseChartProps extends ChartProps {
  /** The plan to render. */
  readonly plan: Plan;
  /** The stage to render, by name. */
  readonly stage: string;
  /**
   * The stage the cluster is in before `stage` (orders `gitops.syncWaves`).
   * @default - the stage before `stage` in the plan
   */
  readonly fromStage?: string;
}

/**
 * One Chart holding one stage of one plan, rendered by the construct its `kind` names. A stack is
 * always one Chart: cdk8s' `toJson()` cost grows with the number of Charts in an App, not with
 * the objects inside one.
 */
export class ReleaseChart extends Chart {
  /** The construct that rendered the stage. */
  readonly release: ReleaseStage;

  constructor(scope: App, id: string, props: ReleaseChartProps) {
    super(scope, id, { ...props, disableResourceNameHashes: true });
    const releaseProps = { plan: props.plan, stage: props.stage, fromStage: props.fromStage };
    switch (props.plan.kind) {
      case 'CanaryService':
        this.release = new CanaryService(this, 'release', releaseProps);
        break;
      case 'BatchedRollout':
        this.release = new BatchedRollout(this, 'release', releaseProps);
        break;
      case 'SelectorCutover':
        this.release = new SelectorCutover(this, 'release', releaseProps);
        break;
    }
  }
}

/** Options of {@link renderStage}. */
export interface RenderStageOptions {
  /**
   * The stage the cluster is in before `stage` (orders `gitops.syncWaves`).
   * @default - the stage before `stage` in the plan
   */
  readonly fromStage?: string;
}

/**
 * The objects of one stage of a plan, in a fixed order (Deployments, then PodDisruptionBudgets,
 * then Services, then the router's Ingresses, HTTPRoute or TrafficSplit, each in plan order).
 * This is the single rendering path: `npm run synth`, the CLI and the Pulumi program all call it.
 */
export function renderStage(plan: Plan, stage: string, chartId = 'release', options: RenderStageOptions = {}): KubeObject[] {
  const app = new App({ outdir: '.' });
  const chart = new ReleaseChart(app, chartId, { plan, stage, fromStage: options.fromStage });
  // Sorted here, not left to cdk8s: its sort is off whenever CDK8S_DISABLE_SORT is set, and the
  // JSON patches it applies after sorting add keys at the end.
  return orderObjects(sortKeysInPlace(chart.toJson() as KubeObject[]));
}

const KIND_ORDER: readonly string[] = ['Deployment', 'PodDisruptionBudget', ...TRAFFIC_ROUTING_KINDS];

function orderObjects(objects: KubeObject[]): KubeObject[] {
  const rank = (o: KubeObject) => {
    const i = KIND_ORDER.indexOf(o.kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  // Stable sort: within a kind the construct order (plan order) stays.
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .map(({ o }) => o);
}
