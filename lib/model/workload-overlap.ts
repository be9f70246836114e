/**
 * Workloads whose Deployment selectors overlap: one selector also matches another workload's pod
 * labels, as the blog's `nginx-dm` (selector `name: nginx`) matches `nginx-v2`'s pods
 * (`name: nginx, version: v2`). Pure.
 *
 * Kubernetes keeps such Deployments' pods apart: a Deployment claims only ReplicaSets it controls
 * or orphans its selector matches (`ClaimReplicaSets`, pkg/controller/deployment), a ReplicaSet
 * only pods it controls or orphans, and each ReplicaSet's selector carries its own
 * `pod-template-hash`. What does not keep them apart is everything that selects pods by label
 * alone: a PodDisruptionBudget (a pod under two budgets cannot be evicted at all), an autoscaler
 * (it reads the pods of the Deployment's `status.selector`), and an orphaned ReplicaSet or pod
 * (the broader Deployment adopts it). Only pods with identical labels cannot be told apart by any
 * selector.
 */
import { LabelIndex } from './label-index';
import { sameLabels, workloadSelectorMatches, type LabelRequirement, type Labels, type WorkloadSelector } from './labels';

/** What this file needs of a workload: its name, its pod labels and its Deployment selector. */
export interface SelectingWorkload {
  /** The workload's (and its Deployment's) name. */
  readonly name: string;
  /** The labels on its pods. */
  readonly labels: Labels;
  /** Its Deployment's `spec.selector`. */
  readonly selector: WorkloadSelector;
}

/** One workload whose selector also matches another's pods. */
export interface SelectorOverlap<W extends SelectingWorkload = SelectingWorkload> {
  /** The workload whose selector is the broader one. */
  readonly selecting: W;
  /** The workload whose pods it also matches. */
  readonly selected: W;
  /** True when the two carry the same pod labels: no selector can tell their pods apart. */
  readonly identicalPodLabels: boolean;
}

/** Every ordered pair (a, b) where a's selector matches b's pod labels, in the order of `workloads`. */
export function selectorOverlaps<W extends SelectingWorkload>(workloads: readonly W[]): SelectorOverlap<W>[] {
  // Looked up by label pair, not compared pairwise: a plan may hold thousands of workloads.
  const byLabel = new LabelIndex(workloads, (w) => w.labels);
  return workloads.flatMap((a) =>
    byLabel
      .candidates(a.selector.matchLabels)
      .filter((b) => a !== b && workloadSelectorMatches(a.selector, b.labels))
      .map((b) => ({ selecting: a, selected: b, identicalPodLabels: sameLabels(a.labels, b.labels) })),
  );
}

/**
 * The selector of `workload`'s PodDisruptionBudget: its Deployment selector, narrowed so that it
 * selects none of the pods of `others` it would otherwise match. The eviction API refuses to evict
 * a pod that more than one budget selects ("This pod has more than one PodDisruptionBudget",
 * pkg/registry/core/pod/storage/eviction.go), so two overlapping budgets would block every drain.
 *
 * For each other workload whose pods the selector matches, one requirement on the first label key
 * (sorted) whose value tells the two apart: `key In (own value)` when this workload carries the
 * key, `key DoesNotExist` when only the other does. When the pod labels are identical nothing can
 * tell them apart (parsePlan and `check` refuse that plan); the selector is left as it is.
 */
export function disruptionBudgetSelector(workload: SelectingWorkload, others: readonly SelectingWorkload[]): WorkloadSelector {
  const added: LabelRequirement[] = [];
  const holds = (selector: WorkloadSelector, labels: Labels) => workloadSelectorMatches(selector, labels);
  for (const other of others) {
    if (other.name === workload.name) continue;
    const current: WorkloadSelector = {
      matchLabels: workload.selector.matchLabels,
      matchExpressions: [...workload.selector.matchExpressions, ...added],
    };
    if (!holds(current, other.labels)) continue;
    const requirement = telling(workload.labels, other.labels);
    if (requirement && !added.some((r) => r.key === requirement.key && r.operator === requirement.operator)) added.push(requirement);
  }
  if (added.length === 0) return workload.selector;
  return { matchLabels: workload.selector.matchLabels, matchExpressions: [...workload.selector.matchExpressions, ...added] };
}

/** A requirement that `own` pod labels satisfy and `other` pod labels do not, or undefined when they are identical. */
function telling(own: Labels, other: Labels): LabelRequirement | undefined {
  const keys = [...new Set([...Object.keys(own), ...Object.keys(other)])].sort();
  for (const key of keys) {
    const mine = Object.prototype.hasOwnProperty.call(own, key) ? own[key] : undefined;
    const theirs = Object.prototype.hasOwnProperty.call(other, key) ? other[key] : undefined;
    if (mine === theirs) continue;
    return mine === undefined ? { key, operator: 'DoesNotExist', values: [] } : { key, operator: 'In', values: [mine] };
  }
  return undefined;
}

/**
 * {@link disruptionBudgetSelector} of every workload of `workloads` (one stage's) whose selector
 * matches another's pods, by name; the others keep their Deployment selector and are not listed.
 * Indexed by label pair, so a stage of thousands of workloads is not compared pairwise.
 */
export function disruptionBudgetSelectors(workloads: readonly SelectingWorkload[]): Map<string, WorkloadSelector> {
  const selected = new Map<SelectingWorkload, SelectingWorkload[]>();
  for (const { selecting, selected: other } of selectorOverlaps(workloads))
    selected.set(selecting, [...(selected.get(selecting) ?? []), other]);
  return new Map([...selected].map(([w, others]) => [w.name, disruptionBudgetSelector(w, others)]));
}
