/**
 * Which stage of the plan the cluster is in: the live objects compared, field by field, with what
 * each stage sets (stage-spec.ts). A stage matches when nothing differs; when none does, the
 * differences from the stack file's stage are the drift. Pure.
 */
import { formatLabels, sameLabels } from '../model/labels';
import type { Plan } from '../model/plan';
import type { TrafficRouting } from '../routing';
import type { LiveCluster } from './live-cluster';
import type { LiveRouterWeights } from './router-weights';
import { templateDifferences } from './pod-template-match';
import { stageSpec, type RenderedTemplates, type StageSpec } from './stage-spec';

/** One field whose live value is not the stage's. */
export interface SpecDifference {
  /** `Deployment`, `Service`, or the router object's kind (`HTTPRoute`, `Ingress`, `TrafficSplit`). */
  readonly kind: string;
  /** The object's name. */
  readonly name: string;
  /**
   * The field: `exists`, `spec.replicas`, `spec.paused`, `containers.<name>.image`,
   * `template.<path>` (a pod template field other than the images, e.g.
   * `template.spec.containers.orders-api.env.FEATURE_X.value`), `spec.selector` (as `a=b,c=d`),
   * or `weights.<track>` (a router's weight of a track).
   */
  readonly field: string;
  /** The live value; null when there is none (a container the cluster does not have). */
  readonly live: string | number | boolean | null;
  /** The stage's value; null when the stage has none (a container it does not render). */
  readonly planned: string | number | boolean | null;
}

/** Which stage the cluster is in. */
export interface StageMatch {
  /**
   * The stage the cluster is in, or null when no stage matches. When several match (stages that
   * differ only in weights the cluster did not let stepwise read), the stack file's stage, else
   * the stage it came from (`stepwise:fromStage`), else the first in plan order.
   */
  readonly stage: string | null;
  /** Every stage that matches, in plan order. */
  readonly matches: readonly string[];
  /** When no stage matches: what differs from the stack file's stage (`stepwise:stage`); else empty. */
  readonly drift: readonly SpecDifference[];
  /**
   * When no stage matches: the stage with the fewest differences and how many (the stack file's
   * stage on a tie, else the first in plan order); else null.
   */
  readonly nearest: { readonly stage: string; readonly differences: number } | null;
}

/**
 * The differences between the live objects and `spec`. The router's weights are compared only
 * when they could be read (`weights` with `weights`); otherwise only Deployments and Services.
 */
export function specDifferences(spec: StageSpec, live: LiveCluster, weights: LiveRouterWeights | undefined): SpecDifference[] {
  const differences: SpecDifference[] = [];
  const deployments = new Map(live.deployments.map((d) => [d.name, d]));
  for (const planned of spec.deployments) {
    const found = deployments.get(planned.name);
    const differs = (field: string, liveValue: SpecDifference['live'], plannedValue: SpecDifference['planned']) =>
      differences.push({ kind: 'Deployment', name: planned.name, field, live: liveValue, planned: plannedValue });
    if (!found) {
      differs('exists', false, true);
      continue;
    }
    if (found.replicas !== planned.replicas) differs('spec.replicas', found.replicas, planned.replicas);
    const container = found.containers.find((c) => c.name === planned.container.name);
    if (container?.image !== planned.container.image) {
      differs(`containers.${planned.container.name}.image`, container?.image ?? null, planned.container.image);
    }
    for (const other of found.containers) {
      if (other.name === planned.container.name) continue;
      const sidecar = planned.sidecars.find((c) => c.name === other.name);
      if (other.image !== sidecar?.image) differs(`containers.${other.name}.image`, other.image, sidecar?.image ?? null);
    }
    if (planned.template !== undefined && found.template !== undefined) {
      // The images are compared above, each under its own field.
      for (const d of templateDifferences(planned.template, found.template, (path) => /^spec\.containers\.[^.]+\.image$/.test(path))) {
        differs(`template.${d.path}`, d.live, d.planned);
      }
    }
    if (found.paused !== planned.paused) differs('spec.paused', found.paused, planned.paused);
  }
  for (const name of spec.absentDeployments) {
    if (deployments.has(name)) differences.push({ kind: 'Deployment', name, field: 'exists', live: true, planned: false });
  }
  const services = new Map(live.services.map((s) => [s.name, s]));
  for (const planned of spec.services) {
    const found = services.get(planned.name);
    if (!found) differences.push({ kind: 'Service', name: planned.name, field: 'exists', live: false, planned: true });
    else if (!sameLabels(found.selector, planned.selector)) {
      differences.push({
        kind: 'Service',
        name: planned.name,
        field: 'spec.selector',
        live: formatLabels(found.selector),
        planned: formatLabels(planned.selector),
      });
    }
  }
  if (spec.routerWeights && weights && 'weights' in weights) {
    for (const [track, planned] of Object.entries(spec.routerWeights)) {
      const value = weights.weights[track] ?? null;
      if (value !== planned) differences.push({ kind: weights.kind, name: weights.name, field: `weights.${track}`, live: value, planned });
    }
  }
  return differences;
}

/**
 * The stage the cluster is in, judged against every stage of `plan`. With `templates` (each
 * stage's rendered pod templates, in stage order) the Deployments' pod templates are compared
 * too, so stages that differ only in an env var or a limit are told apart.
 */
export function matchStage(
  plan: Plan,
  routing: TrafficRouting,
  live: LiveCluster,
  weights: LiveRouterWeights | undefined,
  stackStage: string,
  fromStage: string,
  templates?: readonly RenderedTemplates[],
): StageMatch {
  const differences = plan.stages.map((_, i) => specDifferences(stageSpec(plan, routing, i, templates?.[i]), live, weights));
  const matches = plan.stages.filter((_, i) => differences[i].length === 0).map((s) => s.name);
  const stage = [stackStage, fromStage].find((s) => matches.includes(s)) ?? matches[0] ?? null;
  if (stage !== null) return { stage, matches, drift: [], nearest: null };
  const stackIndex = plan.stages.findIndex((s) => s.name === stackStage);
  let nearest = stackIndex;
  differences.forEach((d, i) => {
    if (d.length < differences[nearest].length) nearest = i;
  });
  return {
    stage,
    matches,
    drift: differences[stackIndex],
    nearest: { stage: plan.stages[nearest].name, differences: differences[nearest].length },
  };
}
