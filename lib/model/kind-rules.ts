import { StepwiseError } from './errors';
import { LabelIndex } from './label-index';
import { labelsMatch, sameLabels } from './labels';
import type { PlanCore, ReleaseKind } from './plan';

/**
 * The shape each release practice needs, beyond what any plan needs. Returned as errors (key
 * paths relative to the plan) rather than thrown, so callers can report them with the rest.
 */
export function kindRuleProblems(plan: PlanCore, kind: ReleaseKind = plan.kind): StepwiseError[] {
  const problems: StepwiseError[] = [];
  const report = (keyPath: string, problem: string, fix: string) => problems.push(new StepwiseError({ keyPath, problem, fix }));
  if (plan.kind !== kind) {
    report('kind', `is ${plan.kind}, but this construct renders ${kind} plans`, `use the ${plan.kind} construct, or set kind: ${kind}`);
    return problems;
  }
  if (plan.workloads.length < 2) {
    report(
      'workloads',
      `a ${kind} needs at least two workloads, got ${plan.workloads.length}`,
      kind === 'SelectorCutover'
        ? 'declare the v1 and the v2 workload'
        : kind === 'CanaryService'
          ? 'declare the stable and the canary workload'
          : 'declare the gray batch and at least one more batch',
    );
  }
  const changing = plan.services.filter((s) => plan.stages.some((stage) => !sameLabels(stage.serviceSelectors[s.name], s.selector)));

  if (kind === 'CanaryService' || kind === 'BatchedRollout') {
    for (const service of changing) {
      const i = plan.stages.findIndex((stage) => !sameLabels(stage.serviceSelectors[service.name], service.selector));
      report(
        `stages[${i}].services.${service.name}.selector`,
        `changes the selector of Service '${service.name}', which a ${kind} keeps fixed (traffic moves by replicas)`,
        'remove the stage selector, or use kind: SelectorCutover',
      );
    }
    // Every workload must sit behind a Service through the shared label, or it would get no traffic at all.
    const byLabel = new LabelIndex(plan.workloads, (w) => w.labels);
    const selected = new Set(plan.services.flatMap((s) => byLabel.candidates(s.selector).filter((w) => labelsMatch(s.selector, w.labels))));
    for (const workload of plan.workloads) {
      if (!selected.has(workload)) {
        report(
          `workloads.${workload.name}.labels`,
          `no Service selects workload '${workload.name}', so it never gets traffic`,
          'give it the shared label the Service selects (e.g. app: <app>)',
        );
      }
    }
  }
  if (kind === 'SelectorCutover' && changing.length === 0) {
    report(
      'stages',
      'no stage changes a Service selector, so nothing is cut over',
      "set the cutover stage's services.<name>.selector (e.g. { version: v2 }), or use kind: CanaryService",
    );
  }
  return problems;
}
