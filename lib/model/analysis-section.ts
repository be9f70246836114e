/**
 * The `analysis` section of a plan: which Prometheus to ask, over which interval, and which
 * metrics must hold before a release continues. Parsed from plain data (a stack file's YAML).
 */
import { ANALYSIS_DEFAULTS, ANALYSIS_KEYS, METRIC_KEYS, PROMETHEUS_KEYS } from '../schema/analysis-schema';
import { StepwiseError, StepwiseErrors, joinKeyPath } from './errors';
import { BASELINES, describeThreshold, type Threshold } from './metric-threshold';
import { PlainDataReader, closest, describe } from './plain-data';
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

const THRESHOLD_KEYS = ['min', 'max', 'relativeTo', 'maxIncrease', 'maxDecrease'] as const;
const INTERVAL = /^\d+[smhd]$/;
const METRIC_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const MAX_TIMEOUT_SECONDS = 300;
const EXAMPLE_URL = 'http://prometheus.monitoring:9090';

/**
 * Parses and validates an `analysis` section from plain data. `keyPath` is where the section
 * sits, so errors read like `analysis.metrics[1].min`. Throws a `StepwiseError` for one problem
 * and `StepwiseErrors` listing every problem when there are several (`stepwiseErrorsOf` reads both).
 */
export function parseAnalysis(data: unknown, keyPath = 'analysis'): Analysis {
  const reader = new PlainDataReader();
  const analysis = readAnalysis(reader, data, keyPath);
  const errors = reader.errors;
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new StepwiseErrors(errors);
  if (!analysis)
    throw new StepwiseError({
      keyPath,
      problem: 'could not be read',
      fix: 'check the section against the README, section "The metric gate"',
    });
  return analysis;
}

function readAnalysis(r: PlainDataReader, data: unknown, keyPath: string): Analysis | undefined {
  if (data === undefined || data === null) {
    r.report(keyPath, 'is missing', `add an analysis section with at least \`prometheus: { url: ${EXAMPLE_URL} }\``);
    return undefined;
  }
  const root = r.object(data, keyPath, ANALYSIS_KEYS);
  if (!root) return undefined;
  const prometheus = readPrometheus(r, root.prometheus, joinKeyPath(keyPath, 'prometheus'));
  const interval = readInterval(r, root.interval, joinKeyPath(keyPath, 'interval'));
  const metrics = readMetrics(r, root.metrics, joinKeyPath(keyPath, 'metrics'));
  if (!prometheus || !interval || !metrics) return undefined;
  return { prometheus, interval, metrics };
}

function readPrometheus(r: PlainDataReader, value: unknown, keyPath: string): PrometheusSource | undefined {
  if (value === undefined || value === null) {
    r.report(keyPath, 'is missing', `say which Prometheus to query, e.g. \`prometheus: { url: ${EXAMPLE_URL} }\``);
    return undefined;
  }
  const section = r.object(value, keyPath, PROMETHEUS_KEYS);
  if (!section) return undefined;
  const url = readUrl(r, section.url, joinKeyPath(keyPath, 'url'));
  const timeoutKeyPath = joinKeyPath(keyPath, 'timeoutSeconds');
  const timeoutSeconds =
    section.timeoutSeconds === undefined ? ANALYSIS_DEFAULTS.timeoutSeconds : readNumber(r, section.timeoutSeconds, timeoutKeyPath);
  if (timeoutSeconds !== undefined && (timeoutSeconds <= 0 || timeoutSeconds > MAX_TIMEOUT_SECONDS)) {
    r.report(
      timeoutKeyPath,
      `must be more than 0 and at most ${MAX_TIMEOUT_SECONDS} seconds, got ${timeoutSeconds}`,
      `use a number of seconds such as ${ANALYSIS_DEFAULTS.timeoutSeconds}`,
    );
    return undefined;
  }
  if (url === undefined || timeoutSeconds === undefined) return undefined;
  return { url, timeoutSeconds };
}

/**
 * A Prometheus base URL given outside the stack file (e.g. `stepwise gate --prometheus`), checked
 * as `analysis.prometheus.url` is. Throws a StepwiseError at `keyPath` when it is not one.
 */
export function parsePrometheusUrl(value: unknown, keyPath: string): string {
  const reader = new PlainDataReader();
  const url = readUrl(reader, value, keyPath);
  if (reader.errors.length > 0 || url === undefined) throw reader.errors[0];
  return url;
}

function readUrl(r: PlainDataReader, value: unknown, keyPath: string): string | undefined {
  const text = r.string(value, keyPath, `give the Prometheus address, e.g. ${EXAMPLE_URL}`);
  if (text === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(text);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    r.report(keyPath, `must be an http:// or https:// URL, got ${describe(text)}`, `write the full address, e.g. ${EXAMPLE_URL}`);
    return undefined;
  }
  if (parsed.search || parsed.hash) {
    r.report(keyPath, 'must not have a query string or fragment', `give only the server's base address, e.g. ${EXAMPLE_URL}`);
    return undefined;
  }
  return text;
}

function readInterval(r: PlainDataReader, value: unknown, keyPath: string): string | undefined {
  if (value === undefined || value === null) return ANALYSIS_DEFAULTS.interval;
  if (typeof value !== 'string' || !INTERVAL.test(value) || /^0+[smhd]$/.test(value)) {
    r.report(
      keyPath,
      `must be a PromQL duration such as 30s, 5m, 1h or 1d, got ${describe(value)}`,
      'write a whole number above 0 followed by s, m, h or d, e.g. 5m',
    );
    return undefined;
  }
  return value;
}

function readMetrics(r: PlainDataReader, value: unknown, keyPath: string): MetricCheck[] | undefined {
  if (value === undefined || value === null) return [...BUILT_IN_METRICS];
  const items = r.list(value, keyPath);
  if (!items) return undefined;
  if (items.length === 0) {
    r.report(keyPath, 'must list at least one metric', `leave metrics out to check the defaults (${builtInSummary()}), or list one`);
    return undefined;
  }
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

function readMetric(r: PlainDataReader, value: unknown, keyPath: string): MetricCheck | undefined {
  const item = r.object(value, keyPath, METRIC_KEYS);
  if (!item) return undefined;
  const nameKeyPath = joinKeyPath(keyPath, 'name');
  const name = r.string(item.name, nameKeyPath, 'name the metric, e.g. success-rate');
  if (name !== undefined && !METRIC_NAME.test(name)) {
    r.report(nameKeyPath, `must be letters, digits, '-', '_' and '.', got ${describe(name)}`, 'use a name such as error-rate');
    return undefined;
  }
  const builtIn = BUILT_IN_METRICS.find((metric) => metric.name === name);
  const query = readQuery(r, item.query, joinKeyPath(keyPath, 'query'), name, builtIn);
  const threshold = readThreshold(r, item, keyPath, builtIn);
  if (name === undefined || query === undefined || threshold === undefined) return undefined;
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
  value: unknown,
  keyPath: string,
  name: string | undefined,
  builtIn: MetricCheck | undefined,
): string | undefined {
  if (value === undefined || value === null) {
    if (builtIn) return builtIn.query;
    if (name === undefined) return undefined;
    const builtInNames = BUILT_IN_METRICS.map((metric) => metric.name);
    const suggestion = closest(name, builtInNames) ?? builtInNames.find((builtInName) => builtInName.startsWith(name));
    r.report(
      keyPath,
      `is missing: '${name}' is not a built-in metric (${builtInNames.join(', ')})`,
      suggestion ? `did you mean '${suggestion}'? Otherwise add a PromQL query` : 'add a PromQL query that yields one number',
    );
    return undefined;
  }
  const query = r.string(value, keyPath, 'write a PromQL query that yields one number');
  if (query === undefined) return undefined;
  const unknown = unknownTemplateVariables(query);
  if (unknown.length > 0) {
    const error = unknownVariableError(unknown[0], keyPath);
    r.report(keyPath, error.problem, error.fix);
    return undefined;
  }
  return query;
}

function readThreshold(
  r: PlainDataReader,
  item: Record<string, unknown>,
  keyPath: string,
  builtIn: MetricCheck | undefined,
): Threshold | undefined {
  if (!THRESHOLD_KEYS.some((key) => isSet(item[key]))) {
    if (builtIn) return builtIn.threshold;
    r.report(keyPath, 'has no threshold', 'add min and/or max, or relativeTo: stable with maxIncrease and/or maxDecrease');
    return undefined;
  }
  const problemsBefore = r.errors.length;
  const at = (key: string): string => joinKeyPath(keyPath, key);
  const min = readOptionalNumber(r, item.min, at('min'));
  const max = readOptionalNumber(r, item.max, at('max'));
  const maxIncrease = readOptionalNumber(r, item.maxIncrease, at('maxIncrease'), 0);
  const maxDecrease = readOptionalNumber(r, item.maxDecrease, at('maxDecrease'), 0);
  const relativeTo = isSet(item.relativeTo) ? r.oneOf(item.relativeTo, at('relativeTo'), BASELINES) : undefined;
  if (min !== undefined && max !== undefined && min > max) {
    r.report(at('min'), `is greater than max (${max}), so no value could pass`, 'swap min and max');
  }
  if (!isSet(item.relativeTo)) {
    for (const key of ['maxIncrease', 'maxDecrease'] as const) {
      if (isSet(item[key])) {
        r.report(at(key), 'compares with another workload, but the metric has no relativeTo', 'add `relativeTo: stable` to this metric');
      }
    }
  } else if (!isSet(item.maxIncrease) && !isSet(item.maxDecrease)) {
    r.report(at('relativeTo'), `has no relative limit to check against ${String(item.relativeTo)}`, 'add maxIncrease and/or maxDecrease');
  }
  if (r.errors.length > problemsBefore) return undefined;
  // Only the limits that are set, so the threshold prints and serialises without undefined keys.
  const threshold: Threshold = { min, max, relativeTo, maxIncrease, maxDecrease };
  return Object.fromEntries(Object.entries(threshold).filter(([, v]) => v !== undefined)) as Threshold;
}

/** YAML `key:` with no value parses as null: treated like a key left out. */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function readOptionalNumber(r: PlainDataReader, value: unknown, keyPath: string, atLeast?: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = readNumber(r, value, keyPath);
  if (number !== undefined && atLeast !== undefined && number < atLeast) {
    r.report(keyPath, `must be ${atLeast} or more, got ${number}`, `use a number >= ${atLeast}, e.g. 0.01`);
    return undefined;
  }
  return number;
}

function readNumber(r: PlainDataReader, value: unknown, keyPath: string): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    r.report(keyPath, `must be a number, got ${describe(value)}`, 'write a plain number such as 0.99, without quotes');
    return undefined;
  }
  return value;
}

function builtInSummary(): string {
  return BUILT_IN_METRICS.map((metric) => `${metric.name} ${describeThreshold(metric.threshold)}`).join(', ');
}
