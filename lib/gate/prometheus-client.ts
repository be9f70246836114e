/**
 * One instant query against the Prometheus HTTP API (`GET /api/v1/query`). Every way a query
 * can fail to give one number is a distinct, named outcome, never an exception, so the gate can
 * turn each into an inconclusive result with its own advice.
 */
import type { PrometheusSource } from '../model/analysis-section';

/** Why a query gave no usable number. */
export type QueryFailureKind =
  /** No connection: refused, host name not found, network unreachable, TLS failure. */
  | 'unreachable'
  /** No complete answer within `timeoutSeconds` (or Prometheus gave up on the query itself). */
  | 'timeout'
  /** An HTTP error status without a Prometheus error body (e.g. a proxy's 502). */
  | 'http-error'
  /** Prometheus itself failed (an HTTP 5xx error answer such as `internal`): not the query's fault. */
  | 'server-error'
  /**
   * The query is at fault: Prometheus rejected it (an HTTP 4xx error answer such as `bad_data`,
   * or `errorType: bad_data`/`execution`), or it returns no number (a range vector, a string).
   */
  | 'query-error'
  /** The answer is not a Prometheus API response (e.g. an HTML page). */
  | 'bad-response'
  /** The query returned no series. */
  | 'no-data'
  /** The query returned more than one series, so there is no single value to judge. */
  | 'many-series'
  /** The value is NaN or infinite (e.g. 0/0 when there was no traffic). */
  | 'not-a-number';

/** A query that gave one finite number. */
export interface MeasuredValue {
  /** Marks success. */
  readonly kind: 'value';
  /** The finite value. */
  readonly value: number;
}

/** A query that gave no usable number. */
export interface QueryFailure {
  /** What went wrong. */
  readonly kind: QueryFailureKind;
  /** The technical detail, e.g. `connect ECONNREFUSED 127.0.0.1:9090` or `bad_data: parse error ...`. */
  readonly detail: string;
  /** For `not-a-number`: the NaN or infinite value Prometheus returned. */
  readonly value?: number;
  /**
   * For a `query-error` Prometheus did not reject but answered with something other than a
   * number (`matrix`, `string`): that result type. Absent when Prometheus rejected the query.
   */
  readonly resultType?: string;
}

/** The outcome of one instant query. */
export type InstantQueryResult = MeasuredValue | QueryFailure;

/** Runs one PromQL instant query; the gate's seam for tests and other metric sources. */
export type InstantQuery = (query: string) => Promise<InstantQueryResult>;

/**
 * Runs `query` as an instant query against `source`, giving up after `source.timeoutSeconds`
 * (connection, answer and body together). Never throws for network or Prometheus problems.
 */
export async function instantQuery(source: PrometheusSource, query: string): Promise<InstantQueryResult> {
  const url = queryUrl(source, query);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), source.timeoutSeconds * 1000);
  try {
    const response = await fetch(url, { signal: controller.signal, headers: { accept: 'application/json' } });
    const body = await response.text();
    return readQueryAnswer(response.status, response.statusText, body);
  } catch (error) {
    // The reason already says how long the gate waited; the detail says who gave up.
    if (controller.signal.aborted) return { kind: 'timeout', detail: 'the gate stopped waiting' };
    return { kind: 'unreachable', detail: connectionProblem(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The query URL: `<base>/api/v1/query?query=...&timeout=...`. The base URL may carry a path
 * prefix (a Prometheus behind `--web.route-prefix` or a proxy path).
 */
export function queryUrl(source: PrometheusSource, query: string): string {
  const base = source.url.replace(/\/+$/, '');
  // Prometheus stops evaluating at its own `timeout` (plain seconds, fractions allowed), so a slow
  // query does not run on after the gate gives up.
  const params = new URLSearchParams({ query, timeout: String(source.timeoutSeconds) });
  return `${base}/api/v1/query?${params.toString()}`;
}

/**
 * Reads the answer to an instant query: the HTTP status and body text. Pure, so every shape of
 * answer can be tested without a server.
 */
export function readQueryAnswer(status: number, statusText: string, body: string): InstantQueryResult {
  const answer = parseJson(body);
  const httpStatus = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  if (isRecord(answer) && answer.status === 'error') {
    const errorType = typeof answer.errorType === 'string' ? answer.errorType : 'error';
    const message = typeof answer.error === 'string' ? answer.error : 'no message';
    const kind = errorAnswerKind(status, errorType);
    return { kind, detail: kind === 'server-error' ? `${httpStatus} (${errorType}: ${message})` : `${errorType}: ${message}` };
  }
  if (status < 200 || status > 299) return { kind: 'http-error', detail: httpStatus };
  if (!isRecord(answer) || answer.status !== 'success' || !isRecord(answer.data)) {
    return { kind: 'bad-response', detail: `${httpStatus} with a body that is not a Prometheus API answer: ${excerpt(body)}` };
  }
  const { resultType, result } = answer.data;
  if (resultType === 'scalar') return sampleValue(result);
  if (resultType === 'vector' && Array.isArray(result)) {
    if (result.length === 0) return { kind: 'no-data', detail: 'the result is an empty vector' };
    if (result.length > 1) return { kind: 'many-series', detail: `${result.length} series: ${seriesExamples(result)}` };
    return isRecord(result[0]) ? sampleValue(result[0].value) : badSample(result[0]);
  }
  if (resultType === 'matrix') {
    return { kind: 'query-error', resultType, detail: 'the query returns a range vector (e.g. x[5m]) instead of one value per series' };
  }
  return { kind: 'query-error', resultType: String(resultType), detail: `the query returns a ${String(resultType)} instead of a number` };
}

/**
 * What a Prometheus error answer means. Its own timeouts are timeouts; `bad_data` and `execution`
 * are the query's fault whatever the status; any other error with a 5xx status (`internal`,
 * `unavailable`) is Prometheus failing, which no change to the query fixes.
 */
function errorAnswerKind(status: number, errorType: string): QueryFailureKind {
  if (errorType === 'timeout' || errorType === 'canceled') return 'timeout';
  if (errorType === 'bad_data' || errorType === 'execution') return 'query-error';
  return status >= 500 ? 'server-error' : 'query-error';
}

/** A `[timestamp, "value"]` pair as Prometheus encodes samples. */
function sampleValue(sample: unknown): InstantQueryResult {
  if (!Array.isArray(sample) || sample.length !== 2 || typeof sample[1] !== 'string') return badSample(sample);
  const value = prometheusNumber(sample[1]);
  if (value === undefined) return badSample(sample);
  if (!Number.isFinite(value)) return { kind: 'not-a-number', detail: sample[1], value };
  return { kind: 'value', value };
}

function badSample(sample: unknown): QueryFailure {
  return { kind: 'bad-response', detail: `unexpected sample ${excerpt(JSON.stringify(sample) ?? String(sample))}` };
}

/** Prometheus' number text: Go float formatting plus `NaN`, `+Inf`, `-Inf`. */
function prometheusNumber(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const value = Number(text);
  return text.trim() === '' || Number.isNaN(value) ? undefined : value;
}

function seriesExamples(result: unknown[]): string {
  const shown = result.slice(0, 3).map((series) => {
    const metric = isRecord(series) && isRecord(series.metric) ? series.metric : {};
    const pairs = Object.keys(metric)
      .sort()
      .map((key) => `${key}="${String(metric[key])}"`);
    return `{${pairs.join(',')}}`;
  });
  return result.length > shown.length ? `${shown.join(', ')}, ...` : shown.join(', ');
}

/** The connection problem behind a failed fetch, e.g. `connect ECONNREFUSED 127.0.0.1:9090`. */
function connectionProblem(error: unknown): string {
  // Node's fetch throws `TypeError: fetch failed` with the socket or DNS error as its cause.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    if (typeof code !== 'string') return cause.message || cause.name;
    // Several addresses refused at once arrive as an AggregateError with an empty message.
    return !cause.message ? code : cause.message.includes(code) ? cause.message : `${code}: ${cause.message}`;
  }
  return String(cause);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine || '(empty)';
}
