import { App, Chart, type ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import type { KubeObject, Plan, ReleaseKind } from '../model';
import { sortKeysInPlace } from '../model/sorted-keys';
import { TRAFFIC_ROUTING_KINDS } from '../routing/routing-kinds';
import { BatchedRollout } from './batched-rollout';
import { CanaryService } from './canary-service';
import { planStageProps } from './plan-stage-props';
import type { ReleaseStage } from './release-stage';
import type { ReleaseStageProps } from './release-stage-props';
import { addStageObjects, checkedStage, stageObjectProps } from './stage-objects';
import { SelectorCutover } from './selector-cutover';
import { changedObjects } from './stage-changes';

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

/** The construct of each practice, picked by a plan's `kind`. */
export const RELEASE_CONSTRUCTS: Readonly<
  Record<ReleaseKind, new (scope: Construct, id: string, props: ReleaseStageProps) => ReleaseStage>
> = {
  CanaryService,
  BatchedRollout,
  SelectorCutover,
};

/**
 * One Chart holding one stage of one plan, rendered by the construct its `kind` names, from the
 * props {@link planStageProps} builds. A stack is always one Chart: cdk8s' `toJson()` cost grows
 * with the number of Charts in an App, not with the objects inside one.
 */
export class ReleaseChart extends Chart {
  /** The construct that rendered the stage. */
  readonly release: ReleaseStage;

  constructor(scope: App, id: string, props: ReleaseChartProps) {
    super(scope, id, { ...props, disableResourceNameHashes: true });
    const stageProps = planStageProps(props.plan, props.stage, props.fromStage);
    this.release = new RELEASE_CONSTRUCTS[props.plan.kind](this, 'release', stageProps);
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
  return chartObjects(new ReleaseChart(app, chartId, { plan, stage, fromStage: options.fromStage }));
}

/**
 * The objects the construct of practice `kind` renders for `props`, in the order of
 * {@link renderStage}: what a Pulumi component registers for its typed args.
 */
export function renderRelease(kind: ReleaseKind, props: ReleaseStageProps, chartId = 'release'): KubeObject[] {
  const chart = new Chart(new App({ outdir: '.' }), chartId, { disableResourceNameHashes: true });
  new RELEASE_CONSTRUCTS[kind](chart, 'release', props);
  return chartObjects(chart);
}

/** One side of {@link renderStageChange}: a stage of a plan, as {@link renderStage} takes it. */
export interface PlanStage {
  /** The plan. */
  readonly plan: Plan;
  /** The stage, by name. */
  readonly stage: string;
  /** Orders `gitops.syncWaves` (see {@link RenderStageOptions}). */
  readonly fromStage?: string;
}

/**
 * The objects of two stages (of one plan, or of two versions of it) that may differ, each side
 * rendered when its function is called: as {@link renderStage} renders it, checked as a whole (here,
 * before either renders), but without the workloads and Services both sides make from the same
 * props (`changedObjects`), which would render the same. What a diff of the two stages needs, at the
 * cost of what changes; a caller that keeps only each side's text never holds both sides' objects.
 */
export function renderStageChange(
  before: PlanStage,
  after: PlanStage,
  chartId = 'release',
): { readonly before: () => KubeObject[]; readonly after: () => KubeObject[] } {
  const side = ({ plan, stage, fromStage }: PlanStage) => {
    const props = planStageProps(plan, stage, fromStage);
    return { props, objects: stageObjectProps(props, checkedStage(plan.kind, props)) };
  };
  const from = side(before);
  const to = side(after);
  const selected = changedObjects(from.objects, to.objects);
  const render = (s: typeof from, only: (typeof selected)['before']) => () => {
    const chart = new Chart(new App({ outdir: '.' }), chartId, { disableResourceNameHashes: true });
    addStageObjects(new Construct(chart, 'release'), s.props, s.objects, only);
    return chartObjects(chart);
  };
  return { before: render(from, selected.before), after: render(to, selected.after) };
}

function chartObjects(chart: Chart): KubeObject[] {
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
