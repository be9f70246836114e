import type { CheckRuleId } from './check-rules';

/**
 * One thing `stepwise check` (and `promote`, which runs it) reports about a plan: where (stage and
 * object), what is wrong, and how to fix it.
 */
export interface Finding {
  /** `error` makes `check` exit 1 and `promote` refuse; `warning` is shown but allowed. */
  readonly severity: 'error' | 'warning';
  /** The stable id of the rule (see `CHECK_RULES`), e.g. `service-without-endpoints`, for filtering and tests. */
  readonly rule: CheckRuleId;
  /** The stage (or `from → to` transition) the finding is about, or undefined for the whole plan. */
  readonly stage?: string;
  /** The object, as `Kind/name`, e.g. `Service/nginx-svc`. */
  readonly object: string;
  /** What is wrong, in plain words with the numbers. */
  readonly problem: string;
  /** What to change. */
  readonly fix: string;
}
