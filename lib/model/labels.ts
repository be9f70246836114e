/**
 * Kubernetes labels and label selectors: syntax checks and the matching rules the API server
 * and the endpoints controller use. Pure functions, no Kubernetes client.
 */

import { StepwiseError } from './errors';

/** Pod or object labels: key → value. */
export type Labels = Readonly<Record<string, string>>;

/** One `matchExpressions` requirement of a Deployment selector. */
export interface LabelRequirement {
  /** The label key the requirement is about. */
  readonly key: string;
  /** How the key's value is compared with `values`. */
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** The values for `In` / `NotIn`; empty for `Exists` / `DoesNotExist`. */
  readonly values: readonly string[];
}

/** A Deployment's `spec.selector`: every `matchLabels` pair and every expression must hold. */
export interface WorkloadSelector {
  /** Exact key/value pairs the pods must carry. */
  readonly matchLabels: Labels;
  /** Set-based requirements the pods must satisfy. */
  readonly matchExpressions: readonly LabelRequirement[];
}

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `key` is not a valid label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  return qualifiedNameProblem(key, 'label key', false);
}

/**
 * Why `key` is not a valid annotation key, or undefined when it is. The API server checks
 * annotation keys as label keys with case ignored (`IsQualifiedName(strings.ToLower(key))`), so
 * `Example.com/Team` is accepted here but not as a label key.
 */
export function annotationKeyProblem(key: string): string | undefined {
  return qualifiedNameProblem(key, 'annotation key', true);
}

/** A Kubernetes qualified name: an optional lowercase DNS subdomain prefix and `/`, then a name of at most 63 characters. */
function qualifiedNameProblem(key: string, what: string, ignoreCase: boolean): string | undefined {
  // ASCII only, so that indexes into `checked` are indexes into `key` (any other letter is invalid anyway).
  const checked = ignoreCase ? key.replace(/[A-Z]/g, (c) => c.toLowerCase()) : key;
  const slash = checked.lastIndexOf('/');
  const prefix = slash >= 0 ? checked.slice(0, slash) : undefined;
  const name = slash >= 0 ? checked.slice(slash + 1) : checked;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `${what} prefix '${key.slice(0, slash)}' must be a ${ignoreCase ? '' : 'lowercase '}DNS subdomain of at most 253 characters`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `${what} '${key}' must be 1-63 characters of letters, digits, '-', '_', '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) {
    return `label value '${value}' must be at most 63 characters of letters, digits, '-', '_', '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Why `name` is not a valid object name (RFC 1123 label, as Deployments and Services need), or undefined. */
export function objectNameProblem(name: string): string | undefined {
  if (name.length > 63 || !DNS_LABEL.test(name)) {
    return `'${name}' must be at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`;
  }
  return undefined;
}

/**
 * Why `name` is not a valid Service name, or undefined. A Service name is a DNS-1035 label: an
 * object name that also starts with a letter, as it becomes a DNS name of its own.
 */
export function serviceNameProblem(name: string): string | undefined {
  const problem = objectNameProblem(name);
  if (problem) return problem;
  if (!/^[a-z]/.test(name)) return `'${name}' must start with a lowercase letter (a Service name is a DNS-1035 label)`;
  return undefined;
}

/** True when every pair of `selector` is present with the same value in `labels` (Service semantics). */
export function labelsMatch(selector: Labels, labels: Labels): boolean {
  const keys = Object.keys(selector);
  if (keys.length === 0) return false; // an empty Service selector selects no pods through stepwise
  return keys.every((key) => labels[key] === selector[key]);
}

/** True when the Deployment selector selects pods carrying `labels` (LabelSelector semantics). */
export function workloadSelectorMatches(selector: WorkloadSelector, labels: Labels): boolean {
  if (Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0) return false;
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (labels[key] !== value) return false;
  }
  return selector.matchExpressions.every((requirement) => requirementHolds(requirement, labels));
}

function requirementHolds(requirement: LabelRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  switch (requirement.operator) {
    case 'In':
      return has && requirement.values.includes(labels[requirement.key]);
    case 'NotIn':
      return !has || !requirement.values.includes(labels[requirement.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** `{a: 1, b: 2}` → `a=1,b=2` (sorted), the form `kubectl get -l` takes. */
export function formatLabels(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(',');
}

/** Same keys with the same values. */
export function sameLabels(a: Labels, b: Labels): boolean {
  return formatLabels(a) === formatLabels(b);
}

/** A copy with keys in sorted order, so rendered output is deterministic. */
export function sortedLabels(labels: Labels): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) result[key] = labels[key];
  return result;
}

/** A problem for every label (key or value) Kubernetes refuses, at `keyPath.<key>`. */
export function labelProblems(labels: Labels, keyPath: string): StepwiseError[] {
  const problems: StepwiseError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem)
      problems.push(new StepwiseError({ keyPath: `${keyPath}.${key}`, problem, fix: 'use a valid Kubernetes label, e.g. app: fop-gate' }));
  }
  return problems;
}
