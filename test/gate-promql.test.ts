import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  P99_LATENCY_QUERY,
  SUCCESS_RATE_QUERY,
  fillTemplate,
  promqlSelector,
  promqlString,
  templateValues,
  templateVariablesIn,
} from '../lib/gate';
import { StepwiseError } from '../lib/model';
import { exampleStack } from './support/example-stacks';

const canary = exampleStack('fop-gate').plan.workloads.find((w) => w.name === 'fop-gate-canary');
assert.ok(canary, 'the fop-gate example has a canary');
const values = templateValues('dora-apps', canary, '5m');

describe('PromQL templates', () => {
  test('the selector lists the pod labels as matchers sorted by key', () => {
    assert.equal(promqlSelector({ track: 'canary', app: 'fop-gate' }), 'app="fop-gate",track="canary"');
    assert.equal(values.selector, 'app="fop-gate",team="dora",track="canary",type="basic"');
  });

  test('label values are escaped as PromQL strings', () => {
    assert.equal(promqlString('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
    assert.equal(promqlSelector({ note: 'say "hi"' }), 'note="say \\"hi\\""');
  });

  test('label keys become the names Kubernetes service discovery gives them', () => {
    assert.equal(
      promqlSelector({ 'app.kubernetes.io/name': 'shop', 'pod-template-hash': 'abc' }),
      'app_kubernetes_io_name="shop",pod_template_hash="abc"',
    );
  });

  test('the default success-rate query fills in the canary selector and interval', () => {
    assert.equal(
      fillTemplate(SUCCESS_RATE_QUERY, values),
      'sum(rate(http_requests_total{app="fop-gate",team="dora",track="canary",type="basic",code!~"5.."}[5m])) / ' +
        'sum(rate(http_requests_total{app="fop-gate",team="dora",track="canary",type="basic"}[5m]))',
    );
  });

  test('the default p99 latency query reads the request duration histogram', () => {
    assert.equal(
      fillTemplate(P99_LATENCY_QUERY, values),
      'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{app="fop-gate",team="dora",track="canary",type="basic"}[5m])))',
    );
  });

  test('namespace and workload name are variables too, and spaces inside the braces are allowed', () => {
    assert.equal(
      fillTemplate('kube_deployment_status_replicas_available{namespace="{{ namespace }}",deployment="{{workload}}"}', values),
      'kube_deployment_status_replicas_available{namespace="dora-apps",deployment="fop-gate-canary"}',
    );
  });

  test('text that is not a placeholder is left alone', () => {
    assert.equal(fillTemplate('sum by (code) (x{a="{b}"})', values), 'sum by (code) (x{a="{b}"})');
    assert.deepEqual(templateVariablesIn('x{{{selector}}}[{{interval}}] / y{ {{selector}} }'), ['selector', 'interval']);
  });

  test('an unknown variable is a StepwiseError naming the key path', () => {
    assert.throws(
      () => fillTemplate('x{ {{pod}} }', values, 'analysis.metrics[2].query'),
      (error: unknown) =>
        error instanceof StepwiseError &&
        error.keyPath === 'analysis.metrics[2].query' &&
        error.problem === 'uses {{pod}}, which is not a template variable',
    );
  });

  test('a workload without pod labels cannot be selected', () => {
    assert.throws(() => templateValues('shop', { name: 'bare', labels: {} }, '5m'), /workload 'bare' has no pod labels/);
  });
});
