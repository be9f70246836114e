/**
 * A metric's threshold as an `analysis` section states it: absolute and relative limits, and how
 * they read in a report. The gate judges measured values against it (lib/gate/threshold.ts).
 */
import { BASELINES } from '../schema/analysis-schema';

/** The workloads a metric can be compared with. */
export { BASELINES };

/** A workload a metric can be compared with: the stable workload of the release. */
export type Baseline = (typeof BASELINES)[number];

/**
 * The limits a metric's value must stay within. Absolute limits (`min`, `max`) apply to the
 * canary's value; relative limits (`maxIncrease`, `maxDecrease`) compare it with the same query
 * run for the stable workload. Every limit that is set must hold.
 */
export interface Threshold {
  /**
   * The lowest acceptable canary value (inclusive).
   * @default no lower limit
   */
  readonly min?: number;
  /**
   * The highest acceptable canary value (inclusive).
   * @default no upper limit
   */
  readonly max?: number;
  /**
   * The workload the relative limits compare with; the metric's query also runs for it.
   * @default no comparison
   */
  readonly relativeTo?: Baseline;
  /**
   * How much the canary's value may exceed the stable value (e.g. an error rate).
   * @default no limit upwards
   */
  readonly maxIncrease?: number;
  /**
   * How much the canary's value may fall below the stable value (e.g. a success rate).
   * @default no limit downwards
   */
  readonly maxDecrease?: number;
}

/** The threshold as a short text for the report: `>= 0.99`, `<= 0.5`, `<= stable + 0.01`. */
export function describeThreshold(threshold: Threshold): string {
  const parts: string[] = [];
  const baseline = threshold.relativeTo ?? 'stable';
  if (threshold.min !== undefined) parts.push(`>= ${formatValue(threshold.min)}`);
  if (threshold.max !== undefined) parts.push(`<= ${formatValue(threshold.max)}`);
  if (threshold.maxIncrease !== undefined) parts.push(`<= ${baseline} + ${formatValue(threshold.maxIncrease)}`);
  if (threshold.maxDecrease !== undefined) parts.push(`>= ${baseline} - ${formatValue(threshold.maxDecrease)}`);
  return parts.length > 0 ? parts.join(' and ') : 'none';
}

/** A measured value for people: six significant digits, and Prometheus' spelling of NaN and infinities. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(Number.parseFloat(value.toPrecision(6)));
}
