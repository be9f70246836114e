import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXAMPLE_STACKS, exampleStack } from './support/example-stacks';
import { deployUnderMocks, exampleStackAt, type Registration } from './support/pulumi-mocks';

/** The identity of a Kubernetes object, independent of how stepwise names its resource. */
function identity(r: Registration): string {
  const metadata = r.inputs.metadata as { name: string; namespace?: string };
  return `${String(r.inputs.apiVersion)} ${String(r.inputs.kind)} ${metadata.namespace ?? ''}/${metadata.name}`;
}

/**
 * Each example stack walked stage by stage as a user releases it (each `pulumi up` entered from
 * the stage before): per stage, the registered objects by identity. The first stage is entered
 * back from the second (a rollback to the start): it registers the same objects, and the program
 * refuses to create a Service that selects no pods but not to keep one (see pulumi-stages).
 */
async function walk(stack: string): Promise<{ stage: string; objects: Map<string, Registration> }[]> {
  const steps = [];
  const stages = exampleStack(stack).plan.stages.map((s) => s.name);
  for (const [i, stage] of stages.entries()) {
    const { objects } = await deployUnderMocks(exampleStackAt(stack, stage, stages[i === 0 ? 1 : i - 1]));
    steps.push({ stage, objects: new Map(objects.map((r) => [identity(r), r])) });
  }
  return steps;
}

/** Every pair of consecutive stages of every example, with the objects present in both (walked once). */
let walked: ReturnType<typeof walkAll> | undefined;
function consecutivePairs() {
  walked ??= walkAll();
  return walked;
}

async function walkAll() {
  const pairs = [];
  for (const stack of EXAMPLE_STACKS) {
    const steps = await walk(stack);
    for (let i = 1; i < steps.length; i++) {
      const before = steps[i - 1];
      const after = steps[i];
      const shared = [...after.objects.keys()].filter((id) => before.objects.has(id));
      pairs.push({
        label: `${stack}: ${before.stage} → ${after.stage}`,
        shared: shared.map((id) => ({ id, before: before.objects.get(id) as Registration, after: after.objects.get(id) as Registration })),
      });
    }
  }
  return pairs;
}

/** The paths (`spec.replicas`, `spec.template.spec.containers[0].image`) where two values differ. */
function changedPaths(a: unknown, b: unknown, at = ''): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [at];
    return a.flatMap((value, i) => changedPaths(value, b[i], `${at}[${i}]`));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k));
  }
  return a === b ? [] : [at];
}

/**
 * The fields whose change makes pulumi-kubernetes replace the resource, as listed by the
 * provider's `forceNewProperties` (provider/pkg/provider/diff.go): `.metadata.name` and
 * `.metadata.namespace` of every kind, a Deployment's `.spec.selector`, a Service's
 * `.spec.clusterIP`. A Service's `.spec.type` and a PodDisruptionBudget's `.spec.selector` can be
 * updated in place, but a release never has a reason to change them, so they are held too.
 */
const IMMUTABLE: Record<string, readonly string[]> = {
  Deployment: ['metadata.name', 'metadata.namespace', 'spec.selector'],
  Service: ['metadata.name', 'metadata.namespace', 'spec.clusterIP', 'spec.type'],
  PodDisruptionBudget: ['metadata.name', 'metadata.namespace', 'spec.selector'],
};
/** Every other kind (Ingress, HTTPRoute, TrafficSplit): its name and namespace. */
const IMMUTABLE_BY_DEFAULT = ['metadata.name', 'metadata.namespace'];

/**
 * The fields a stage may change, per kind: what `pulumi preview --diff` should show for a step.
 * Routers carry the stage's weights; any object may carry the GitOps sync wave of the step.
 */
const STAGED: Record<string, RegExp> = {
  // The change-cause names the stage that brought in the pod template, so it changes with it. A
  // stage may change any field of the pod template (orders-api changes an env var, then a limit),
  // never its labels.
  Deployment:
    /^(spec\.(replicas|paused|template\.spec\..+|template\.metadata\.annotations\..+)|metadata\.annotations\.kubernetes\.io\/change-cause)$/,
  Service: /^spec\.selector\.[^.]+$/,
  PodDisruptionBudget: /(?!)/, // matches nothing: a budget never changes with the stage
  HTTPRoute: /^spec\.rules\[\d+\]\.backendRefs\[\d+\]\.weight$/,
  TrafficSplit: /^spec\.backends\[\d+\]\.weight$/,
  Ingress: /^metadata\.annotations\.nginx\.ingress\.kubernetes\.io\/canary-weight$/,
};
const SYNC_WAVE = /^metadata\.annotations\.argocd\.argoproj\.io\/sync-wave$/;

function fieldAt(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

describe('walking every example stack stage by stage', () => {
  test('no object changes its Pulumi name or resource type between consecutive stages, so Pulumi never deletes and recreates one', async () => {
    let compared = 0;
    for (const { label, shared } of await consecutivePairs()) {
      for (const { id, before, after } of shared) {
        assert.equal(after.urn, before.urn, `${label}: ${id}`);
        compared += 1;
      }
    }
    assert.ok(compared > 30, `only ${compared} objects were present in consecutive stages`);
  });

  test('no object changes a field Kubernetes or pulumi-kubernetes cannot update in place between consecutive stages', async () => {
    for (const { label, shared } of await consecutivePairs()) {
      for (const { id, before, after } of shared) {
        const fields = IMMUTABLE[String(after.inputs.kind)] ?? IMMUTABLE_BY_DEFAULT;
        for (const field of fields)
          assert.deepEqual(fieldAt(after.inputs, field), fieldAt(before.inputs, field), `${label}: ${id} ${field}`);
      }
    }
  });

  test('between consecutive stages only replicas, the pod template, paused and Service selectors change', async () => {
    const seen = new Set<string>();
    for (const { label, shared } of await consecutivePairs()) {
      for (const { id, before, after } of shared) {
        for (const path of changedPaths(before.inputs, after.inputs)) {
          const staged = STAGED[String(after.inputs.kind)];
          assert.ok(staged, `${label}: say which fields of a ${String(after.inputs.kind)} a stage may change`);
          assert.ok(staged.test(path) || SYNC_WAVE.test(path), `${label}: ${id} changes ${path}`);
          seen.add(`${String(after.inputs.kind)} ${path.replace(/\[\d+\]/g, '[]')}`);
        }
      }
    }
    // The examples exercise all three kinds of change, so the check above is not vacuous.
    assert.ok(seen.has('Deployment spec.replicas'));
    assert.ok(seen.has('Deployment spec.template.spec.containers[].image'));
    assert.ok(seen.has('Deployment spec.template.spec.containers[].env[].value'));
    assert.ok(seen.has('Service spec.selector.version'));
  });
});
