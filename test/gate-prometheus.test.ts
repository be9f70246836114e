/**
 * The metric gate against a real Prometheus (the Debian `prometheus` binary) scraping a local
 * app that serves request counters and latency histograms for a healthy canary, a failing one,
 * an idle one and their stable workloads. One Prometheus serves every test in this file.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { freePort, prometheusScraping, startSilentServer } from './support/prometheus';
import { exampleStack } from './support/example-stacks';
import { gateExitCode, parseAnalysis, runGate, type Analysis, type GateTarget, type QueriedWorkload } from '../lib/gate';

// The healthy pair is the fop-gate example stack's canary pair, with its real pod labels.
const plan = exampleStack('fop-gate').plan;
const fopGate = workload('fop-gate');
const fopGateCanary = workload('fop-gate-canary');
const pay: QueriedWorkload = { name: 'pay', labels: { app: 'pay', track: 'stable' } };
const payCanary: QueriedWorkload = { name: 'pay-canary', labels: { app: 'pay', track: 'canary' } };
const idleCanary: QueriedWorkload = { name: 'idle-canary', labels: { app: 'idle', track: 'canary' } };
const ghostCanary: QueriedWorkload = { name: 'ghost-canary', labels: { app: 'ghost', track: 'canary' } };

const TRAFFIC = [
  { labels: fopGate.labels, requestsPerScrape: 100, errorShare: 0.01, slowShare: 0 },
  { labels: fopGateCanary.labels, requestsPerScrape: 100, errorShare: 0, slowShare: 0 },
  { labels: pay.labels, requestsPerScrape: 100, errorShare: 0.01, slowShare: 0 },
  { labels: payCanary.labels, requestsPerScrape: 100, errorShare: 0.2, slowShare: 0.5 },
  { labels: idleCanary.labels, requestsPerScrape: 0, errorShare: 0, slowShare: 0 },
];

const ERROR_RATE_VS_STABLE = `
  - name: error-rate-vs-stable
    query: sum(rate(http_requests_total{ {{selector}}, code=~"5.." }[{{interval}}])) / sum(rate(http_requests_total{ {{selector}} }[{{interval}}]))
    relativeTo: stable
    maxIncrease: 0.01`;

const prometheusUrl = prometheusScraping(TRAFFIC);

describe('metric gate against a real Prometheus', () => {
  test('a healthy canary passes the default success-rate and p99 latency metrics', async () => {
    const report = await runGate(analysis(prometheusUrl()), { namespace: plan.namespace, canary: fopGateCanary });
    assert.deepEqual(results(report), { 'success-rate': 'pass', 'p99-latency-seconds': 'pass' });
    assert.equal(report.verdict, 'pass');
    assert.equal(gateExitCode(report.verdict), 0);
    assert.equal(report.metrics[0].value, 1);
    assert.ok(Math.abs((report.metrics[1].value ?? NaN) - 0.0495) < 1e-9, `p99 was ${report.metrics[1].value}`);
    assert.match(report.metrics[0].query, /app="fop-gate",team="dora",track="canary",type="basic"/);
  });

  test('a canary answering 20% 5xx, half of them slowly, fails both metrics', async () => {
    const report = await runGate(analysis(prometheusUrl()), { namespace: 'shop', canary: payCanary });
    assert.deepEqual(results(report), { 'success-rate': 'fail', 'p99-latency-seconds': 'fail' });
    assert.equal(report.verdict, 'fail');
    assert.equal(gateExitCode(report.verdict), 1);
    assert.ok(Math.abs((report.metrics[0].value ?? NaN) - 0.8) < 1e-9, `success rate was ${report.metrics[0].value}`);
    assert.match(report.metrics[0].reason, /below the minimum 0\.99/);
    assert.match(report.metrics[1].reason, /above the maximum 0\.5/);
  });

  test('a workload with no series is inconclusive: no data is never a pass', async () => {
    const report = await runGate(analysis(prometheusUrl()), { namespace: 'shop', canary: ghostCanary });
    assert.deepEqual(results(report), { 'success-rate': 'inconclusive', 'p99-latency-seconds': 'inconclusive' });
    assert.equal(report.verdict, 'inconclusive');
    assert.equal(gateExitCode(report.verdict), 2);
    assert.match(report.metrics[0].reason, /^no data: the query returned no series — is the canary receiving traffic/);
  });

  test('a canary with no requests in the interval gives NaN (0/0), which is inconclusive', async () => {
    const report = await runGate(analysis(prometheusUrl()), { namespace: 'shop', canary: idleCanary });
    assert.deepEqual(results(report), { 'success-rate': 'inconclusive', 'p99-latency-seconds': 'inconclusive' });
    assert.ok(Number.isNaN(report.metrics[0].value), `value was ${report.metrics[0].value}`);
    assert.match(report.metrics[0].reason, /^no usable value: the query returned NaN/);
  });

  test('a canary whose error rate rises more than allowed above stable fails the relative metric', async () => {
    const report = await runGate(analysis(prometheusUrl(), `metrics:${ERROR_RATE_VS_STABLE}`), {
      namespace: 'shop',
      canary: payCanary,
      stable: pay,
    });
    assert.deepEqual(results(report), { 'error-rate-vs-stable': 'fail' });
    const [metric] = report.metrics;
    assert.ok(Math.abs((metric.value ?? NaN) - 0.2) < 1e-9 && Math.abs((metric.stableValue ?? NaN) - 0.01) < 1e-9);
    assert.match(metric.stableQuery ?? '', /app="pay",track="stable"/);
    assert.match(metric.reason, /0\.19 above stable \(0\.01\), more than the allowed 0\.01/);
  });

  test('a canary with fewer errors than stable passes the relative metric', async () => {
    const target: GateTarget = { namespace: plan.namespace, canary: fopGateCanary, stable: fopGate };
    const report = await runGate(analysis(prometheusUrl(), `metrics:${ERROR_RATE_VS_STABLE}`), target);
    assert.deepEqual(results(report), { 'error-rate-vs-stable': 'pass' });
    assert.equal(report.metrics[0].value, 0);
  });

  test('a query Prometheus rejects is inconclusive and quotes Prometheus', async () => {
    const metrics = `metrics:\n  - name: broken\n    query: sum(rate(http_requests_total{{{selector}}}[{{interval}}])\n    max: 1`;
    const report = await runGate(analysis(prometheusUrl(), metrics), { namespace: 'shop', canary: payCanary });
    assert.equal(report.metrics[0].result, 'inconclusive');
    assert.match(report.metrics[0].reason, /^Prometheus rejected the query \(bad_data: .*parse error/);
  });

  test('a query returning one series per status code is inconclusive: there is no single value', async () => {
    const metrics = `metrics:\n  - name: per-code\n    query: rate(http_requests_total{{{selector}}}[{{interval}}])\n    min: 0`;
    const report = await runGate(analysis(prometheusUrl(), metrics), { namespace: 'shop', canary: payCanary });
    assert.equal(report.metrics[0].result, 'inconclusive');
    assert.match(report.metrics[0].reason, /returned 2 series: .*code="200".*; one value is needed/);
  });
});

describe('metric gate when Prometheus cannot answer', () => {
  test('a Prometheus URL on a closed port is inconclusive (unreachable)', async () => {
    const closedPort = await freePort();
    const report = await runGate(analysis(`http://127.0.0.1:${closedPort}`), { namespace: 'shop', canary: payCanary });
    assert.equal(report.verdict, 'inconclusive');
    for (const metric of report.metrics) {
      assert.equal(metric.result, 'inconclusive');
      assert.match(metric.reason, /^Prometheus unreachable at http:\/\/127\.0\.0\.1:\d+ \(connection refused/);
    }
  });

  test('a Prometheus that never answers is inconclusive once timeoutSeconds passes', async () => {
    const silent = await startSilentServer();
    try {
      const report = await runGate(analysis(silent.url, '', 0.5), { namespace: 'shop', canary: payCanary });
      assert.equal(report.verdict, 'inconclusive');
      for (const metric of report.metrics) {
        assert.match(metric.reason, /^no answer from Prometheus within 0\.5 s/);
        assert.equal(metric.reason.match(/0\.5 s/g)?.length, 1, `the wait is named once: ${metric.reason}`);
      }
    } finally {
      await silent.stop();
    }
  });
});

/** An analysis section as a stack file would have it, with a 10s interval so a few scrapes suffice (and a 30 s query timeout, for a busy machine). */
function analysis(url: string, extra = '', timeoutSeconds = 30): Analysis {
  const text = [`prometheus:`, `  url: ${url}`, `  timeoutSeconds: ${timeoutSeconds}`, `interval: 10s`, extra].join('\n');
  return parseAnalysis(parse(text));
}

function results(report: { metrics: readonly { name: string; result: string }[] }): Record<string, string> {
  return Object.fromEntries(report.metrics.map((metric) => [metric.name, metric.result]));
}

function workload(name: string): QueriedWorkload {
  const found = plan.workloads.find((w) => w.name === name);
  assert.ok(found, `the fop-gate example has no workload ${name}`);
  return found;
}
