import { Construct } from 'constructs';
import {
  StepwiseErrors,
  apiServerProblems,
  findStage,
  kindRuleProblems,
  stageState,
  type Plan,
  type ReleaseKind,
  type StageState,
} from '../model';
import { parseGitOps } from '../routing/gitops-section';
import { isWeighted, parseTraffic } from '../routing/traffic-section';
import { ReleaseServiceObject } from './release-service';
import { annotateSyncWaves } from './sync-wave-annotations';
import { TrafficRouter } from './traffic-router';
import { templateStage, WorkloadDeployment } from './workload-deployment';

/** Props shared by the release constructs. */
export interface ReleaseStageProps {
  /** The release plan (parse one from plain data with `parsePlan`). */
  readonly plan: Plan;
  /**
   * The stage to render, by name.
   * @default - the plan's first stage
   */
  readonly stage?: string;
  /**
   * The stage the cluster is in before this one; only `gitops.syncWaves` reads it, to order the
   * transition from it.
   * @default - the stage before `stage` in the plan, or `stage` itself for the first
   */
  readonly fromStage?: string;
}

/**
 * Renders one stage of a plan: a Deployment (and PodDisruptionBudget) per workload that exists in
 * the stage, and every Service with the stage's selector. The named constructs
 * (`CanaryService`, `BatchedRollout`, `SelectorCutover`) add the rules of their practice.
 */
export abstract class ReleaseStage extends Construct {
  /** The stage rendered, with its endpoints and traffic shares. */
  readonly state: StageState;
  /** The Deployments, by workload name. */
  readonly workloads: ReadonlyMap<string, WorkloadDeployment>;
  /** The Services, by name. */
  readonly services: ReadonlyMap<string, ReleaseServiceObject>;
  /** The per-track Services and router objects, when the plan routes by weight (`traffic.router`). */
  readonly routing?: TrafficRouter;

  protected constructor(scope: Construct, id: string, kind: ReleaseKind, props: ReleaseStageProps) {
    super(scope, id);
    // parsePlan reports both kinds of problem; a plan built in code must not reach cdk8s-plus with them either.
    const problems = [...kindRuleProblems(props.plan, kind), ...apiServerProblems(props.plan)];
    if (problems.length > 0) throw new StepwiseErrors(problems);
    const { index } = findStage(props.plan, props.stage ?? props.plan.stages[0].name);
    this.state = stageState(props.plan, index);

    // Construct IDs carry a prefix: a bare user name could collide with another child ('traffic',
    // a Service's `service-<name>`) or with an Object.prototype name ('constructor'), which the
    // constructs library keeps its children under.
    const workloads = new Map<string, WorkloadDeployment>();
    for (const running of this.state.workloads) {
      const workloadId = `workload-${running.workload.name}`;
      workloads.set(
        running.workload.name,
        new WorkloadDeployment(this, workloadId, {
          plan: props.plan,
          running,
          stage: templateStage(props.plan, running.workload.name, index),
        }),
      );
    }
    const services = new Map<string, ReleaseServiceObject>();
    for (const service of this.state.services) {
      services.set(service.service.name, new ReleaseServiceObject(this, `service-${service.service.name}`, { plan: props.plan, service }));
    }
    this.workloads = workloads;
    this.services = services;

    const routing = parseTraffic(props.plan);
    if (isWeighted(routing)) this.routing = new TrafficRouter(this, 'traffic', { plan: props.plan, routing, stageIndex: index });
    if (parseGitOps(props.plan).syncWaves) {
      const fromIndex = props.fromStage === undefined ? Math.max(0, index - 1) : findStage(props.plan, props.fromStage).index;
      annotateSyncWaves(this, props.plan, fromIndex, index);
    }
  }
}
