/**
 * What "the new version" of a release is: any pod template the plan's first stage (the baseline
 * the release starts from) does not run. A new image is one; so is the same image with an env var,
 * a resource limit or any other template field changed. The canary pair, the gate's target and
 * `check`'s share of the new version all ask this one question, so they never disagree on what is
 * new.
 *
 * Templates are compared across workloads without their labels: the labels tell the workloads
 * apart (`track: canary`) and no stage changes them, so a canary that runs the stable workload's
 * template under its own labels runs no new version, while a workload the first stage does not run
 * is new when its template (image or any other field) is one the first stage has not.
 */
import { named } from './named';
import { definitionIn, type Plan, type Stage, type Workload, type WorkloadInStage } from './plan';
import { POD_TEMPLATE_KEYS, podTemplateKey } from './pod-template';

const VERSION_KEYS = POD_TEMPLATE_KEYS.filter((key) => key !== 'labels');
const versionTexts = new WeakMap<Workload, string>();

/**
 * The version `workload` runs where its state is `state`: the image and the template fields but
 * the labels, as one text. Two workloads run the same version when their texts are equal.
 */
export function podVersion(workload: Workload, state: WorkloadInStage): string {
  const definition = definitionIn(workload, state);
  let text = versionTexts.get(definition);
  if (text === undefined) {
    text = JSON.stringify(VERSION_KEYS.map((key) => definition[key] ?? null));
    versionTexts.set(definition, text);
  }
  return `${state.image}\n${text}`;
}

/** The versions (pod templates but their labels, see the module comment) the first stage of `plan` runs. */
export function baselineTemplates(plan: Plan): ReadonlySet<string> {
  const first = plan.stages[0];
  return new Set(plan.workloads.flatMap((w) => (first.workloads[w.name] ? [podVersion(w, first.workloads[w.name])] : [])));
}

/**
 * Whether workload `name` exists in `stage` and runs there a pod template none of `baseline` (see
 * `baselineTemplates`) is: the new version of the release. False for a workload the plan does not
 * declare or the stage does not run.
 */
export function runsNewVersion(plan: Plan, name: string, stage: Stage, baseline: ReadonlySet<string>): boolean {
  const workload = named(plan.workloads, name);
  const state = stage.workloads[name];
  return workload !== undefined && state !== undefined && !baseline.has(podVersion(workload, state));
}

/**
 * Whether the pods of workload `name` whose template is `template` (a `podTemplateKey`, e.g. the
 * template a paused Deployment's pods still run) run the new version: the template is found among
 * the workload's states in the plan's stages. False when no stage gives the workload that template.
 */
export function podsRunNewVersion(plan: Plan, name: string, template: string, baseline: ReadonlySet<string>): boolean {
  const workload = named(plan.workloads, name);
  if (workload === undefined) return false;
  const stage = plan.stages.find((s) => s.workloads[name] !== undefined && podTemplateKey(workload, s.workloads[name]) === template);
  return stage !== undefined && runsNewVersion(plan, name, stage, baseline);
}
