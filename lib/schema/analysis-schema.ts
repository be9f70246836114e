/**
 * The shape of a plan's `analysis` section: which Prometheus the metric gate asks, over which
 * interval, and which metrics must hold before a release continues.
 */
import { z } from 'zod';
import { documented } from './documented';

/** What a relative threshold compares the canary with. */
export const BASELINES = ['stable'] as const;

/** Values an `analysis` section gets for the keys it leaves out. */
export const ANALYSIS_DEFAULTS = { timeoutSeconds: 10, interval: '5m' } as const;

/** The longest query timeout an `analysis` section may ask for, in seconds. */
export const MAX_TIMEOUT_SECONDS = 300;

/** True for an http:// or https:// URL without a query string or fragment: a server's base address. */
export function isPrometheusBaseUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash;
}

/** A PromQL duration above zero: a whole number followed by s, m, h or d (`30s`, `5m`). */
export const PROMQL_DURATION = /^\d+[smhd]$/;

/** A metric name: letters, digits, '-', '_' and '.', starting and ending with a letter or digit. */
export const METRIC_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const prometheus = z.strictObject({
  url: documented(
    z.string().min(1).refine(isPrometheusBaseUrl),
    'Base URL of the Prometheus HTTP API (http or https, no query string), e.g. http://prometheus.monitoring:9090.',
  ),
  timeoutSeconds: documented(
    z.number().gt(0).max(MAX_TIMEOUT_SECONDS).optional(),
    'How long one query may take; a slower query makes its metric inconclusive.',
    ANALYSIS_DEFAULTS.timeoutSeconds,
  ),
});

const metric = z.strictObject({
  name: documented(
    z.string().min(1).regex(METRIC_NAME),
    'The metric’s name in the report; a built-in name (success-rate, p99-latency-seconds) with only a threshold overrides that metric’s threshold.',
  ),
  query: documented(
    z.string().min(1).nullish(),
    'A PromQL template that yields one number, with the variables {{namespace}}, {{workload}}, {{interval}} and {{selector}}.',
  ),
  min: documented(z.number().nullish(), 'The lowest value that passes.'),
  max: documented(z.number().nullish(), 'The highest value that passes.'),
  relativeTo: documented(z.enum(BASELINES).nullish(), 'Compare the canary with the stable track (with maxIncrease / maxDecrease).'),
  maxIncrease: documented(z.number().min(0).nullish(), 'How much higher than the baseline the value may be.'),
  maxDecrease: documented(z.number().min(0).nullish(), 'How much lower than the baseline the value may be.'),
});

/** A plan's `analysis` section (the metric gate `stepwise gate` and `promote` run). */
export const analysisSchema = z.strictObject({
  prometheus: documented(prometheus, 'The Prometheus server the gate queries.'),
  interval: documented(
    z
      .string()
      .regex(PROMQL_DURATION)
      .refine((text) => !/^0+[smhd]$/.test(text))
      .nullish(),
    'The PromQL range the queries look back over ({{interval}}).',
    ANALYSIS_DEFAULTS.interval,
  ),
  metrics: documented(
    z.array(metric).min(1).nullish(),
    'The metrics to check, in report order; success-rate >= 0.99 and p99-latency-seconds <= 0.5 when left out.',
  ),
});

/** An `analysis` section as a stack file writes it. */
export type AnalysisData = z.input<typeof analysisSchema>;

/** The `prometheus` mapping of an `analysis` section. */
export const prometheusSchema = prometheus;
/** One metric of an `analysis` section. */
export const metricSchema = metric;

/** The keys of an `analysis` section. */
export const ANALYSIS_KEYS: readonly string[] = Object.keys(analysisSchema.shape);
/** The keys of `analysis.prometheus`. */
export const PROMETHEUS_KEYS: readonly string[] = Object.keys(prometheus.shape);
/** The keys of one metric. */
export const METRIC_KEYS: readonly string[] = Object.keys(metric.shape);
