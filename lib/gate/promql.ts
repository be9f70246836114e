/**
 * PromQL query templates: `{{name}}` placeholders filled with one workload's namespace, name,
 * pod-label selector and the analysis interval.
 *
 * Syntax: a placeholder is `{{` + a variable name + `}}`, spaces inside allowed (`{{ interval }}`).
 * PromQL never contains `{{` itself, so placeholders cannot be mistaken for PromQL; to put the
 * selector inside PromQL's own braces write `metric{{{selector}}}` (the innermost `{{selector}}` is
 * the placeholder) or, more readably, `metric{ {{selector}} }`.
 */
import type { Labels } from '../model/labels';
import { StepwiseError } from '../model/errors';
import { PLACEHOLDER, unknownTemplateVariables, unknownVariableError, type TemplateVariable } from '../model/query-template';

export * from '../model/query-template';

/** The value of every template variable for one workload. */
export type TemplateValues = Readonly<Record<TemplateVariable, string>>;

/** The workload a query is filled for: its Deployment name and pod labels. */
export interface QueriedWorkload {
  /** The Deployment name, e.g. `fop-gate-canary`. */
  readonly name: string;
  /** The pod labels, e.g. `{ app: fop-gate, track: canary }`. */
  readonly labels: Labels;
}

/**
 * The template with every placeholder replaced by its value. Throws a StepwiseError (at `keyPath`,
 * the metric's `query`) for an unknown variable, so a typo never reaches Prometheus.
 */
export function fillTemplate(template: string, values: TemplateValues, keyPath?: string): string {
  const unknown = unknownTemplateVariables(template);
  if (unknown.length > 0) throw unknownVariableError(unknown[0], keyPath);
  return template.replace(PLACEHOLDER, (_placeholder, name: string) => values[name as TemplateVariable]);
}

/**
 * The template variables for one workload. Throws a StepwiseError when the workload has no pod
 * labels: an empty selector would match every series in Prometheus.
 */
export function templateValues(namespace: string, workload: QueriedWorkload, interval: string): TemplateValues {
  if (Object.keys(workload.labels).length === 0) {
    throw new StepwiseError({
      problem: `workload '${workload.name}' has no pod labels, so the gate cannot select its series`,
      fix: 'give the workload labels such as app and track',
    });
  }
  return { namespace, workload: workload.name, interval, selector: promqlSelector(workload.labels) };
}

/**
 * Pod labels as PromQL label matchers, sorted by key: `{app: fop-gate, track: canary}` →
 * `app="fop-gate",track="canary"` (without the surrounding braces).
 */
export function promqlSelector(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${promqlLabelName(key)}=${promqlString(labels[key])}`)
    .join(',');
}

/**
 * The Prometheus label name a pod label gets through Kubernetes service discovery: every
 * character other than a letter, digit or `_` becomes `_` (`app.kubernetes.io/name` →
 * `app_kubernetes_io_name`), as `__meta_kubernetes_pod_label_<name>` does.
 */
export function promqlLabelName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** A PromQL double-quoted string literal: backslashes, quotes and line breaks escaped. */
export function promqlString(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return `"${escaped}"`;
}
