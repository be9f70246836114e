/**
 * One stack file judged twice: by stepwise (the stack file's validation, then `check`) and, when
 * stepwise accepts it, by the API server (every stage rendered and applied as a server dry run).
 * A stack stepwise accepts and the API server refuses is a hole in `check`.
 */
import { namespaceObject } from '../../lib/constructs/release-namespace';
import { stepwiseErrorsOf, type Plan } from '../../lib/model';
import { checkPlan } from '../../lib/review/check';
import { stackFromText, type Stack } from '../../lib/stacks';
import { renderStackStage } from '../../lib/synth/render-stack';
import type { KubeApi } from './kube-api';
import { applyManifests, type KubectlTarget } from './server-dry-run';

/** Where the API server is, for the suite and for kubectl. */
export interface DifferentialCluster extends KubectlTarget {
  /** The API, to create namespaces. */
  readonly api: KubeApi;
}

/** What became of one stack file. */
export type Verdict =
  /** Stepwise refused it (nothing to compare: stepwise may be stricter than Kubernetes). */
  | { readonly kind: 'refused'; readonly by: 'stack file' | 'check'; readonly problems: readonly string[] }
  /** Stepwise accepted it and the API server accepted every stage. */
  | { readonly kind: 'accepted'; readonly stages: number; readonly warnings: readonly string[] }
  /** Stepwise accepted it, and `render` or the API server refused a stage. */
  | { readonly kind: 'hole'; readonly stage: string; readonly refusedBy: 'render' | 'API server'; readonly message: string };

/** The Pod Security admission's warning for a pod that breaks the namespace's standard. */
const POD_SECURITY_WARNING = /would violate PodSecurity/;

/**
 * Judges the stack file `text` (named `name`): parsed as `check` parses it, checked, and, when no
 * error is found, every stage rendered with `render`'s code and applied as a server dry run in the
 * plan's namespace (created for real first, as `pulumi up` creates it). A Pod Security warning
 * counts as a refusal (see {@link podSecurityRefusals}).
 */
export async function judgeStack(cluster: DifferentialCluster, name: string, text: string): Promise<Verdict> {
  let stack: Stack;
  try {
    stack = stackFromText(name, `stacks/Pulumi.${name}.yaml`, text);
  } catch (error) {
    const problems = stepwiseErrorsOf(error);
    if (problems.length === 0) throw error;
    return { kind: 'refused', by: 'stack file', problems: problems.map((p) => p.message) };
  }
  const errors = checkPlan(stack.plan).filter((f) => f.severity === 'error');
  if (errors.length > 0) return { kind: 'refused', by: 'check', problems: errors.map((f) => `${f.rule}: ${f.problem}`) };

  await createNamespace(cluster, stack.plan);

  const warnings: string[] = [];
  let previous: string | undefined;
  for (const { name: stage } of stack.plan.stages) {
    let files;
    try {
      files = renderStackStage(stack, stage).files;
    } catch (error) {
      const problems = stepwiseErrorsOf(error);
      if (problems.length === 0) throw error;
      return { kind: 'hole', stage, refusedBy: 'render', message: problems.map((p) => p.message).join('\n') };
    }
    // A stage that renders exactly as the one before it gets the same answer.
    const yaml = files.map((f) => f.yaml).join('---\n');
    if (yaml === previous) continue;
    previous = yaml;
    const verdict = await applyManifests(cluster, files);
    const podSecurity = podSecurityRefusals(stack.plan, verdict.warnings);
    if (!verdict.accepted || podSecurity.length > 0) {
      return { kind: 'hole', stage, refusedBy: 'API server', message: [...verdict.errors, ...podSecurity].join('\n') };
    }
    warnings.push(...verdict.warnings);
  }
  return { kind: 'accepted', stages: stack.plan.stages.length, warnings };
}

/** Creates the plan's namespace for real, as `pulumi up` does (a dry run needs it to exist). */
export async function createNamespace(cluster: DifferentialCluster, plan: Plan): Promise<void> {
  const namespace = namespaceObject(plan) ?? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: plan.namespace } };
  await cluster.api.apply('/api/v1/namespaces', namespace);
}

/**
 * The Pod Security warnings that are refusals: for a plan without `securityOverrides` its
 * namespace enforces the restricted standard, so a pod that breaks it would never be created.
 */
export function podSecurityRefusals(plan: Plan, warnings: readonly string[]): string[] {
  const relaxed = plan.workloads.some((w) => w.securityOverrides !== undefined);
  return relaxed ? [] : warnings.filter((w) => POD_SECURITY_WARNING.test(w)).map((w) => `Warning: ${w}`);
}
