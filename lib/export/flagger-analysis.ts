/**
 * The checks a Flagger `Canary` runs at every step, taken from the plan's `analysis` section (the
 * metric gate), so that Flagger holds the canary to what `stepwise gate` holds it to. Flagger's
 * built-in metrics stand in for the gate's built-in queries; anything they cannot say (a custom
 * query, a limit relative to the stable workload) is refused with the reason, never dropped or
 * replaced by a default.
 */
import { P99_LATENCY_QUERY, SUCCESS_RATE_QUERY, type MetricCheck } from '../model/analysis-section';
import { describeThreshold } from '../gate/threshold';
import { StepwiseError } from '../model/errors';
import type { Plan } from '../model/plan';

/** The analysis Flagger runs when the plan has no `analysis` section (no gate to follow); documented in docs/guides/controllers.md. */
export const FLAGGER_ANALYSIS_DEFAULTS = {
  /** How often Flagger checks the metrics and, when they hold, moves to the next weight. */
  interval: '1m',
  /** Failed checks before Flagger rolls back. */
  threshold: 5,
  /** Flagger's built-in metric: percent of requests not answered with a 5xx. */
  minSuccessRatePercent: 99,
  /** Flagger's built-in metric: P99 request duration in milliseconds. */
  maxRequestDurationMs: 500,
};

/** One entry of a Canary's `spec.analysis.metrics`. */
export interface FlaggerMetric {
  /** A Flagger built-in metric: `request-success-rate` (percent) or `request-duration` (P99, milliseconds). */
  readonly name: 'request-success-rate' | 'request-duration';
  /** The limits, in the metric's unit. */
  readonly thresholdRange: { readonly min?: number; readonly max?: number };
  /** The range the metric looks back over, in seconds or minutes (`30s`, `5m`), as Flagger's CRD requires. */
  readonly interval: string;
}

/** What a Canary's `spec.analysis` takes from the plan, besides its weights. */
export interface FlaggerAnalysis {
  /** How often Flagger checks the metrics: the gate's interval. */
  readonly interval: string;
  /** Failed checks before Flagger rolls back. */
  readonly threshold: number;
  /** The checks, in the order of `analysis.metrics`. */
  readonly metrics: readonly FlaggerMetric[];
}

/** Each gate query Flagger has a built-in metric for, and how a gate threshold converts to its unit. */
const BUILT_IN_EQUIVALENTS: readonly { readonly query: string; readonly name: FlaggerMetric['name']; readonly scale: number }[] = [
  // A share of requests (0.99) → Flagger's percent (99).
  { query: SUCCESS_RATE_QUERY, name: 'request-success-rate', scale: 100 },
  // Seconds (0.5) → Flagger's milliseconds (500).
  { query: P99_LATENCY_QUERY, name: 'request-duration', scale: 1000 },
];

/**
 * The Canary's analysis for `plan`: the gate's interval and thresholds in Flagger's built-in
 * metrics, or {@link FLAGGER_ANALYSIS_DEFAULTS} when the plan has no gate. Throws a StepwiseError
 * (key path relative to the plan) for a gate metric Flagger's built-in metrics cannot check.
 */
export function flaggerAnalysis(plan: Plan): FlaggerAnalysis {
  const d = FLAGGER_ANALYSIS_DEFAULTS;
  const analysis = plan.analysis;
  if (!analysis) {
    return {
      interval: d.interval,
      threshold: d.threshold,
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: d.minSuccessRatePercent }, interval: d.interval },
        { name: 'request-duration', thresholdRange: { max: d.maxRequestDurationMs }, interval: d.interval },
      ],
    };
  }
  const interval = flaggerDuration(analysis.interval);
  return { interval, threshold: d.threshold, metrics: analysis.metrics.map((metric, i) => flaggerMetric(metric, i, interval)) };
}

function flaggerMetric(metric: MetricCheck, index: number, interval: string): FlaggerMetric {
  // Metrics left out of the plan are the built-ins, which always convert, so `index` is the item's.
  const keyPath = `analysis.metrics[${index}]`;
  const equivalent = BUILT_IN_EQUIVALENTS.find((e) => e.query === metric.query);
  if (!equivalent) {
    throw new StepwiseError({
      keyPath: `${keyPath}.query`,
      problem: `'${metric.name}' runs a query of its own, which Flagger's built-in metrics (request-success-rate, request-duration) cannot check; export does not drop a check the gate makes`,
      fix: `write a Flagger MetricTemplate for the query and add it to the exported Canary yourself, or remove the metric from analysis.metrics if the release does not need it`,
    });
  }
  const { min, max, relativeTo } = metric.threshold;
  if (relativeTo !== undefined) {
    throw new StepwiseError({
      keyPath: `${keyPath}.relativeTo`,
      problem: `'${metric.name}' compares the canary with ${relativeTo} (${describeThreshold(metric.threshold)}); Flagger's built-in metrics check fixed limits only`,
      fix: `give '${metric.name}' a fixed min or max instead, or add a Flagger MetricTemplate that compares the canary with the primary yourself`,
    });
  }
  const scaled = (value: number | undefined) => (value === undefined ? undefined : round(value * equivalent.scale));
  const thresholdRange = Object.fromEntries(
    Object.entries({ min: scaled(min), max: scaled(max) }).filter(([, v]) => v !== undefined),
  ) as FlaggerMetric['thresholdRange'];
  return { name: equivalent.name, thresholdRange, interval };
}

/** `value` without the binary noise of a unit conversion (0.29 × 100 is 28.999999999999996). */
function round(value: number): number {
  return Number(value.toPrecision(12));
}

/** Minutes per unit of a PromQL duration Flagger does not take (its CRD allows only seconds and minutes). */
const MINUTES_PER_UNIT: Readonly<Record<string, number>> = { h: 60, d: 24 * 60 };

/** A PromQL duration (`30s`, `5m`, `1h`, `1d`) as Flagger takes it, in seconds or minutes: `1h` → `60m`. */
function flaggerDuration(promql: string): string {
  const minutes = MINUTES_PER_UNIT[promql.slice(-1)];
  return minutes === undefined ? promql : `${Number(promql.slice(0, -1)) * minutes}m`;
}
