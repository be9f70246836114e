import { countFindings } from './check';
import type { Finding } from '../model/finding';
import type { Plan } from '../model/plan';
import { stagePolicies } from '../model/stage-policy';
import { stageReleaseView, type StageReleaseView } from './plan-json';
import { releaseText } from './plan-table';

/**
 * How `stepwise check` prints findings: the release policy of each stage that sets one (what
 * `stepwise release` will do there, which `check` has proven safe to roll back from), then the
 * findings grouped by severity (errors, then warnings), each with where (stage, object), the rule,
 * the problem and the fix, then one summary line.
 */
export function checkReport(stack: string, findings: readonly Finding[], plan?: Plan): string {
  const { errors, warnings } = countFindings(findings);
  const out: string[] = [];
  const policies = plan ? releasePolicies(plan) : [];
  if (policies.length > 0) {
    const width = Math.max(...policies.map((p) => p.stage.length));
    out.push('release policy (stepwise release):');
    for (const { stage, ...view } of policies) out.push(`  ${stage.padEnd(width)}  ${releaseText(view)}`);
    out.push('');
  }
  for (const [severity, heading] of [
    ['error', 'errors'],
    ['warning', 'warnings'],
  ] as const) {
    const group = findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push(`${heading} (${group.length}):`);
    for (const f of group) {
      out.push(`  ${f.stage ? `stage ${f.stage}` : 'plan'}: ${f.object} [${f.rule}]`);
      out.push(`    ${f.problem}`);
      out.push(`    fix: ${f.fix}`);
    }
    out.push('');
  }
  out.push(summaryLine(stack, errors, warnings));
  return `${out.join('\n')}\n`;
}

/** `check web-nginx: 1 error, 6 warnings`, with what it means for the exit code. */
export function summaryLine(stack: string, errors: number, warnings: number): string {
  const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  const verdict = errors > 0 ? 'fix the errors before promoting' : warnings > 0 ? 'no errors; review the warnings' : 'no problems found';
  return `check ${stack}: ${counts} (${verdict})`;
}

/**
 * `stepwise check --json`: the counts, every finding, and the release policy of each stage that
 * sets one (`release`: the same view `stepwise plan --json` and `diff --format json` give).
 */
export function checkJson(stack: string, findings: readonly Finding[], plan: Plan): string {
  return `${JSON.stringify({ stack, ...countFindings(findings), findings, release: releasePolicies(plan) }, null, 2)}\n`;
}

/** Each stage that sets a policy key, with its policy: what `stepwise release` does at that stage. */
function releasePolicies(plan: Plan): ({ readonly stage: string } & StageReleaseView)[] {
  const policies = stagePolicies(plan);
  return plan.stages.flatMap((stage, i) => {
    const view = stageReleaseView(policies[i]);
    return view ? [{ stage: stage.name, ...view }] : [];
  });
}
