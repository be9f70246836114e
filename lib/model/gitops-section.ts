/**
 * The `gitops` section of a plan: how rendered stages behave when a GitOps controller (Argo CD)
 * applies them instead of `pulumi up`. Parsed with its zod schema (lib/schema/plan-schema.ts);
 * the type is inferred from it.
 */
import { z } from 'zod';
import { gitOpsSchema } from '../schema/plan-schema';
import type { PlainDataReader } from './plain-data';
import { parseWithSchema } from './schema-problems';

/** A plan's parsed `gitops` section, every key resolved. */
export type GitOpsSettings = Required<z.output<typeof gitOpsSchema>>;

/**
 * Reads a plan's `gitops` section (undefined when left out); problems go to `r` with key paths
 * relative to the plan. Undefined when there is any.
 */
export function readGitOpsSection(r: PlainDataReader, data: unknown): GitOpsSettings | undefined {
  const parsed = parseWithSchema(gitOpsSchema.optional(), data, 'gitops');
  if ('problems' in parsed) {
    r.reportAll(parsed.problems);
    return undefined;
  }
  return { syncWaves: parsed.value?.syncWaves ?? false };
}
