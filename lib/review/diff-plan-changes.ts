/**
 * What changed in the plan itself between two versions of a stack file (`stepwise diff --base`):
 * beyond the stage, a pull request can change a workload's definition, a Service's type or the
 * namespace. Some of those Pulumi can only apply by replacing the object (delete, then create): a
 * reviewer must see them before merging. What Kubernetes rejects outright (a changed Deployment
 * selector, a renamed Deployment) is a `stepwise check` finding: `checkStagePair` in check.ts.
 */
import { named } from '../model/named';
import { POD_TEMPLATE_KEYS, formatLabels, type Plan, type Workload } from '../model';
import { describeSelector } from './check-workloads';

/**
 * How a plan change reaches the cluster:
 * - `replace`: Pulumi replaces the object (delete + create);
 * - `roll-out`: the pod template changes, so every pod of the Deployment is replaced by a rolling update;
 * - `update`: applied in place, no pod is replaced.
 */
export type PlanChangeEffect = 'replace' | 'roll-out' | 'update';

/** One change between two versions of a plan. */
export interface PlanChange {
  /** The object, as `Kind/name` (`Deployment/fop-gate`), or `plan` for plan-wide settings. */
  readonly object: string;
  /** How it reaches the cluster. */
  readonly effect: PlanChangeEffect;
  /** What changed, in plain words with the values, e.g. `selector app=a,track=stable → app=a,track=blue`. */
  readonly what: string;
  /** What that means for the release. */
  readonly consequence: string;
}

/** Deployment (or PodDisruptionBudget) fields Kubernetes updates in place. */
const IN_PLACE_FIELDS = [
  'minReadySeconds',
  'progressDeadlineSeconds',
  'revisionHistoryLimit',
  'strategy',
  'disruptionBudget',
] as const satisfies readonly (keyof Workload)[];

const EFFECT_ORDER: Readonly<Record<PlanChangeEffect, number>> = { replace: 0, 'roll-out': 1, update: 2 };

/**
 * The changes from `before` to `after` that are not stage changes (those are the stage diff's):
 * replacements first, then roll-outs, then in-place updates; within each, in plan order.
 * Workloads and Services present in only one version are not listed: the stage diff shows them
 * as created or deleted.
 */
export function planChanges(before: Plan, after: Plan): PlanChange[] {
  const changes: PlanChange[] = [];
  if (before.namespace !== after.namespace) {
    changes.push({
      object: 'plan',
      effect: 'replace',
      what: `namespace ${before.namespace} → ${after.namespace}`,
      consequence: `every object is replaced: it is created in ${after.namespace} and deleted from ${before.namespace} (Pulumi replaces an object whose namespace changes), so the release starts from nothing in the new namespace`,
    });
  }
  if (before.kind !== after.kind) {
    changes.push({
      object: 'plan',
      effect: 'update',
      what: `kind ${before.kind} → ${after.kind}`,
      consequence: 'the plan is rendered by another construct; check every object in the manifest diff',
    });
  }
  for (const workload of after.workloads) {
    const old = named(before.workloads, workload.name);
    if (old) changes.push(...workloadChanges(old, workload));
  }
  for (const service of after.services) {
    const old = named(before.services, service.name);
    if (!old) continue;
    if (old.type !== service.type) {
      changes.push({
        object: `Service/${service.name}`,
        effect: 'replace',
        what: `type ${old.type} → ${service.type}`,
        consequence: `Pulumi replaces Service/${service.name} (spec.type forces a replacement): it is deleted and created again, so its cluster IP changes and open connections drop`,
      });
    }
    if (JSON.stringify(old.ports) !== JSON.stringify(service.ports)) {
      changes.push({
        object: `Service/${service.name}`,
        effect: 'update',
        what: `ports ${describePorts(old.ports)} → ${describePorts(service.ports)}`,
        consequence: 'updated in place; clients of a removed port lose it at once',
      });
    }
    if (formatLabels(old.selector) !== formatLabels(service.selector)) {
      changes.push({
        object: `Service/${service.name}`,
        effect: 'update',
        what: `default selector {${formatLabels(old.selector)}} → {${formatLabels(service.selector)}}`,
        consequence: 'applies to every stage that does not set its own selector; the stage diff shows the endpoints it selects',
      });
    }
  }
  return changes
    .map((change, i) => ({ change, i }))
    .sort((a, b) => EFFECT_ORDER[a.change.effect] - EFFECT_ORDER[b.change.effect] || a.i - b.i)
    .map(({ change }) => change);
}

function workloadChanges(before: Workload, after: Workload): PlanChange[] {
  const object = `Deployment/${after.name}`;
  const changes: PlanChange[] = [];
  // Workload labels include the plan's common labels, so a change of those shows here too.
  const template: string[] = POD_TEMPLATE_KEYS.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
  const oldSelector = describeSelector(before.selector);
  const newSelector = describeSelector(after.selector);
  if (oldSelector !== newSelector) {
    // The same verdict as check's `deployment-selector-changed`: not a rolling update, whatever else changed.
    changes.push({
      object,
      effect: 'replace',
      what: `selector ${oldSelector} → ${newSelector}${template.length > 0 ? ` (with pod template: ${template.join(', ')})` : ''}`,
      consequence: `Kubernetes cannot change a Deployment's selector, so Pulumi replaces ${object}: it is deleted with all its pods and created again, not rolled`,
    });
  } else if (template.length > 0) {
    changes.push({
      object,
      effect: 'roll-out',
      what: `pod template: ${template.join(', ')}`,
      consequence: `every pod of ${object} is replaced by a rolling update (${describeStrategy(after)}), even where the stage keeps its image`,
    });
  }
  const inPlace = IN_PLACE_FIELDS.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
  if (inPlace.length > 0) {
    changes.push({ object, effect: 'update', what: inPlace.join(', '), consequence: 'updated in place; no pod is replaced' });
  }
  return changes;
}

function describeStrategy(workload: Workload): string {
  const strategy = workload.strategy;
  return strategy.type === 'Recreate'
    ? 'Recreate: every old pod stops first'
    : `maxSurge ${strategy.maxSurge}, maxUnavailable ${strategy.maxUnavailable}`;
}

function describePorts(ports: Plan['services'][number]['ports']): string {
  return ports.map((p) => `${p.port}→${p.targetPort}${p.nodePort ? ` (node ${p.nodePort})` : ''}`).join(', ') || 'none';
}
