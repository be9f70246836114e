import type { Labels } from '../model';
import type { SelectingWorkload } from '../model/workload-overlap';
import type { ServiceProps } from './service-props';
import type { SyncWavesProps } from './sync-wave-annotations';
import type { TrafficRouterProps } from './traffic-router';
import type { WorkloadProps } from './workload-props';

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
