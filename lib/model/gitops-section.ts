/**
 * The `gitops` section of a plan: how rendered stages behave when a GitOps controller (Argo CD)
 * applies them instead of `pulumi up`. Pure data and validation.
 */
import { z } from 'zod';
import { gitOpsSchema } from '../schema/plan-schema';
import { PlainDataReader } from './plain-data';

/** A plan's parsed `gitops` section, every key resolved. */
export type GitOpsSettings = Required<z.output<typeof gitOpsSchema>>;

/**
 * Reads a plan's `gitops` section (undefined when left out); problems go to `r` with key paths
 * relative to the plan. Undefined when there is any.
 */
export function readGitOpsSection(r: PlainDataReader, data: unknown): GitOpsSettings | undefined {
  const section = data === undefined ? {} : r.object(data, 'gitops', Object.keys(gitOpsSchema.shape));
  const syncWaves = section ? (r.optionalBoolean(section.syncWaves, 'gitops.syncWaves') ?? false) : undefined;
  return syncWaves === undefined ? undefined : { syncWaves };
}
