import { podsAfter, type DeploymentPods } from './deployment-pods';
import { StepwiseError } from './errors';
import { LabelIndex } from './label-index';
import { labelsMatch, type Labels } from './labels';
import { nameRecord } from './name-record';
import { definitionIn, type Plan, type PlanCore, type ReleaseService, type Stage, type Workload, type WorkloadInStage } from './plan';

/** A workload as it runs in one stage. */
export interface RunningWorkload {
  /** The workload's definition in this stage (the plan's, with the stage's pod template changes). */
  readonly workload: Workload;
  /** Replicas, image and paused in this stage. */
  readonly state: WorkloadInStage;
  /**
   * The pods it runs once the stage is reached: its replicas with the stage's image, unless it is
   * paused (then it keeps the image it had, and a Deployment created paused has no pods at all).
   */
  readonly pods: DeploymentPods;
}

/** A Service in one stage: its selector and the workloads whose pods it sends traffic to. */
export interface ServiceInStage {
  /** The Service's definition. */
  readonly service: ReleaseService;
  /** The selector in this stage. */
  readonly selector: Labels;
  /** Names of the workloads the selector matches and that exist in this stage, in plan order. */
  readonly endpoints: readonly string[];
  /** How many pods back the Service when every pod is ready (a workload's pods, see RunningWorkload). */
  readonly readyEndpoints: number;
  /**
   * The expected share of the Service's requests per workload: its ready pods over all
   * ready endpoints (kube-proxy spreads connections evenly over endpoints). Empty when the Service
   * has no ready endpoints.
   */
  readonly traffic: Readonly<Record<string, number>>;
}

/**
 * Everything stepwise knows about one stage of a plan, as the cluster runs it. The pods depend on
 * the stage the cluster came from (a paused Deployment keeps the pods it had): `stageState` reaches
 * each stage through the stages before it, in plan order; {@link stageStateFrom} from any other.
 */
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

/**
 * Endpoints and traffic shares of every Service in the stage at `index`, reached the way a release
 * reaches it: the first stage applied to an empty namespace, then each stage after the one before.
 */
export function stageState(plan: Plan, index: number): StageState {
  stageAt(plan, index);
  let states = reached.get(plan);
  if (states === undefined) {
    states = [];
    reached.set(plan, states);
  }
  for (let i = states.length; i <= index; i++) states.push(stageStateFrom(plan, i, states[i - 1]));
  return states[index];
}

/**
 * The stages of each plan reached so far by {@link stageState}, in order. A parsed plan is never
 * changed (its types are readonly), so a stage is computed once per plan however many rules,
 * views and routers ask for it: `check` of a thousand workloads would otherwise compute every
 * stage several times over.
 */
const reached = new WeakMap<Plan, StageState[]>();

/** Every stage of the plan, in order, each reached from the one before ({@link stageState}). */
export function allStageStates(plan: Plan): StageState[] {
  stageState(plan, plan.stages.length - 1);
  return [...(reached.get(plan) as StageState[])];
}

/**
 * The stage at `index` as the cluster runs it after moving there from `previous` (undefined: from
 * an empty namespace, the way the first stage is created). Only the pods of `previous` matter,
 * looked up by workload name, so it may be a stage of another version of the plan. Applying a
 * stage to the cluster already in it changes no pods.
 */
export function stageStateFrom(plan: Plan, index: number, previous: StageState | undefined): StageState {
  return stageStateOf(plan, stageAt(plan, index), index, previous);
}

/** What a stage is computed over: the workload and Service definitions it names. */
export type StageDefinitions = Pick<PlanCore, 'workloads' | 'services'>;

/**
 * `stage` as the cluster runs it after moving there from `previous` (see {@link stageStateFrom}),
 * computed over `definitions` alone: the stage need not belong to them, so `diff` and `check` use
 * it for a stage of another version of the plan. `index` is the stage's position in its own plan.
 */
export function stageStateOf(definitions: StageDefinitions, stage: Stage, index: number, previous: StageState | undefined): StageState {
  const plan = definitions;
  const podsBefore = new Map(previous?.workloads.map((w) => [w.workload.name, w.pods]));
  const workloads = plan.workloads
    .filter((w) => stage.workloads[w.name] !== undefined)
    .map((workload): RunningWorkload => {
      const state = stage.workloads[workload.name];
      // The definition the stage runs: its own pod template changes merged over the workload's.
      return { workload: definitionIn(workload, state), state, pods: podsAfter(workload, podsBefore.get(workload.name), state) };
    });
  const services = servicesInStage(
    plan.services.map((service) => ({ service, selector: stage.serviceSelectors[service.name] })),
    workloads,
  );
  return { stage, index, workloads, services };
}

/** The workloads that exist in the stage at `index`, in plan order, with their state and pods there ({@link stageState}). */
export function runningWorkloads(plan: Plan, index: number): RunningWorkload[] {
  return [...stageState(plan, index).workloads];
}

/**
 * `service` with `selector` over the workloads running in a stage (see {@link runningWorkloads}):
 * its endpoints, ready endpoints and traffic shares. Also used for Services the plan does not
 * declare but a router adds (the per-track Services), so both are counted the same way.
 */
export function serviceInStage(service: ReleaseService, selector: Labels, running: readonly RunningWorkload[]): ServiceInStage {
  return serviceAmong(service, selector, running);
}

/**
 * Each of `services`, with its selector, over the workloads running in a stage, as
 * {@link serviceInStage} counts it; the workloads are indexed by label once for all of them.
 */
export function servicesInStage(
  services: readonly { readonly service: ReleaseService; readonly selector: Labels }[],
  running: readonly RunningWorkload[],
): ServiceInStage[] {
  const byLabel = new LabelIndex(running, (w) => w.workload.labels);
  return services.map(({ service, selector }) => serviceAmong(service, selector, byLabel.candidates(selector)));
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
  const readyEndpoints = matched.reduce((sum, w) => sum + w.pods.count, 0);
  const traffic = nameRecord<number>();
  if (readyEndpoints > 0) {
    for (const w of matched) traffic[w.workload.name] = w.pods.count / readyEndpoints;
  }
  return { service, selector, endpoints: matched.map((w) => w.workload.name), readyEndpoints, traffic };
}

/**
 * Per workload, the share of requests it gets from the first Service (in plan order) that selects
 * it; a workload no Service selects gets 0.
 */
export function trafficByWorkload(state: StageState): Record<string, number> {
  const firstService = new Map<string, ServiceInStage>();
  for (const service of state.services) {
    for (const name of service.endpoints) if (!firstService.has(name)) firstService.set(name, service);
  }
  const result: Record<string, number> = {};
  for (const w of state.workloads) result[w.workload.name] = firstService.get(w.workload.name)?.traffic[w.workload.name] ?? 0;
  return result;
}

/** The workload called `name` as it runs in `state`, or undefined when the stage does not run it. */
export function runningWorkload(state: StageState, name: string): RunningWorkload | undefined {
  let index = runningByName.get(state);
  if (index === undefined) {
    index = new Map(state.workloads.map((w) => [w.workload.name, w]));
    runningByName.set(state, index);
  }
  return index.get(name);
}

const runningByName = new WeakMap<StageState, ReadonlyMap<string, RunningWorkload>>();

/**
 * Per image, the share of requests of the first Service (in plan order): the share already on a
 * new version during a batched rollout, whatever the batches are called. The image is the one the
 * pods run, which a paused Deployment has not rolled out yet.
 */
export function trafficByImage(state: StageState): Record<string, number> {
  const service = state.services.find((s) => s.readyEndpoints > 0);
  const result: Record<string, number> = {};
  if (!service) return result;
  for (const w of state.workloads) {
    const share = service.traffic[w.workload.name];
    const image = w.pods.image;
    if (share !== undefined && image !== undefined) result[image] = (result[image] ?? 0) + share;
  }
  return result;
}
