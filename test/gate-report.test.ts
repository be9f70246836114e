import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatGateReport, toJson, type GateReport } from '../lib/gate';

const REPORT: GateReport = {
  verdict: 'fail',
  namespace: 'dora-apps',
  canary: 'fop-gate-canary',
  stable: 'fop-gate',
  prometheusUrl: 'http://prometheus.monitoring:9090',
  interval: '5m',
  metrics: [
    { name: 'success-rate', result: 'fail', value: 0.8, threshold: { min: 0.99 }, reason: '0.8 is below the minimum 0.99', query: 'q1' },
    {
      name: 'p99-latency-seconds',
      result: 'inconclusive',
      value: NaN,
      threshold: { max: 0.5 },
      reason: 'no usable value: the query returned NaN',
      query: 'q2',
    },
    {
      name: 'error-rate-vs-stable',
      result: 'pass',
      value: 0.012,
      stableValue: 0.004,
      threshold: { relativeTo: 'stable', maxIncrease: 0.01 },
      reason: '0.012 is 0.008 above stable (0.004), within the allowed 0.01',
      query: 'q3',
      stableQuery: 'q3-stable',
    },
  ],
};

describe('gate report', () => {
  test('the table shows metric, value, threshold, result and reason in aligned columns', () => {
    assert.equal(
      formatGateReport(REPORT),
      [
        'Metric gate for fop-gate-canary in namespace dora-apps, compared with fop-gate (Prometheus http://prometheus.monitoring:9090, interval 5m)',
        '',
        'METRIC                VALUE                 THRESHOLD         RESULT        REASON',
        'success-rate          0.8                   >= 0.99           fail          0.8 is below the minimum 0.99',
        'p99-latency-seconds   NaN                   <= 0.5            inconclusive  no usable value: the query returned NaN',
        'error-rate-vs-stable  0.012 (stable 0.004)  <= stable + 0.01  pass          0.012 is 0.008 above stable (0.004), within the allowed 0.01',
        '',
        'Verdict: FAIL: a metric is outside its threshold; roll back or investigate',
        '',
      ].join('\n'),
    );
  });

  test('the JSON form carries the exit code, uses null for missing or non-finite values, and survives JSON.stringify', () => {
    const json = toJson(REPORT);
    assert.equal(json.exitCode, 1);
    assert.equal(json.stable, 'fop-gate');
    assert.deepEqual(
      json.metrics.map((m) => [m.name, m.value, m.stableValue, m.stableQuery]),
      [
        ['success-rate', 0.8, null, null],
        ['p99-latency-seconds', null, null, null],
        ['error-rate-vs-stable', 0.012, 0.004, 'q3-stable'],
      ],
    );
    assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
  });
});
