/**
 * What "the new version" of a release is: any pod template the plan's first stage (the baseline
 * the release starts from) does not run. A new image is one; so is the same image with an env var,
 * a resource limit or any other template field changed (`podTemplateKey`). The canary pair, the
 * gate's target and `check`'s share of the new version all ask this one question, so they never
 * disagree on what is new.
 */
import type { Plan, Stage } from './plan';
import { podTemplateKey } from './pod-template';

/** The identities (`podTemplateKey`) of the pod templates the first stage of `plan` runs. */
export function baselineTemplates(plan: Plan): ReadonlySet<string> {
  const first = plan.stages[0];
  return new Set(plan.workloads.flatMap((w) => (first.workloads[w.name] ? [podTemplateKey(w, first.workloads[w.name])] : [])));
}

/**
 * Whether workload `name` exists in `stage` and runs there a pod template none of `baseline` (see
 * `baselineTemplates`) is: the new version of the release. False for a workload the plan does not
 * declare or the stage does not run.
 */
export function runsNewVersion(plan: Plan, name: string, stage: Stage, baseline: ReadonlySet<string>): boolean {
  const workload = plan.workloads.find((w) => w.name === name);
  const state = stage.workloads[name];
  return workload !== undefined && state !== undefined && !baseline.has(podTemplateKey(workload, state));
}
