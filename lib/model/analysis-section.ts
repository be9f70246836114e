/**
 * The `analysis` section of a plan: which Prometheus to ask, over which interval, and which
 * metrics must hold before a release continues. Parsed from plain data (a stack file's YAML).
 */
import type { z } from 'zod';
import { ANALYSIS_DEFAULTS, MAX_TIMEOUT_SECONDS, analysisSchema, metricSchema, prometheusSchema } from '../schema/analysis-schema';
import { StepwiseError, StepwiseErrors, joinKeyPath } from './errors';
import { describeThreshold, type Threshold } from './metric-threshold';
import { PlainDataReader, closest, describe } from './plain-data';
import { parseWithSchema, nonEmptyString, problemWording, unwrapped } from './schema-problems';
import { templateVariablesIn, unknownTemplateVariables, unknownVariableError } from './query-template';

/** The Prometheus server the gate queries. */
export interface PrometheusSource {
  /** Base URL of the Prometheus HTTP API, e.g. `http://prometheus.monitoring:9090`. */
  readonly url: string;
  /**
   * How long one query may take; a query that takes longer makes its metric inconclusive.
   * @default 10
   */
  readonly timeoutSeconds: number;
}

/** One metric the canary must satisfy. */
export interface MetricCheck {
  /** The metric's name in the report, e.g. `success-rate`. */
  readonly name: string;
  /** A PromQL template that yields one number (see `promql.ts` for the variables). */
  readonly query: string;
  /** The limits the value must stay within. */
  readonly threshold: Threshold;
}

/** The metric gate: where to read metrics, over which range, and what must hold. */
export interface Analysis {
  /** The Prometheus server to query. */
  readonly prometheus: PrometheusSource;
  /**
   * The PromQL range the queries look back over (`{{interval}}`), e.g. `5m`.
   * @default '5m'
   */
  readonly interval: string;
  /**
   * The metrics to check, in report order.
   * @default success-rate >= 0.99 and p99-latency-seconds <= 0.5
   */
  readonly metrics: readonly MetricCheck[];
}

/** Defaults for fields an `analysis` section leaves out (documented in docs/stack-file.md). */
export { ANALYSIS_DEFAULTS };

/** Share of requests not answered with a 5xx, from the `http_requests_total{code=...}` counter. */
export const SUCCESS_RATE_QUERY =
  'sum(rate(http_requests_total{{{selector}},code!~"5.."}[{{interval}}])) / sum(rate(http_requests_total{{{selector}}}[{{interval}}]))';

/** 99th percentile request latency in seconds, from the `http_request_duration_seconds` histogram. */
export const P99_LATENCY_QUERY =
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{{selector}}}[{{interval}}])))';

/** The metrics checked when `metrics` is left out; listing one by name with only a threshold overrides it. */
export const BUILT_IN_METRICS: readonly MetricCheck[] = [
  { name: 'success-rate', query: SUCCESS_RATE_QUERY, threshold: { min: 0.99 } },
  { name: 'p99-latency-seconds', query: P99_LATENCY_QUERY, threshold: { max: 0.5 } },
];

const EXAMPLE_URL = 'http://prometheus.monitoring:9090';

/**
 * Parses and validates an `analysis` section from plain data: its shape with `analysisSchema`
 * (lib/schema), then the rules across its keys (a threshold per metric, unique names, template
 * variables, relative limits). `keyPath` is where the section sits, so errors read like
 * `analysis.metrics[1].min`. Throws a `StepwiseError` for one problem and `StepwiseErrors`
 * listing every problem when there are several (`stepwiseErrorsOf` reads both).
 */
export function parseAnalysis(data: unknown, keyPath = 'analysis'): Analysis {
  if (data === undefined || data === null) {
    throw new StepwiseError({
      keyPath,
      problem: 'is missing',
      fix: `add an analysis section with at least \`prometheus: { url: ${EXAMPLE_URL} }\``,
    });
  }
  const parsed = parseWithSchema(analysisSchema, data, keyPath);
  const r = new PlainDataReader();
  const analysis = 'problems' in parsed ? r.reportAll(parsed.problems) : readAnalysis(r, parsed.value, keyPath);
  const errors = r.errors;
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1 || !analysis) throw new StepwiseErrors(errors);
  return analysis;
}

/**
 * A Prometheus base URL given outside the stack file (e.g. `stepwise gate --prometheus`), checked
 * as `analysis.prometheus.url` is. Throws a StepwiseError at `keyPath` when it is not one.
 */
export function parsePrometheusUrl(value: unknown, keyPath: string): string {
  const parsed = parseWithSchema(prometheusSchema.shape.url, value, keyPath);
  if ('problems' in parsed) throw parsed.problems[0];
  return parsed.value;
}

/** The section as written, its shape already checked. */
type AnalysisData = z.output<typeof analysisSchema>;
type MetricData = z.output<typeof metricSchema>;

function readAnalysis(r: PlainDataReader, data: AnalysisData, keyPath: string): Analysis | undefined {
  const prometheus = { url: data.prometheus.url, timeoutSeconds: data.prometheus.timeoutSeconds ?? ANALYSIS_DEFAULTS.timeoutSeconds };
  const interval = data.interval ?? ANALYSIS_DEFAULTS.interval;
  const metrics = data.metrics ? readMetrics(r, data.metrics, joinKeyPath(keyPath, 'metrics')) : [...BUILT_IN_METRICS];
  return metrics && { prometheus, interval, metrics };
}

function readMetrics(r: PlainDataReader, items: readonly MetricData[], keyPath: string): MetricCheck[] | undefined {
  const metrics: MetricCheck[] = [];
  const firstIndexByName = new Map<string, number>();
  items.forEach((item, i) => {
    const metricKeyPath = `${keyPath}[${i}]`;
    const metric = readMetric(r, item, metricKeyPath);
    if (!metric) return;
    const earlier = firstIndexByName.get(metric.name);
    if (earlier !== undefined) {
      r.report(
        joinKeyPath(metricKeyPath, 'name'),
        `repeats the metric '${metric.name}' (also at ${keyPath}[${earlier}])`,
        'give each metric its own name',
      );
      return;
    }
    firstIndexByName.set(metric.name, i);
    metrics.push(metric);
  });
  return metrics.length === items.length ? metrics : undefined;
}

function readMetric(r: PlainDataReader, item: MetricData, keyPath: string): MetricCheck | undefined {
  const name = item.name;
  const builtIn = BUILT_IN_METRICS.find((metric) => metric.name === name);
  const query = readQuery(r, item.query ?? undefined, joinKeyPath(keyPath, 'query'), name, builtIn);
  const threshold = readThreshold(r, item, keyPath, builtIn);
  if (query === undefined || threshold === undefined) return undefined;
  if (threshold.relativeTo !== undefined) {
    const used = templateVariablesIn(query);
    if (!used.includes('selector') && !used.includes('workload')) {
      r.report(
        joinKeyPath(keyPath, 'query'),
        `compares the canary with ${threshold.relativeTo}, but uses neither {{selector}} nor {{workload}}, so both would measure the same series`,
        'select the workload in the query, e.g. http_requests_total{{{selector}}}',
      );
      return undefined;
    }
  }
  return { name, query, threshold };
}

function readQuery(
  r: PlainDataReader,
  query: string | undefined,
  keyPath: string,
  name: string,
  builtIn: MetricCheck | undefined,
): string | undefined {
  if (query === undefined) {
    if (builtIn) return builtIn.query;
    const builtInNames = BUILT_IN_METRICS.map((metric) => metric.name);
    const suggestion = closest(name, builtInNames) ?? builtInNames.find((builtInName) => builtInName.startsWith(name));
    r.report(
      keyPath,
      `is missing: '${name}' is not a built-in metric (${builtInNames.join(', ')})`,
      suggestion ? `did you mean '${suggestion}'? Otherwise add a PromQL query` : 'add a PromQL query that yields one number',
    );
    return undefined;
  }
  const unknown = unknownTemplateVariables(query);
  if (unknown.length > 0) {
    const error = unknownVariableError(unknown[0], keyPath);
    r.report(keyPath, error.problem, error.fix);
    return undefined;
  }
  return query;
}

function readThreshold(r: PlainDataReader, item: MetricData, keyPath: string, builtIn: MetricCheck | undefined): Threshold | undefined {
  // YAML `key:` with no value parses as null: treated like a key left out.
  const min = item.min ?? undefined;
  const max = item.max ?? undefined;
  const relativeTo = item.relativeTo ?? undefined;
  const maxIncrease = item.maxIncrease ?? undefined;
  const maxDecrease = item.maxDecrease ?? undefined;
  if ([min, max, relativeTo, maxIncrease, maxDecrease].every((limit) => limit === undefined)) {
    if (builtIn) return builtIn.threshold;
    r.report(keyPath, 'has no threshold', 'add min and/or max, or relativeTo: stable with maxIncrease and/or maxDecrease');
    return undefined;
  }
  const problemsBefore = r.errors.length;
  const at = (key: string): string => joinKeyPath(keyPath, key);
  if (min !== undefined && max !== undefined && min > max) {
    r.report(at('min'), `is greater than max (${max}), so no value could pass`, 'swap min and max');
  }
  if (relativeTo === undefined) {
    for (const [key, limit] of [
      ['maxIncrease', maxIncrease],
      ['maxDecrease', maxDecrease],
    ] as const) {
      if (limit !== undefined) {
        r.report(at(key), 'compares with another workload, but the metric has no relativeTo', 'add `relativeTo: stable` to this metric');
      }
    }
  } else if (maxIncrease === undefined && maxDecrease === undefined) {
    r.report(at('relativeTo'), `has no relative limit to check against ${relativeTo}`, 'add maxIncrease and/or maxDecrease');
  }
  if (r.errors.length > problemsBefore) return undefined;
  // Only the limits that are set, so the threshold prints and serialises without undefined keys.
  const threshold: Threshold = { min, max, relativeTo, maxIncrease, maxDecrease };
  return Object.fromEntries(Object.entries(threshold).filter(([, v]) => v !== undefined)) as Threshold;
}

function builtInSummary(): string {
  return BUILT_IN_METRICS.map((metric) => `${metric.name} ${describeThreshold(metric.threshold)}`).join(', ');
}

// How the section's keys word their problems: as every other stepwise problem, with the fix for this key.
const WORD_A_NUMBER = {
  problem: (value: unknown) => `must be a number, got ${describe(value)}`,
  fix: 'write a plain number such as 0.99, without quotes',
};
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const metricShape = metricSchema.shape;
problemWording.add(unwrapped(analysisSchema.shape.prometheus), {
  problem: (value) => (value === undefined || value === null ? 'is missing' : `must be a mapping, got ${describe(value)}`),
  fix: (value) =>
    value === undefined || value === null
      ? `say which Prometheus to query, e.g. \`prometheus: { url: ${EXAMPLE_URL} }\``
      : 'write it as `key: value` lines',
});
problemWording.add(unwrapped(prometheusSchema.shape.url), {
  problem: (value) =>
    typeof value !== 'string' || value === ''
      ? `must be a non-empty string, got ${describe(value)}`
      : URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)
        ? 'must not have a query string or fragment'
        : `must be an http:// or https:// URL, got ${describe(value)}`,
  fix: (value) =>
    typeof value !== 'string' || value === ''
      ? `give the Prometheus address, e.g. ${EXAMPLE_URL}`
      : URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)
        ? `give only the server's base address, e.g. ${EXAMPLE_URL}`
        : `write the full address, e.g. ${EXAMPLE_URL}`,
});
problemWording.add(unwrapped(prometheusSchema.shape.timeoutSeconds), {
  problem: (value) =>
    isNumber(value) ? `must be more than 0 and at most ${MAX_TIMEOUT_SECONDS} seconds, got ${value}` : WORD_A_NUMBER.problem(value),
  fix: (value) => (isNumber(value) ? `use a number of seconds such as ${ANALYSIS_DEFAULTS.timeoutSeconds}` : WORD_A_NUMBER.fix),
});
problemWording.add(unwrapped(analysisSchema.shape.interval), {
  problem: (value) => `must be a PromQL duration such as 30s, 5m, 1h or 1d, got ${describe(value)}`,
  fix: 'write a whole number above 0 followed by s, m, h or d, e.g. 5m',
});
problemWording.add(unwrapped(analysisSchema.shape.metrics), {
  problem: (value) => (Array.isArray(value) ? 'must list at least one metric' : `must be a list, got ${describe(value)}`),
  fix: (value) =>
    Array.isArray(value) ? `leave metrics out to check the defaults (${builtInSummary()}), or list one` : 'write it as `- item` lines',
});
problemWording.add(unwrapped(metricShape.name), {
  problem: (value) =>
    typeof value === 'string' && value !== ''
      ? `must be letters, digits, '-', '_' and '.', got ${describe(value)}`
      : nonEmptyString('').problem(value),
  fix: (value) => (typeof value === 'string' && value !== '' ? 'use a name such as error-rate' : 'name the metric, e.g. success-rate'),
});
problemWording.add(unwrapped(metricShape.query), nonEmptyString('write a PromQL query that yields one number'));
problemWording.add(unwrapped(metricShape.min), WORD_A_NUMBER);
problemWording.add(unwrapped(metricShape.max), WORD_A_NUMBER);
for (const limit of [unwrapped(metricShape.maxIncrease), unwrapped(metricShape.maxDecrease)]) {
  problemWording.add(limit, {
    problem: (value) => (isNumber(value) ? `must be 0 or more, got ${value}` : WORD_A_NUMBER.problem(value)),
    fix: (value) => (isNumber(value) ? 'use a number >= 0, e.g. 0.01' : WORD_A_NUMBER.fix),
  });
}
