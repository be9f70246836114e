/**
 * A metric's threshold and how a measured value is judged against it. Pure functions; the
 * reasons are sentences an operator reads in the gate report.
 */
import { formatValue, type Threshold } from '../model/metric-threshold';
import type { GateVerdict } from './verdict';

export * from '../model/metric-threshold';

/** A judged value: the result and the reason in plain words. */
export interface Judgement {
  /** `pass` or `fail`; `inconclusive` only when the threshold checks nothing it could apply. */
  readonly result: GateVerdict;
  /** Why, e.g. `0.8 is below the minimum 0.99`. */
  readonly reason: string;
}

/** True when the threshold compares the canary with another workload, so the query runs twice. */
export function comparesWithBaseline(threshold: Threshold): boolean {
  return threshold.relativeTo !== undefined;
}

/**
 * Judges a finite canary value (and, for relative limits, the finite stable value). Relative
 * limits are skipped when `stable` is undefined: the caller decides what a missing comparison means.
 */
export function judge(threshold: Threshold, canary: number, stable?: number): Judgement {
  const failures: string[] = [];
  const passes: string[] = [];
  const v = formatValue(canary);
  const baseline = threshold.relativeTo ?? 'stable';
  if (threshold.min !== undefined) {
    if (canary >= threshold.min) passes.push(`${v} is at least ${formatValue(threshold.min)}`);
    else failures.push(`${v} is below the minimum ${formatValue(threshold.min)}`);
  }
  if (threshold.max !== undefined) {
    if (canary <= threshold.max) passes.push(`${v} is at most ${formatValue(threshold.max)}`);
    else failures.push(`${v} is above the maximum ${formatValue(threshold.max)}`);
  }
  if (stable !== undefined && threshold.maxIncrease !== undefined) {
    const s = formatValue(stable);
    const above = `${v} is ${formatValue(canary - stable)} above ${baseline} (${s})`;
    // Compare by adding: `canary - stable` can land a rounding error past an exact limit.
    if (canary <= stable + threshold.maxIncrease) {
      passes.push(
        canary > stable ? `${above}, within the allowed ${formatValue(threshold.maxIncrease)}` : `${v} is not above ${baseline} (${s})`,
      );
    } else {
      failures.push(`${above}, more than the allowed ${formatValue(threshold.maxIncrease)}`);
    }
  }
  if (stable !== undefined && threshold.maxDecrease !== undefined) {
    const s = formatValue(stable);
    const below = `${v} is ${formatValue(stable - canary)} below ${baseline} (${s})`;
    if (canary >= stable - threshold.maxDecrease) {
      passes.push(
        canary < stable ? `${below}, within the allowed ${formatValue(threshold.maxDecrease)}` : `${v} is not below ${baseline} (${s})`,
      );
    } else {
      failures.push(`${below}, more than the allowed ${formatValue(threshold.maxDecrease)}`);
    }
  }
  if (failures.length > 0) return { result: 'fail', reason: failures.join('; ') };
  if (passes.length === 0) return { result: 'inconclusive', reason: 'the threshold has no limit that could be checked' };
  return { result: 'pass', reason: passes.join('; ') };
}
