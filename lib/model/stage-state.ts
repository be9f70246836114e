import { StepwiseError } from './errors';
import { LabelIndex } from './label-index';
import { labelsMatch, type Labels } from './labels';
import type { Plan, ReleaseService, Stage, Workload, WorkloadInStage } from './plan';

/** A workload as it runs in one stage. */
export interface RunningWorkload {
  /** The workload's definition. */
  readonly workload: Workload;
  /** Replicas, image and paused in this stage. */
  readonly state: WorkloadInStage;
}

/** A Service in one stage: its selector and the workloads whose pods it sends traffic to. */
export interface ServiceInStage {
  /** The Service's definition. */
  readonly service: ReleaseService;
  /** The selector in this stage. */
  readonly selector: Labels;
  /** Names of the workloads the selector matches and that exist in this stage, in plan order. */
  readonly endpoints: readonly string[];
  /** How many pods back the Service when every replica is ready. */
  readonly readyEndpoints: number;
  /**
   * The expected share of the Service's requests per workload: its ready replicas over all
   * ready endpoints (kube-proxy spreads connections evenly over endpoints). Empty when the Service
   * has no ready endpoints.
   */
  readonly traffic: Readonly<Record<string, number>>;
}

/** Everything stepwise knows about one stage of a plan. */
export interface StageState {
  /** The stage's definition. */
  readonly stage: Stage;
  /** Its position in the plan (0-based). */
  readonly index: number;
  /** The workloads that exist in this stage, in plan order. */
  readonly workloads: readonly RunningWorkload[];
  /** Every Service, in plan order. */
  readonly services: readonly ServiceInStage[];
}

/** The stage called `name`, or a StepwiseError listing the stages there are. */
export function findStage(plan: Plan, name: string): { stage: Stage; index: number } {
  const index = plan.stages.findIndex((s) => s.name === name);
  if (index < 0) {
    throw new StepwiseError({
      keyPath: 'stage',
      problem: `unknown stage '${name}'`,
      fix: `use one of: ${plan.stages.map((s) => s.name).join(', ')}`,
    });
  }
  return { stage: plan.stages[index], index };
}

/** Endpoints and traffic shares of every Service in the stage at `index`. */
export function stageState(plan: Plan, index: number): StageState {
  const stage = stageAt(plan, index);
  const workloads = runningWorkloads(plan, index);
  const byLabel = new LabelIndex(workloads, (w) => w.workload.labels);
  const services = plan.services.map((service) => {
    const selector = stage.serviceSelectors[service.name];
    return serviceAmong(service, selector, byLabel.candidates(selector));
  });
  return { stage, index, workloads, services };
}

/** Every stage of the plan, in order. */
export function allStageStates(plan: Plan): StageState[] {
  return plan.stages.map((_, i) => stageState(plan, i));
}

/** The workloads that exist in the stage at `index`, in plan order, with their state there. */
export function runningWorkloads(plan: Plan, index: number): RunningWorkload[] {
  const stage = stageAt(plan, index);
  return plan.workloads
    .filter((w) => stage.workloads[w.name] !== undefined)
    .map((workload) => ({ workload, state: stage.workloads[workload.name] }));
}

/**
 * `service` with `selector` over the workloads running in a stage (see {@link runningWorkloads}):
 * its endpoints, ready endpoints and traffic shares. Also used for Services the plan does not
 * declare but a router adds (the per-track Services), so both are counted the same way.
 */
export function serviceInStage(service: ReleaseService, selector: Labels, running: readonly RunningWorkload[]): ServiceInStage {
  return serviceAmong(service, selector, running);
}

/** The stage at `index`, or a StepwiseError naming the stages there are. */
function stageAt(plan: Plan, index: number): Stage {
  const stage = Number.isInteger(index) ? plan.stages[index] : undefined;
  if (!stage) {
    throw new StepwiseError({
      keyPath: 'stage',
      problem: `there is no stage at index ${index}: the plan has ${plan.stages.length} (${plan.stages.map((s) => s.name).join(', ')})`,
      fix: `use an index from 0 to ${plan.stages.length - 1}, or look the stage up by name with findStage`,
    });
  }
  return stage;
}

/** The Service over `candidates`, a superset of its matches in plan order (each is tested). */
function serviceAmong(service: ReleaseService, selector: Labels, candidates: readonly RunningWorkload[]): ServiceInStage {
  const matched = candidates.filter((w) => labelsMatch(selector, w.workload.labels));
  const readyEndpoints = matched.reduce((sum, w) => sum + w.state.replicas, 0);
  const traffic: Record<string, number> = {};
  if (readyEndpoints > 0) {
    for (const w of matched) traffic[w.workload.name] = w.state.replicas / readyEndpoints;
  }
  return { service, selector, endpoints: matched.map((w) => w.workload.name), readyEndpoints, traffic };
}

/**
 * Per workload, the share of requests it gets from the first Service (in plan order) that selects
 * it; a workload no Service selects gets 0.
 */
export function trafficByWorkload(state: StageState): Record<string, number> {
  const result: Record<string, number> = {};
  for (const w of state.workloads) {
    const service = state.services.find((s) => s.endpoints.includes(w.workload.name));
    result[w.workload.name] = service?.traffic[w.workload.name] ?? 0;
  }
  return result;
}

/**
 * Per image, the share of requests of the first Service (in plan order): the share already on a
 * new version during a batched rollout, whatever the batches are called.
 */
export function trafficByImage(state: StageState): Record<string, number> {
  const service = state.services.find((s) => s.readyEndpoints > 0);
  const result: Record<string, number> = {};
  if (!service) return result;
  for (const w of state.workloads) {
    const share = service.traffic[w.workload.name];
    if (share !== undefined) result[w.state.image] = (result[w.state.image] ?? 0) + share;
  }
  return result;
}
