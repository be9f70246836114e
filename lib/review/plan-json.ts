import { sortedLabels, type Labels } from '../model/labels';
import { podVersion } from '../model/new-version';
import { definitionIn, type ReleaseKind, type Workload, type WorkloadInStage } from '../model/plan';
import { templateChanges } from '../model/pod-template';
import { allStageStates, type StageState } from '../model/stage-state';
import { formatDuration, stagePolicies, type FailureAction, type StagePolicy } from '../model/stage-policy';
import { consecutiveTransitions, type TransitionPhase, type WorkloadChange } from '../model/transition';
import { routedTraffic } from '../routing/routed-traffic';
import type { Stack } from '../stacks/stack-config';

/**
 * What `stepwise plan` shows, as data: every stage (replicas, images, Service endpoints, traffic
 * shares) and every transition between consecutive stages (peak pods, fewest available pods, per
 * Service the fewest ready endpoints against the capacity floor). `--json` prints it as is; the
 * table and the SVG chart are drawn from it, so the three never disagree.
 */
export interface PlanView {
  /** Stack name. */
  readonly stack: string;
  /** The plan's release kind. */
  readonly kind: ReleaseKind;
  /** Namespace of every object. */
  readonly namespace: string;
  /** The stage the cluster should be in (`stepwise:stage`). */
  readonly stage: string;
  /** Every stage, in release order. */
  readonly stages: readonly StageView[];
  /** The transitions from each stage to the next. */
  readonly transitions: readonly TransitionView[];
  /**
   * The versions the stages run, in order of first appearance (the first stage's first): a
   * version is a pod template but its labels (lib/model/new-version.ts), so the same image with
   * an env var or a limit changed is another version.
   */
  readonly versions: readonly VersionView[];
}

/** One version the plan runs. */
export interface VersionView {
  /** Its number, from 1 in order of first appearance. */
  readonly version: number;
  /** Its image. */
  readonly image: string;
  /**
   * What differs from the first version with the same image (`env.FEATURE_X off → on`), in
   * template order; empty for the first version of each image.
   */
  readonly changes: readonly string[];
}

/** One stage. */
export interface StageView {
  /** Stage name. */
  readonly name: string;
  /** What the stage is for, when the stack file says. */
  readonly description?: string;
  /** True for the stage the cluster should be in. */
  readonly current: boolean;
  /** The workloads that exist in the stage, in plan order. */
  readonly workloads: readonly {
    readonly name: string;
    readonly replicas: number;
    readonly image: string;
    readonly paused: boolean;
    /** The version (see `PlanView.versions`) its spec runs in this stage: its pods once rolled out. */
    readonly version: number;
  }[];
  /** Every Service: its selector in this stage and the workloads it sends requests to. */
  readonly services: readonly {
    readonly name: string;
    readonly selector: Labels;
    readonly endpoints: readonly string[];
    readonly readyEndpoints: number;
  }[];
  /**
   * Per workload of the stage, its share of requests (0-1) as the plan's router sends them: the
   * stage's track weights (`traffic.router`), else its share of the first Service selecting it.
   */
  readonly traffic: Readonly<Record<string, number>>;
  /** What `stepwise release` does around the stage, when the stack file sets any of soak, approval or onFailure. */
  readonly release?: StageReleaseView;
}

/** A stage's release policy as plan and diff show it (lib/model/stage-policy.ts). */
export interface StageReleaseView {
  /** Soak after the stage settles, as a duration (`5m`), or null for none. */
  readonly soak: string | null;
  /** Whether the stage needs an approval before it is applied. */
  readonly approval: 'required' | 'none';
  /** What a failed gate does. */
  readonly onFailure: FailureAction;
}

/** The view of a policy the stack file writes, or undefined when it sets none of its keys. */
export function stageReleaseView(policy: StagePolicy): StageReleaseView | undefined {
  if (!policy.written) return undefined;
  return {
    soak: policy.soakSeconds > 0 ? formatDuration(policy.soakSeconds) : null,
    approval: policy.approvalRequired ? 'required' : 'none',
    onFailure: policy.onFailure,
  };
}

/** The move from one stage to the next. */
export interface TransitionView {
  /** The stage before. */
  readonly from: string;
  /** The stage after. */
  readonly to: string;
  /** The most pods that exist at once. */
  readonly peakPods: number;
  /** The fewest available pods at any point. */
  readonly minAvailablePods: number;
  /**
   * What happens to each workload present in either stage: the change, whether its pods are
   * replaced (`rollsOut`), and the phase it is applied in (a scale-down is `break`, also when it
   * rolls out: see lib/model/transition.ts).
   */
  readonly workloads: readonly {
    readonly name: string;
    readonly change: WorkloadChange;
    readonly rollsOut: boolean;
    readonly phase: TransitionPhase;
    /** Pod template changes other than the image (`env.FEATURE_X off → on`); left out when there are none. */
    readonly template?: readonly string[];
  }[];
  /** Per Service: the fewest ready endpoints (and in which phase) against its capacity floor. */
  readonly services: readonly {
    readonly name: string;
    readonly selectorChanges: boolean;
    readonly endpointsBefore: number;
    readonly endpointsAfter: number;
    readonly minReadyEndpoints: number;
    readonly minDuring: 'make' | 'switch' | 'break';
    readonly capacityFloor: number;
  }[];
}

/** The plan view of a stack, computed by the pure model (no cdk8s). */
export function planView(stack: Stack): PlanView {
  const { plan } = stack;
  const states = allStageStates(plan);
  const policies = stagePolicies(plan);
  const versions = new PlanVersions();
  const stages = states.map((state): StageView => ({
    name: state.stage.name,
    ...(state.stage.description !== undefined ? { description: state.stage.description } : {}),
    current: state.stage.name === stack.stage,
    workloads: state.workloads.map((w) => ({
      name: w.workload.name,
      replicas: w.state.replicas,
      image: w.state.image,
      paused: w.state.paused,
      version: versions.of(w.workload, w.state),
    })),
    services: state.services.map((s) => ({
      name: s.service.name,
      selector: sortedLabels(s.selector),
      endpoints: s.endpoints,
      readyEndpoints: s.readyEndpoints,
    })),
    traffic: routedTraffic(state, plan.traffic),
    ...releaseOf(policies[state.index]),
  }));
  const definitions = (state: StageState) => new Map(state.workloads.map((r) => [r.workload.name, r.workload]));
  const transitions = consecutiveTransitions(plan, states).map((t): TransitionView => {
    // Looked up by name, not searched: a plan may hold thousands of workloads.
    const before = definitions(t.from);
    const after = definitions(t.to);
    return {
      from: t.from.stage.name,
      to: t.to.stage.name,
      peakPods: t.peakPods,
      minAvailablePods: t.minAvailablePods,
      workloads: t.workloads.map((w) => {
        const template = w.from && w.to ? templateChanges(before.get(w.name), after.get(w.name)) : [];
        return { name: w.name, change: w.change, rollsOut: w.rollsOut, phase: w.phase, ...(template.length > 0 ? { template } : {}) };
      }),
      services: t.services.map((s) => ({
        name: s.name,
        selectorChanges: s.selectorChanges,
        endpointsBefore: s.endpointsBefore,
        endpointsAfter: s.endpointsAfter,
        minReadyEndpoints: s.minReadyEndpoints,
        minDuring: s.minDuring,
        capacityFloor: s.capacityFloor,
      })),
    };
  });
  return {
    stack: stack.name,
    kind: plan.kind,
    namespace: plan.namespace,
    stage: stack.stage,
    stages,
    transitions,
    versions: versions.views,
  };
}

/** The versions of a plan numbered as they are met, each described against the first version of its image. */
class PlanVersions {
  readonly views: VersionView[] = [];
  private readonly numbers = new Map<string, number>();
  private readonly firstOfImage = new Map<string, Workload>();

  /** The number of the version `workload` runs where its state is `state` (its definition in that stage). */
  of(workload: Workload, state: WorkloadInStage): number {
    const key = podVersion(workload, state);
    const known = this.numbers.get(key);
    if (known !== undefined) return known;
    const definition = definitionIn(workload, state);
    const first = this.firstOfImage.get(state.image);
    if (first === undefined) this.firstOfImage.set(state.image, definition);
    // The labels tell workloads apart and are not part of a version.
    const changes = first ? templateChanges(first, definition).filter((change) => !change.startsWith('labels.')) : [];
    const version = this.views.length + 1;
    this.numbers.set(key, version);
    this.views.push({ version, image: state.image, changes });
    return version;
  }
}

function releaseOf(policy: StagePolicy): { release?: StageReleaseView } {
  const release = stageReleaseView(policy);
  return release ? { release } : {};
}

/** `stepwise plan --json`: the view as indented JSON with a final newline. */
export function planJson(view: PlanView): string {
  return `${JSON.stringify(view, null, 2)}\n`;
}
