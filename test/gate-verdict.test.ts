import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  gateExitCode,
  judge,
  overallVerdict,
  parseAnalysis,
  runGate,
  type Analysis,
  type GateTarget,
  type InstantQueryResult,
} from '../lib/gate';
import { exampleStack } from './support/example-stacks';

const plan = exampleStack('fop-gate').plan;
const [stable, canary] = ['fop-gate', 'fop-gate-canary'].map((name) => {
  const workload = plan.workloads.find((w) => w.name === name);
  assert.ok(workload, `the fop-gate example has ${name}`);
  return workload;
});
const target: GateTarget = { namespace: plan.namespace, canary, stable };

const DEFAULTS = parseAnalysis({ prometheus: { url: 'http://prometheus.monitoring:9090' } });
const RELATIVE = parseAnalysis({
  prometheus: { url: 'http://prometheus.monitoring:9090' },
  metrics: [
    {
      name: 'error-rate-vs-stable',
      query:
        'sum(rate(http_requests_total{ {{selector}}, code=~"5.." }[{{interval}}])) / sum(rate(http_requests_total{ {{selector}} }[{{interval}}]))',
      relativeTo: 'stable',
      maxIncrease: 0.01,
      max: 0.1,
    },
  ],
});

const value = (v: number): InstantQueryResult => ({ kind: 'value', value: v });

/** A stand-in for Prometheus: answers by workload (track) and by metric (latency histogram or not). */
function fake(answers: {
  canary?: { success?: InstantQueryResult; latency?: InstantQueryResult };
  canaryErrors?: InstantQueryResult;
  stableErrors?: InstantQueryResult;
}) {
  const asked: string[] = [];
  const query = async (promql: string): Promise<InstantQueryResult> => {
    asked.push(promql);
    const isCanary = promql.includes('track="canary"');
    if (promql.includes('code=~"5.."'))
      return (isCanary ? answers.canaryErrors : answers.stableErrors) ?? { kind: 'no-data', detail: 'empty' };
    if (promql.includes('histogram_quantile')) return answers.canary?.latency ?? { kind: 'no-data', detail: 'empty' };
    return answers.canary?.success ?? { kind: 'no-data', detail: 'empty' };
  };
  return { query, asked };
}

async function gate(analysis: Analysis, answers: Parameters<typeof fake>[0], gateTarget: GateTarget = target) {
  return runGate(analysis, gateTarget, { query: fake(answers).query });
}

describe('gate verdict', () => {
  test('the gate passes only when every metric passes', async () => {
    const report = await gate(DEFAULTS, { canary: { success: value(0.998), latency: value(0.21) } });
    assert.deepEqual(
      report.metrics.map((m) => [m.name, m.result, m.value, m.reason]),
      [
        ['success-rate', 'pass', 0.998, '0.998 is at least 0.99'],
        ['p99-latency-seconds', 'pass', 0.21, '0.21 is at most 0.5'],
      ],
    );
    assert.equal(report.verdict, 'pass');
  });

  test('one failing metric fails the gate, even when another is inconclusive', async () => {
    const report = await gate(DEFAULTS, {
      canary: { success: value(0.95), latency: { kind: 'timeout', detail: 'no answer within 10 s' } },
    });
    assert.deepEqual(
      report.metrics.map((m) => m.result),
      ['fail', 'inconclusive'],
    );
    assert.equal(report.verdict, 'fail');
  });

  test('no data, NaN, an unreachable Prometheus or a timeout is never a pass', async () => {
    const failures: InstantQueryResult[] = [
      { kind: 'no-data', detail: 'the result is an empty vector' },
      { kind: 'not-a-number', detail: 'NaN', value: NaN },
      { kind: 'not-a-number', detail: '+Inf', value: Infinity },
      { kind: 'unreachable', detail: 'connect ECONNREFUSED 127.0.0.1:9090' },
      { kind: 'timeout', detail: 'no answer within 10 s' },
      { kind: 'http-error', detail: 'HTTP 502 Bad Gateway' },
      { kind: 'query-error', detail: 'bad_data: parse error' },
      { kind: 'bad-response', detail: 'HTTP 200 with a body that is not a Prometheus API answer: <html>' },
      { kind: 'many-series', detail: '2 series: {code="200"}, {code="500"}' },
      { kind: 'server-error', detail: 'HTTP 500 Internal Server Error (internal: out of memory)' },
      {
        kind: 'query-error',
        resultType: 'matrix',
        detail: 'the query returns a range vector (e.g. x[5m]) instead of one value per series',
      },
    ];
    for (const failure of failures) {
      const report = await gate(DEFAULTS, { canary: { success: failure, latency: value(0.1) } });
      assert.equal(report.metrics[0].result, 'inconclusive', failure.kind);
      assert.equal(report.verdict, 'inconclusive', failure.kind);
    }
  });

  test('each kind of missing evidence is explained in plain words', async () => {
    const reasonFor = async (failure: InstantQueryResult) => (await gate(DEFAULTS, { canary: { success: failure } })).metrics[0].reason;
    assert.equal(
      await reasonFor({ kind: 'no-data', detail: 'x' }),
      'no data: the query returned no series — is the canary receiving traffic and is Prometheus scraping it?',
    );
    assert.match(
      await reasonFor({ kind: 'not-a-number', detail: 'NaN', value: NaN }),
      /^no usable value: the query returned NaN — usually a division by zero because the canary had no requests in the last 5m$/,
    );
    assert.match(
      await reasonFor({ kind: 'unreachable', detail: 'connect ECONNREFUSED 127.0.0.1:9090' }),
      /^Prometheus unreachable at http:\/\/prometheus\.monitoring:9090 \(connection refused, connect ECONNREFUSED/,
    );
    assert.match(
      await reasonFor({ kind: 'timeout', detail: 'no answer within 10 s' }),
      /^no answer from Prometheus within 10 s .*raise analysis\.prometheus\.timeoutSeconds/,
    );
    assert.match(await reasonFor({ kind: 'many-series', detail: '2 series: {code="200"}, {code="500"}' }), /wrap it in sum/);
  });

  test('a timeout names the wait once, and says who gave up', async () => {
    const reasonFor = async (failure: InstantQueryResult) => (await gate(DEFAULTS, { canary: { success: failure } })).metrics[0].reason;
    const ours = await reasonFor({ kind: 'timeout', detail: 'the gate stopped waiting' });
    assert.match(ours, /^no answer from Prometheus within 10 s \(the gate stopped waiting\) — raise analysis\.prometheus\.timeoutSeconds/);
    assert.equal(ours.match(/within/g)?.length, 1);
    assert.match(
      await reasonFor({ kind: 'timeout', detail: 'timeout: query timed out in expression evaluation' }),
      /^no answer from Prometheus within 10 s \(timeout: query timed out in expression evaluation\) — /,
    );
  });

  test('a server error is not blamed on the query; a rejected query and a range vector are', async () => {
    const reasonFor = async (failure: InstantQueryResult) => (await gate(DEFAULTS, { canary: { success: failure } })).metrics[0].reason;
    const server = await reasonFor({ kind: 'server-error', detail: 'HTTP 500 Internal Server Error (internal: out of memory)' });
    assert.match(
      server,
      /^Prometheus at http:\/\/prometheus\.monitoring:9090 answered HTTP 500 Internal Server Error \(internal: out of memory\) — a server-side error, not the query's fault; check Prometheus/,
    );
    assert.doesNotMatch(server, /rejected|fix the metric's query/);
    assert.match(
      await reasonFor({ kind: 'query-error', detail: 'bad_data: 1:5: parse error' }),
      /^Prometheus rejected the query \(bad_data: 1:5: parse error\) — fix the metric's query$/,
    );
    const matrix = await reasonFor({
      kind: 'query-error',
      resultType: 'matrix',
      detail: 'the query returns a range vector (e.g. x[5m]) instead of one value per series',
    });
    assert.match(
      matrix,
      /^the query returns a range vector \(e\.g\. x\[5m\]\) instead of one value per series — fix the metric's query so it gives one number/,
    );
    assert.doesNotMatch(matrix, /rejected/);
  });

  test('a NaN value is reported with the result', async () => {
    const report = await gate(DEFAULTS, { canary: { success: { kind: 'not-a-number', detail: 'NaN', value: NaN }, latency: value(0.1) } });
    assert.ok(Number.isNaN(report.metrics[0].value));
  });

  test('a relative metric runs the query for both workloads and compares them', async () => {
    const { query, asked } = fake({ canaryErrors: value(0.012), stableErrors: value(0.004) });
    const report = await runGate(RELATIVE, target, { query });
    assert.equal(asked.length, 2);
    assert.ok(asked.some((q) => q.includes('track="stable"')));
    const [metric] = report.metrics;
    assert.deepEqual([metric.result, metric.value, metric.stableValue], ['pass', 0.012, 0.004]);
    assert.match(metric.reason, /0\.012 is 0\.008 above stable \(0\.004\), within the allowed 0\.01/);
    assert.match(metric.stableQuery ?? '', /track="stable"/);
  });

  test('a relative metric fails when the canary exceeds stable by more than allowed', async () => {
    const report = await gate(RELATIVE, { canaryErrors: value(0.05), stableErrors: value(0.004) });
    assert.equal(report.metrics[0].result, 'fail');
    assert.match(report.metrics[0].reason, /0\.046 above stable \(0\.004\), more than the allowed 0\.01/);
  });

  test('a relative metric with no stable data is inconclusive, unless an absolute limit already fails', async () => {
    const noStable = await gate(RELATIVE, { canaryErrors: value(0.02), stableErrors: { kind: 'no-data', detail: 'x' } });
    assert.equal(noStable.metrics[0].result, 'inconclusive');
    assert.match(noStable.metrics[0].reason, /^no data: .* is the stable workload receiving traffic/);
    const overMax = await gate(RELATIVE, { canaryErrors: value(0.3), stableErrors: { kind: 'no-data', detail: 'x' } });
    assert.equal(overMax.metrics[0].result, 'fail');
    assert.match(overMax.metrics[0].reason, /0\.3 is above the maximum 0\.1/);
  });

  test('a relative metric run without a stable workload is inconclusive', async () => {
    const report = await gate(RELATIVE, { canaryErrors: value(0.0) }, { namespace: plan.namespace, canary });
    assert.equal(report.metrics[0].result, 'inconclusive');
    assert.match(report.metrics[0].reason, /without a stable workload/);
    assert.equal(report.stable, undefined);
  });

  test('values exactly on a limit pass', () => {
    assert.equal(judge({ min: 0.99 }, 0.99).result, 'pass');
    assert.equal(judge({ max: 0.5 }, 0.5).result, 'pass');
    assert.equal(judge({ relativeTo: 'stable', maxIncrease: 0.01 }, 0.02, 0.01).result, 'pass');
    assert.equal(judge({ relativeTo: 'stable', maxDecrease: 0.01 }, 0.98, 0.99).result, 'pass');
    assert.equal(judge({ relativeTo: 'stable', maxDecrease: 0.01 }, 0.97, 0.99).result, 'fail');
  });

  test('the overall verdict is fail over inconclusive over pass, and nothing measured is inconclusive', () => {
    assert.equal(overallVerdict(['pass', 'pass']), 'pass');
    assert.equal(overallVerdict(['pass', 'inconclusive']), 'inconclusive');
    assert.equal(overallVerdict(['inconclusive', 'fail', 'pass']), 'fail');
    assert.equal(overallVerdict([]), 'inconclusive');
  });

  test('exit codes: pass 0, fail 1, inconclusive 2', () => {
    assert.deepEqual(
      ['pass', 'fail', 'inconclusive'].map((v) => gateExitCode(v as 'pass')),
      [0, 1, 2],
    );
  });
});
