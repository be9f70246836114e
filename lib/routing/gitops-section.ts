/**
 * The `gitops` section of a plan: how rendered stages behave when a GitOps controller (Argo CD)
 * applies them instead of `pulumi up`. Pure data and validation.
 */
import { StepwiseErrors } from '../model/errors';
import { PlainDataReader } from '../model/plain-data';
import type { Plan } from '../model/plan';

/** A plan's parsed `gitops` section. */
export interface GitOpsSettings {
  /**
   * Annotate every object with an Argo CD sync wave so a sync keeps the stage's make-before-break
   * order: make-phase Deployments, then Services and router objects, then scale-downs.
   * @default false
   */
  readonly syncWaves: boolean;
}

/** Parses the plan's `gitops` section (`plan.extensions.gitops`); key paths are relative to the plan. */
export function parseGitOps(plan: Plan): GitOpsSettings {
  const r = new PlainDataReader();
  const data = plan.extensions.gitops;
  const section = data === undefined ? {} : r.object(data, 'gitops', ['syncWaves']);
  const syncWaves = section ? (r.optionalBoolean(section.syncWaves, 'gitops.syncWaves') ?? false) : undefined;
  if (r.errors.length > 0 || syncWaves === undefined) throw new StepwiseErrors(r.errors);
  return { syncWaves };
}
