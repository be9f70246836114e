/**
 * The release policy of each stage: what `stepwise release` does around it. Three optional keys
 * on a stage, next to its workloads:
 *
 * - `soak`: how long to wait after the stage is applied and settled before the metric gate is
 *   asked (`30s`, `5m`, `1h30m`);
 * - `approval: required`: a person must approve the stage before it is applied;
 * - `onFailure: rollback | pause`: what a failed gate does.
 *
 * `parsePlan` reads them into each stage's `policy` (with `readStagePolicy`); every reader of the
 * policy gets that one typed value.
 */
import { joinKeyPath } from './errors';
import { FAILURE_ACTIONS, stageAsWrittenSchema } from '../schema/plan-schema';
import type { Parsed } from './parsed';
import { describe, type PlainDataReader } from './plain-data';
import { problemWording, unwrapped } from './schema-problems';

/** The stage keys of the release policy, in the order they are documented. */
export const STAGE_POLICY_KEYS = ['soak', 'approval', 'onFailure'] as const;

export { APPROVAL_VALUES, FAILURE_ACTIONS } from '../schema/plan-schema';

/** What a failed gate does: go back to the last stage that passed, or stay and stop. */
export type FailureAction = (typeof FAILURE_ACTIONS)[number];

/** The release policy of one stage, defaults resolved. */
export interface StagePolicy {
  /** The stage's name. */
  readonly stage: string;
  /**
   * Seconds to soak after the stage settles, before the gate is asked.
   * @default 0 - the gate is asked as soon as the stage has settled
   */
  readonly soakSeconds: number;
  /**
   * True when the stage needs an approval before it is applied.
   * @default false
   */
  readonly approvalRequired: boolean;
  /**
   * What a failed gate does.
   * @default 'rollback'
   */
  readonly onFailure: FailureAction;
  /** True when the stack file sets any policy key on the stage (plan and diff show only those). */
  readonly written: boolean;
}

/** The longest soak stepwise accepts: a day. A longer wait belongs in a separate release. */
export const MAX_SOAK_SECONDS = 24 * 60 * 60;

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** A plan's stages as the policy readers need them (a `Plan` is one). */
export interface StagesWithPolicy {
  readonly stages: readonly { readonly name: string; readonly policy?: StagePolicy }[];
}

/** The policy of a stage that sets none: soak 0, no approval, roll back on a failed gate. */
export function defaultStagePolicy(stage: string): StagePolicy {
  return { stage, soakSeconds: 0, approvalRequired: false, onFailure: 'rollback', written: false };
}

/** The policy of every stage of `plan`, in stage order (read by `parsePlan`; the default for a stage built in code without one). */
export function stagePolicies(plan: StagesWithPolicy): StagePolicy[] {
  return plan.stages.map((stage) => stage.policy ?? defaultStagePolicy(stage.name));
}

/** The policy of the stage at `stageIndex` (see {@link stagePolicies}). */
export function stagePolicy(plan: StagesWithPolicy, stageIndex: number): StagePolicy {
  return stagePolicies(plan)[stageIndex];
}

/**
 * Reads a stage's policy keys while the plan is parsed, reporting every problem to `r` with key
 * paths under `keyPath` (`stages[2].soak`) and the fix.
 */
export function readStagePolicy(r: PlainDataReader, stage: string, keys: StagePolicyKeys, keyPath: string): StagePolicy {
  const { soak, approval, onFailure } = keys;
  const soakSeconds = soak === undefined ? 0 : (soakDuration(r, soak, joinKeyPath(keyPath, 'soak')) ?? 0);
  return {
    stage,
    soakSeconds,
    approvalRequired: approval === 'required',
    onFailure: onFailure ?? 'rollback',
    written: soak !== undefined || approval !== undefined || onFailure !== undefined,
  };
}

/** A stage's policy keys as written, their shape checked by the stage schema. */
export type StagePolicyKeys = Pick<Parsed<typeof stageAsWrittenSchema>, (typeof STAGE_POLICY_KEYS)[number]>;

const SOAK_FIX = 'write a duration such as 30s, 5m or 1h30m (hours, minutes, seconds, in that order)';

problemWording.add(unwrapped(stageAsWrittenSchema.shape.soak), {
  problem: (value) => `must be a duration, got ${describe(value)}`,
  fix: SOAK_FIX,
});

/** `5m` → 300 (the schema has checked the form); a problem reported at `keyPath` for more than a day. */
function soakDuration(r: PlainDataReader, value: string, keyPath: string): number | undefined {
  const match = DURATION.exec(value);
  if (!match) {
    r.report(keyPath, `must be a duration, got ${describe(value)}`, SOAK_FIX);
    return undefined;
  }
  const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  const total = hours * 3600 + minutes * 60 + seconds;
  if (total > MAX_SOAK_SECONDS) {
    r.report(keyPath, `is ${value}, longer than a day`, 'soak for at most 24h; split a longer watch into stages');
    return undefined;
  }
  return total;
}

/** 300 → `5m`, 5400 → `1h30m`, 0 → `0s`: how the policy is shown. */
export function formatDuration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Math.round(totalSeconds % 60);
  const text = `${hours > 0 ? `${hours}h` : ''}${minutes > 0 ? `${minutes}m` : ''}${seconds > 0 ? `${seconds}s` : ''}`;
  return text === '' ? '0s' : text;
}
