/**
 * What a stage's objects are made from, and adding them to a chart: the part of `ReleaseStage`
 * that `stepwise diff` also uses to render only the objects a stage change can change
 * (`renderStageChange`).
 */
import type { Construct } from 'constructs';
import { StepwiseErrors, type ReleaseKind } from '../model';
import { disruptionBudgetSelectors } from '../model/workload-overlap';
import { SYNC_WAVES } from '../routing/sync-waves';
import type { ReleaseStageProps } from './release-stage-props';
import { ReleaseServiceObject, type ReleaseServiceObjectProps } from './release-service';
import { resolveService, type ResolvedService } from './service-props';
import { stageProblems } from './stage-rules';
import { annotateSyncWaves, workloadWaves } from './sync-wave-annotations';
import { TrafficRouter } from './traffic-router';
import { WorkloadDeployment, type WorkloadDeploymentProps } from './workload-deployment';
import { resolveWorkload, type ResolvedWorkload } from './workload-props';

/** A stage's props with every default resolved, once, and checked. */
export interface CheckedStage {
  /** The workloads, in props order. */
  readonly workloads: readonly ResolvedWorkload[];
  /** The Services, in props order. */
  readonly services: readonly ResolvedService[];
}

/**
 * `props` resolved and checked against what every stage needs and the rules of practice `kind`.
 * Throws StepwiseErrors listing every problem, naming the prop.
 */
export function checkedStage(kind: ReleaseKind, props: ReleaseStageProps): CheckedStage {
  const workloads = props.workloads.map(resolveWorkload);
  const services = props.services.map(resolveService);
  const problems = stageProblems(kind, { workloads, services, trafficRouter: props.trafficRouter, syncWaves: props.syncWaves });
  if (problems.length > 0) throw new StepwiseErrors(problems);
  return { workloads, services };
}

/**
 * What each of a stage's own objects is made from: per workload the props of its Deployment (and
 * PodDisruptionBudget), per Service the props of the Service object, each with the sync wave it
 * carries. These are all of their inputs: two objects made from deep-equal ones render the same.
 * (The router's objects are made from the whole stage.)
 */
export interface StageObjectProps {
  /** By workload name, in props order. */
  readonly workloads: ReadonlyMap<string, { readonly deployment: WorkloadDeploymentProps; readonly syncWave?: number }>;
  /** By Service name, in props order. */
  readonly services: ReadonlyMap<string, { readonly service: ReleaseServiceObjectProps; readonly syncWave?: number }>;
}

/** The props each of the stage's objects is made from (see {@link StageObjectProps}). */
export function stageObjectProps(props: ReleaseStageProps, stage: CheckedStage): StageObjectProps {
  const { namespace, commonLabels } = props;
  // A pod under two budgets cannot be evicted: each budget selects only its own workload's pods.
  const budgetSelectors = disruptionBudgetSelectors(props.releaseWorkloads ?? stage.workloads.map((w) => w.workload));
  const waves = props.syncWaves
    ? workloadWaves(
        stage.workloads.map((w) => w.workload.name),
        props.syncWaves,
      )
    : undefined;
  const workloads = new Map<string, { deployment: WorkloadDeploymentProps; syncWave?: number }>();
  for (const { workload, state, changeCause } of stage.workloads) {
    const deployment = {
      namespace,
      commonLabels,
      workload,
      state,
      changeCause,
      disruptionBudgetSelector: budgetSelectors.get(workload.name),
    };
    workloads.set(workload.name, { deployment, syncWave: waves?.[workload.name] });
  }
  // annotateSyncWaves puts the route wave on every Service.
  const serviceWave = props.syncWaves ? SYNC_WAVES.route : undefined;
  const services = new Map<string, { service: ReleaseServiceObjectProps; syncWave?: number }>();
  for (const { service, selector } of stage.services) {
    services.set(service.name, { service: { namespace, commonLabels, service, selector }, syncWave: serviceWave });
  }
  return { workloads, services };
}

/** Which of a stage's workloads (Deployment and PodDisruptionBudget) and Services to add, by name. */
export interface StageObjectSelection {
  /** Workload names. */
  readonly workloads: ReadonlySet<string>;
  /** Service names. */
  readonly services: ReadonlySet<string>;
}

/** What {@link addStageObjects} added. */
export interface AddedStageObjects {
  /** The Deployments, by workload name. */
  readonly workloads: ReadonlyMap<string, WorkloadDeployment>;
  /** The Services, by name. */
  readonly services: ReadonlyMap<string, ReleaseServiceObject>;
  /** The per-track Services and router objects, when the stage routes by weight. */
  readonly routing?: TrafficRouter;
}

/**
 * Adds a stage's objects under `scope`, each from its props in `objects` (see
 * {@link stageObjectProps}): every workload's Deployment and PodDisruptionBudget, every Service,
 * and the router's objects, with their sync waves. With `only`, just the workloads and Services it
 * names (and the whole router): each is made from its own props alone, so it renders the same as
 * among all the others.
 */
export function addStageObjects(
  scope: Construct,
  props: ReleaseStageProps,
  objects: StageObjectProps,
  only?: StageObjectSelection,
): AddedStageObjects {
  const { namespace, commonLabels } = props;
  // Construct IDs carry a prefix: a bare user name could collide with another child ('traffic',
  // a Service's `service-<name>`) or with an Object.prototype name ('constructor'), which the
  // constructs library keeps its children under.
  const workloads = new Map<string, WorkloadDeployment>();
  for (const [name, { deployment }] of objects.workloads) {
    if (only && !only.workloads.has(name)) continue;
    workloads.set(name, new WorkloadDeployment(scope, `workload-${name}`, deployment));
  }
  const services = new Map<string, ReleaseServiceObject>();
  for (const [name, { service }] of objects.services) {
    if (only && !only.services.has(name)) continue;
    services.set(name, new ReleaseServiceObject(scope, `service-${name}`, service));
  }
  const routing = props.trafficRouter
    ? new TrafficRouter(scope, 'traffic', { namespace, commonLabels, ...props.trafficRouter })
    : undefined;
  if (props.syncWaves) {
    const waves: Record<string, number> = {};
    for (const [name, { syncWave }] of objects.workloads) if (syncWave !== undefined) waves[name] = syncWave;
    annotateSyncWaves(scope, waves);
  }
  return { workloads, services, routing };
}
