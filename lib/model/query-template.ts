/**
 * The variables a PromQL query template of an `analysis` metric may use, and how a template names
 * them: what the stack file may write. Filling a template in is the gate's (lib/gate/promql.ts).
 */
import { StepwiseError } from './errors';
import { closest } from './plain-data';

/** The variables a query template may use. */
export const TEMPLATE_VARIABLES = ['namespace', 'workload', 'interval', 'selector'] as const;

/** A variable a query template may use: `{{namespace}}`, `{{workload}}`, `{{interval}}`, `{{selector}}`. */
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** A `{{name}}` placeholder. */
// `[^{}]` keeps a match from starting at the first of three braces: in `{{{selector}}}` the
// placeholder is the inner `{{selector}}` and the outer braces stay PromQL's.
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The variable names a template uses, in order of first use, known or not. */
export function templateVariablesIn(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!names.includes(match[1])) names.push(match[1]);
  }
  return names;
}

/** The names a template uses that are not template variables (empty when the template is fine). */
export function unknownTemplateVariables(template: string): string[] {
  return templateVariablesIn(template).filter((name) => !(TEMPLATE_VARIABLES as readonly string[]).includes(name));
}

/** A StepwiseError for a template using `name`, which is not a template variable. */
export function unknownVariableError(name: string, keyPath?: string): StepwiseError {
  const suggestion = closest(name, TEMPLATE_VARIABLES);
  return new StepwiseError({
    keyPath,
    problem: `uses {{${name}}}, which is not a template variable`,
    fix: suggestion ? `did you mean {{${suggestion}}}?` : `use only ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`,
  });
}
