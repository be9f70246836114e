import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { queryUrl, readQueryAnswer } from '../lib/gate';

/** A Prometheus API answer body, as JSON text. */
function body(data: unknown): string {
  return JSON.stringify({ status: 'success', data });
}

describe('Prometheus query answers', () => {
  test('one series gives its value', () => {
    const answer = body({ resultType: 'vector', result: [{ metric: {}, value: [1700000000.1, '0.9987'] }] });
    assert.deepEqual(readQueryAnswer(200, 'OK', answer), { kind: 'value', value: 0.9987 });
  });

  test('a scalar result gives its value, and 0/0 gives NaN which is not a number to judge', () => {
    assert.deepEqual(readQueryAnswer(200, 'OK', body({ resultType: 'scalar', result: [1700000000, '2'] })), { kind: 'value', value: 2 });
    assert.deepEqual(readQueryAnswer(200, 'OK', body({ resultType: 'scalar', result: [1700000000, 'NaN'] })), {
      kind: 'not-a-number',
      detail: 'NaN',
      value: NaN,
    });
  });

  test('infinities are not numbers to judge either', () => {
    const answer = body({ resultType: 'vector', result: [{ metric: {}, value: [1, '+Inf'] }] });
    assert.deepEqual(readQueryAnswer(200, 'OK', answer), { kind: 'not-a-number', detail: '+Inf', value: Infinity });
  });

  test('an empty vector is no data', () => {
    assert.equal(readQueryAnswer(200, 'OK', body({ resultType: 'vector', result: [] })).kind, 'no-data');
  });

  test('several series are named in the answer', () => {
    const answer = body({
      resultType: 'vector',
      result: [
        { metric: { code: '200', app: 'shop' }, value: [1, '3'] },
        { metric: { code: '500', app: 'shop' }, value: [1, '1'] },
      ],
    });
    assert.deepEqual(readQueryAnswer(200, 'OK', answer), {
      kind: 'many-series',
      detail: '2 series: {app="shop",code="200"}, {app="shop",code="500"}',
    });
  });

  test('a range vector is a query problem', () => {
    assert.equal(readQueryAnswer(200, 'OK', body({ resultType: 'matrix', result: [] })).kind, 'query-error');
  });

  test("Prometheus' own error answers are query errors, or timeouts when it gave up", () => {
    const badQuery = JSON.stringify({ status: 'error', errorType: 'bad_data', error: '1:5: parse error: unclosed left parenthesis' });
    assert.deepEqual(readQueryAnswer(400, 'Bad Request', badQuery), {
      kind: 'query-error',
      detail: 'bad_data: 1:5: parse error: unclosed left parenthesis',
    });
    const timedOut = JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' });
    assert.equal(readQueryAnswer(503, 'Service Unavailable', timedOut).kind, 'timeout');
  });

  test('a Prometheus error answer with a 5xx status is a server error, not a rejected query', () => {
    const internal = JSON.stringify({ status: 'error', errorType: 'internal', error: 'out of memory' });
    assert.deepEqual(readQueryAnswer(500, 'Internal Server Error', internal), {
      kind: 'server-error',
      detail: 'HTTP 500 Internal Server Error (internal: out of memory)',
    });
    const unavailable = JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'TSDB not ready' });
    assert.equal(readQueryAnswer(503, 'Service Unavailable', unavailable).kind, 'server-error');
  });

  test('bad_data and execution errors blame the query whatever the status', () => {
    const badData = JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' });
    assert.equal(readQueryAnswer(500, 'Internal Server Error', badData).kind, 'query-error');
    const execution = JSON.stringify({ status: 'error', errorType: 'execution', error: 'many-to-many matching not allowed' });
    assert.deepEqual(readQueryAnswer(422, 'Unprocessable Entity', execution), {
      kind: 'query-error',
      detail: 'execution: many-to-many matching not allowed',
    });
  });

  test('a range vector answer names its result type, so it is not reported as a rejected query', () => {
    const resultTypeOf = (answer: string) => {
      const result = readQueryAnswer(200, 'OK', answer);
      return result.kind === 'value' ? undefined : result.resultType;
    };
    assert.equal(resultTypeOf(body({ resultType: 'matrix', result: [] })), 'matrix');
    assert.equal(resultTypeOf(body({ resultType: 'string', result: [1, 'x'] })), 'string');
  });

  test('an HTTP error page is an HTTP error; a page that is not the API is a bad response', () => {
    assert.deepEqual(readQueryAnswer(502, 'Bad Gateway', '<html>bad gateway</html>'), {
      kind: 'http-error',
      detail: 'HTTP 502 Bad Gateway',
    });
    assert.equal(readQueryAnswer(200, 'OK', '<html>Grafana</html>').kind, 'bad-response');
  });

  test('the query URL keeps a path prefix and sends the query and timeout as parameters', () => {
    const url = new URL(queryUrl({ url: 'http://proxy.example/prometheus/', timeoutSeconds: 2.5 }, 'up{job="x"}'));
    assert.equal(url.pathname, '/prometheus/api/v1/query');
    assert.equal(url.searchParams.get('query'), 'up{job="x"}');
    assert.equal(url.searchParams.get('timeout'), '2.5');
  });
});
