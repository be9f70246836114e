/**
 * What Pulumi's state says each Kubernetes object is, next to what the program applied. After an
 * update the outputs of every object must hold the labels and annotations of its inputs: the
 * outputs are what the next `pulumi up` diffs against, so an object recorded as it was before
 * the update shows up as a change on the next run (and `pulumi stack export` misreports the
 * cluster). pulumi-kubernetes' Ingress await can do exactly that (see `withoutIngressAwait`).
 */
import type { Stack as PulumiStack } from '@pulumi/pulumi/automation';

interface ExportedResource {
  readonly type: string;
  readonly urn: string;
  readonly inputs?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } };
  readonly outputs?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } };
}

/** Every label or annotation an object was applied with that its recorded outputs do not hold, one line each. */
export async function objectsRecordedStale(stack: PulumiStack): Promise<string[]> {
  const deployment = (await stack.exportStack()).deployment as { resources?: ExportedResource[] };
  const stale: string[] = [];
  for (const resource of deployment.resources ?? []) {
    if (!resource.type.startsWith('kubernetes:')) continue;
    for (const field of ['labels', 'annotations'] as const) {
      const applied = resource.inputs?.metadata?.[field] ?? {};
      const recorded = resource.outputs?.metadata?.[field] ?? {};
      for (const [key, value] of Object.entries(applied)) {
        if (recorded[key] !== value)
          stale.push(`${resource.urn.split('::').pop()}: ${field} ${key} applied "${value}", recorded "${recorded[key] ?? '(none)'}"`);
      }
    }
  }
  return stale;
}
