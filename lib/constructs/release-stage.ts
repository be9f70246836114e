import { Construct } from 'constructs';
import { StepwiseErrors, type Labels, type ReleaseKind } from '../model';
import { disruptionBudgetSelectors, type SelectingWorkload } from '../model/workload-overlap';
import { ReleaseServiceObject } from './release-service';
import { stageProblems } from './stage-rules';
import { resolveService, type ServiceProps } from './service-props';
import { annotateSyncWaves, workloadWaves, type SyncWavesProps } from './sync-wave-annotations';
import { TrafficRouter, type TrafficRouterProps } from './traffic-router';
import { WorkloadDeployment } from './workload-deployment';
import { resolveWorkload, type WorkloadProps } from './workload-props';

/**
 * One stage of a release, as its user states it: the workloads with this stage's replicas and
 * image, the Services with this stage's selectors, and how requests are routed. What changes from
 * stage to stage is only these values; a stack file's plan is one way to write them all down
 * (`planStageProps` builds these props from it).
 */
export interface ReleaseStageProps {
  /**
   * Namespace of every object.
   * @default - the chart's namespace, else the one the objects are applied to
   */
  readonly namespace?: string;
  /**
   * Labels on every object besides its own (team, cost centre, …); never on the pods, so
   * changing them rolls nothing.
   * @default - none
   */
  readonly commonLabels?: Labels;
  /** The workloads that run in this stage, in the order they are rendered; a workload left out is deleted (or not yet created). */
  readonly workloads: readonly WorkloadProps[];
  /** The Services in front of the workloads, with their selectors in this stage. */
  readonly services: readonly ServiceProps[];
  /**
   * Every workload the release runs in any stage (name, pod labels, Deployment selector). Where
   * one workload's selector also matches another's pods (the blog's `nginx-dm`, selecting
   * `name: nginx`, beside `nginx-v2`), its PodDisruptionBudget is narrowed so that no pod is ever
   * under two budgets (the eviction API refuses to evict such a pod). Narrowed against the whole
   * release, a budget stays the same from stage to stage; against this stage alone it changes when
   * the other workload appears, and pods created in between are under two budgets until it does.
   * @default - this stage's workloads
   */
  readonly releaseWorkloads?: readonly SelectingWorkload[];
  /**
   * Route requests by exact weight per track through an ingress, a Gateway or a mesh: renders a
   * Service per track and the router's objects with this stage's weights.
   * @default - no router: each Service spreads requests over its ready pods
   */
  readonly trafficRouter?: TrafficRouterProps;
  /**
   * Put Argo CD sync waves on the objects, so a GitOps sync keeps this stage's make-before-break
   * order: workloads first, then Services and router objects, then the workloads scaled down.
   * @default - no sync-wave annotations
   */
  readonly syncWaves?: SyncWavesProps;
}

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
    const workloads = props.workloads.map(resolveWorkload);
    const services = props.services.map(resolveService);
    const problems = stageProblems(kind, { workloads, services, trafficRouter: props.trafficRouter, syncWaves: props.syncWaves });
    if (problems.length > 0) throw new StepwiseErrors(problems);
    super(scope, id);
    this.kind = kind;
    const { namespace, commonLabels } = props;

    // Construct IDs carry a prefix: a bare user name could collide with another child ('traffic',
    // a Service's `service-<name>`) or with an Object.prototype name ('constructor'), which the
    // constructs library keeps its children under.
    const deployments = new Map<string, WorkloadDeployment>();
    // A pod under two budgets cannot be evicted: each budget selects only its own workload's pods.
    const budgetSelectors = disruptionBudgetSelectors(props.releaseWorkloads ?? workloads.map((w) => w.workload));
    for (const { workload, state, changeCause } of workloads) {
      const deployment = new WorkloadDeployment(this, `workload-${workload.name}`, {
        namespace,
        commonLabels,
        workload,
        state,
        changeCause,
        disruptionBudgetSelector: budgetSelectors.get(workload.name),
      });
      deployments.set(workload.name, deployment);
    }
    const serviceObjects = new Map<string, ReleaseServiceObject>();
    for (const { service, selector } of services) {
      const object = new ReleaseServiceObject(this, `service-${service.name}`, { namespace, commonLabels, service, selector });
      serviceObjects.set(service.name, object);
    }
    this.workloads = deployments;
    this.services = serviceObjects;

    if (props.trafficRouter) this.routing = new TrafficRouter(this, 'traffic', { namespace, commonLabels, ...props.trafficRouter });
    if (props.syncWaves) {
      annotateSyncWaves(
        this,
        workloadWaves(
          workloads.map((w) => w.workload.name),
          props.syncWaves,
        ),
      );
    }
  }
}
