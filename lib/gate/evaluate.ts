/**
 * Runs the metric gate: fills each metric's query for the canary (and the stable workload, for
 * relative limits), asks Prometheus, and judges every value. Missing evidence (no data, NaN, an
 * unreachable or slow Prometheus, a bad query) makes a metric inconclusive, never a pass.
 */
import type { Analysis, MetricCheck } from '../model/analysis-section';
import { instantQuery, type InstantQuery, type QueryFailure } from './prometheus-client';
import { fillTemplate, templateValues, type QueriedWorkload, type TemplateValues } from './promql';
import { comparesWithBaseline, judge, type Baseline, type Threshold } from './threshold';
import { overallVerdict, type GateVerdict } from './verdict';

/** What the gate measures: the canary, and the stable workload relative limits compare with. */
export interface GateTarget {
  /** The namespace both workloads run in (`{{namespace}}`). */
  readonly namespace: string;
  /** The canary Deployment: its name and pod labels. */
  readonly canary: QueriedWorkload;
  /**
   * The stable Deployment, for metrics with `relativeTo: stable`.
   * @default none: relative metrics are inconclusive
   */
  readonly stable?: QueriedWorkload;
}

/** How the gate reaches its metrics. */
export interface RunGateOptions {
  /**
   * Runs one PromQL instant query.
   * @default an HTTP query to `analysis.prometheus`
   */
  readonly query?: InstantQuery;
}

/** One metric's outcome. */
export interface MetricResult {
  /** The metric's name, e.g. `success-rate`. */
  readonly name: string;
  /** `pass`, `fail` or `inconclusive`. */
  readonly result: GateVerdict;
  /** The canary's value when Prometheus gave a number (possibly NaN or infinite); absent otherwise. */
  readonly value?: number;
  /** The stable workload's value, for relative limits, when Prometheus gave a number. */
  readonly stableValue?: number;
  /** The limits the value was judged against. */
  readonly threshold: Threshold;
  /** Why, in plain words, e.g. `0.8 is below the minimum 0.99`. */
  readonly reason: string;
  /** The PromQL run for the canary. */
  readonly query: string;
  /** The PromQL run for the stable workload, for relative limits. */
  readonly stableQuery?: string;
}

/** The gate's outcome: the overall verdict and every metric's result, in analysis order. */
export interface GateReport {
  /** `fail` if any metric failed, else `inconclusive` if any was, else `pass`. */
  readonly verdict: GateVerdict;
  /** The namespace of the workloads. */
  readonly namespace: string;
  /** The canary Deployment's name. */
  readonly canary: string;
  /** The stable Deployment's name, when the gate was given one. */
  readonly stable?: string;
  /** The Prometheus queried. */
  readonly prometheusUrl: string;
  /** The PromQL range the queries looked back over. */
  readonly interval: string;
  /** One result per metric. */
  readonly metrics: readonly MetricResult[];
}

/**
 * Checks every metric of `analysis` for `target` (queries run concurrently) and returns the
 * report. Throws a StepwiseError only for configuration problems (a workload without pod
 * labels, an unknown template variable); Prometheus problems become inconclusive results.
 */
export async function runGate(analysis: Analysis, target: GateTarget, options: RunGateOptions = {}): Promise<GateReport> {
  const query = options.query ?? ((promql: string) => instantQuery(analysis.prometheus, promql));
  const canaryValues = templateValues(target.namespace, target.canary, analysis.interval);
  const needsStable = analysis.metrics.some((metric) => comparesWithBaseline(metric.threshold));
  const stableValues = needsStable && target.stable ? templateValues(target.namespace, target.stable, analysis.interval) : undefined;
  const metrics = await Promise.all(
    analysis.metrics.map((metric, i) =>
      checkMetric(metric, `analysis.metrics[${i}].query`, analysis, { canaryValues, stableValues, query }),
    ),
  );
  return {
    verdict: overallVerdict(metrics.map((metric) => metric.result)),
    namespace: target.namespace,
    canary: target.canary.name,
    ...(target.stable ? { stable: target.stable.name } : {}),
    prometheusUrl: analysis.prometheus.url,
    interval: analysis.interval,
    metrics,
  };
}

interface MetricContext {
  readonly canaryValues: TemplateValues;
  readonly stableValues?: TemplateValues;
  readonly query: InstantQuery;
}

async function checkMetric(metric: MetricCheck, queryKeyPath: string, analysis: Analysis, context: MetricContext): Promise<MetricResult> {
  const { threshold } = metric;
  const canaryQuery = fillTemplate(metric.query, context.canaryValues, queryKeyPath);
  const relative = comparesWithBaseline(threshold);
  const stableQuery = relative && context.stableValues ? fillTemplate(metric.query, context.stableValues, queryKeyPath) : undefined;
  const [canary, stable] = await Promise.all([
    context.query(canaryQuery),
    stableQuery === undefined ? undefined : context.query(stableQuery),
  ]);
  const base = { name: metric.name, threshold, query: canaryQuery, ...(stableQuery === undefined ? {} : { stableQuery }) };

  if (canary.kind !== 'value') {
    return { ...base, result: 'inconclusive', ...valueOf(canary, 'value'), reason: failureReason(canary, 'canary', analysis) };
  }
  const value = canary.value;
  if (!relative) return { ...base, value, ...judge(threshold, value) };

  // An absolute limit the canary breaks fails the metric whatever the stable workload shows.
  const absolute = judge(threshold, value);
  if (absolute.result === 'fail') {
    return { ...base, value, ...(stable?.kind === 'value' ? { stableValue: stable.value } : {}), ...absolute };
  }
  if (stable === undefined) {
    const reason = `cannot compare with ${threshold.relativeTo}: the gate was run without a ${threshold.relativeTo} workload — run it for a release that has one, or drop relativeTo`;
    return { ...base, value, result: 'inconclusive', reason };
  }
  if (stable.kind !== 'value') {
    return {
      ...base,
      value,
      ...valueOf(stable, 'stableValue'),
      result: 'inconclusive',
      reason: failureReason(stable, threshold.relativeTo ?? 'stable', analysis),
    };
  }
  return { ...base, value, stableValue: stable.value, ...judge(threshold, value, stable.value) };
}

/** The NaN or infinity a failed query returned, under `key`, so the report can show it. */
function valueOf<K extends 'value' | 'stableValue'>(failure: QueryFailure, key: K): { [P in K]?: number } {
  return (failure.value === undefined ? {} : { [key]: failure.value }) as { [P in K]?: number };
}

const CONNECTION_PROBLEMS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
};

/** The plain-words reason for a query, run for the canary or its baseline, that gave no usable number. */
function failureReason(failure: QueryFailure, side: 'canary' | Baseline, analysis: Analysis): string {
  const { url, timeoutSeconds } = analysis.prometheus;
  const who = side === 'canary' ? 'the canary' : `the ${side} workload`;
  const forWho = side === 'canary' ? '' : ` (querying ${who})`;
  switch (failure.kind) {
    case 'no-data':
      return `no data: the query returned no series — is ${who} receiving traffic and is Prometheus scraping it?`;
    case 'not-a-number':
      return `no usable value: the query returned ${failure.detail} — usually a division by zero because ${who} had no requests in the last ${analysis.interval}`;
    case 'unreachable': {
      const code = Object.keys(CONNECTION_PROBLEMS).find((c) => failure.detail.includes(c));
      const words = code ? `${CONNECTION_PROBLEMS[code]}, ${failure.detail}` : failure.detail;
      return `Prometheus unreachable at ${url} (${words})${forWho} — check analysis.prometheus.url and that this machine can reach it`;
    }
    case 'timeout':
      return `no answer from Prometheus within ${timeoutSeconds} s (${failure.detail})${forWho} — raise analysis.prometheus.timeoutSeconds or make the query cheaper`;
    case 'http-error':
      return `Prometheus at ${url} answered ${failure.detail}${forWho} — check that analysis.prometheus.url points at Prometheus itself`;
    case 'server-error':
      return `Prometheus at ${url} answered ${failure.detail}${forWho} — a server-side error, not the query's fault; check Prometheus (its logs and health) and retry`;
    case 'bad-response':
      return `the answer from ${url} is not a Prometheus API answer (${failure.detail})${forWho} — check analysis.prometheus.url`;
    case 'query-error':
      return failure.resultType === undefined
        ? `Prometheus rejected the query (${failure.detail})${forWho} — fix the metric's query`
        : `${failure.detail}${forWho} — fix the metric's query so it gives one number, e.g. wrap a range vector in rate(...) and sum(...)`;
    case 'many-series':
      return `the query returned ${failure.detail}${forWho}; one value is needed — aggregate it, e.g. wrap it in sum(...)`;
  }
}
