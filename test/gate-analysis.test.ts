import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { BUILT_IN_METRICS, P99_LATENCY_QUERY, SUCCESS_RATE_QUERY, parseAnalysis, type Analysis } from '../lib/gate';
import { StepwiseError, stepwiseErrorsOf } from '../lib/model';
import { stackFromConfig } from '../lib/stacks';
import { exampleConfig } from './support/example-stacks';

/** The analysis section of a stack file, written as a user writes it. */
function fromYaml(text: string): Analysis {
  return parseAnalysis((parse(text) as { analysis: unknown }).analysis);
}

/** Every problem parsing reports, as `keyPath: problem (fix: ...)` lines. */
function problems(text: string): string[] {
  try {
    fromYaml(text);
  } catch (error) {
    const found = stepwiseErrorsOf(error);
    assert.ok(found.length > 0, `expected StepwiseErrors, got ${String(error)}`);
    return found.map((e) => e.message);
  }
  assert.fail('expected the analysis to be rejected');
}

const MINIMAL = `
analysis:
  prometheus:
    url: http://prometheus.monitoring:9090
`;

describe('analysis section', () => {
  test('only a Prometheus URL checks success rate >= 0.99 and p99 latency <= 0.5 s over 5m, with a 10 s timeout', () => {
    const analysis = fromYaml(MINIMAL);
    assert.deepEqual(analysis, {
      prometheus: { url: 'http://prometheus.monitoring:9090', timeoutSeconds: 10 },
      interval: '5m',
      metrics: [
        { name: 'success-rate', query: SUCCESS_RATE_QUERY, threshold: { min: 0.99 } },
        { name: 'p99-latency-seconds', query: P99_LATENCY_QUERY, threshold: { max: 0.5 } },
      ],
    });
    assert.deepEqual(analysis.metrics, BUILT_IN_METRICS);
  });

  test('a full section keeps every field as written', () => {
    const analysis = fromYaml(`
analysis:
  prometheus:
    url: https://prometheus.example.com/prom/
    timeoutSeconds: 3
  interval: 2m
  metrics:
    - name: success-rate
      min: 0.995
    - name: p99-latency-seconds
      max: 0.25
    - name: error-rate-vs-stable
      query: sum(rate(http_requests_total{ {{selector}}, code=~"5.." }[{{interval}}])) / sum(rate(http_requests_total{ {{selector}} }[{{interval}}]))
      relativeTo: stable
      maxIncrease: 0.01
    - name: queue-depth
      query: max(queue_depth{namespace="{{namespace}}", deployment="{{workload}}"})
      min: 0
      max: 100
`);
    assert.deepEqual(analysis.prometheus, { url: 'https://prometheus.example.com/prom/', timeoutSeconds: 3 });
    assert.equal(analysis.interval, '2m');
    assert.deepEqual(
      analysis.metrics.map((m) => [m.name, m.threshold]),
      [
        ['success-rate', { min: 0.995 }],
        ['p99-latency-seconds', { max: 0.25 }],
        ['error-rate-vs-stable', { relativeTo: 'stable', maxIncrease: 0.01 }],
        ['queue-depth', { min: 0, max: 100 }],
      ],
    );
  });

  test('a built-in metric listed with only a threshold keeps its query and takes the new threshold', () => {
    const analysis = fromYaml(`${MINIMAL}  metrics:\n    - name: success-rate\n      relativeTo: stable\n      maxDecrease: 0.005\n`);
    assert.deepEqual(analysis.metrics, [
      { name: 'success-rate', query: SUCCESS_RATE_QUERY, threshold: { relativeTo: 'stable', maxDecrease: 0.005 } },
    ]);
  });

  test('a built-in metric listed by name alone keeps its default threshold; unlisted built-ins are not checked', () => {
    const analysis = fromYaml(`${MINIMAL}  metrics:\n    - name: p99-latency-seconds\n`);
    assert.deepEqual(analysis.metrics, [BUILT_IN_METRICS[1]]);
  });

  test('a missing section or Prometheus URL says what to add', () => {
    assert.throws(
      () => parseAnalysis(undefined),
      (error: unknown) => error instanceof StepwiseError && error.keyPath === 'analysis' && /prometheus/.test(error.fix ?? ''),
    );
    assert.deepEqual(problems('analysis:\n  interval: 5m\n'), [
      'analysis.prometheus: is missing (fix: say which Prometheus to query, e.g. `prometheus: { url: http://prometheus.monitoring:9090 }`)',
    ]);
  });

  test('one problem is thrown as a StepwiseError with its key path and fix', () => {
    assert.throws(
      () => fromYaml(`${MINIMAL}  metrics:\n    - name: success-rate\n    - name: latency\n      query: x\n      max: "0.5"\n`),
      (error: unknown) =>
        error instanceof StepwiseError &&
        error.keyPath === 'analysis.metrics[1].max' &&
        error.problem === 'must be a number, got "0.5"' &&
        /without quotes/.test(error.fix ?? ''),
    );
  });

  test('several problems are all reported, each at its key path', () => {
    const found = problems(`
analysis:
  prometheus:
    url: prometheus:9090
    timeoutSeconds: 0
  interval: 5 minutes
`);
    assert.deepEqual(
      found.map((line) => line.split(':')[0]),
      ['analysis.prometheus.url', 'analysis.prometheus.timeoutSeconds', 'analysis.interval'],
    );
  });

  test('the Prometheus URL must be http or https', () => {
    assert.match(
      problems('analysis:\n  prometheus:\n    url: ftp://prometheus:9090\n')[0],
      /^analysis\.prometheus\.url: must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/prometheus:9090"/,
    );
  });

  test('the interval is a whole number of s, m, h or d above zero', () => {
    for (const interval of ['5', '1.5m', '5min', '0m', '"1h30m"', '300']) {
      assert.match(problems(`${MINIMAL}  interval: ${interval}\n`)[0], /^analysis\.interval: must be a PromQL duration/, interval);
    }
    for (const interval of ['30s', '5m', '1h', '7d']) assert.equal(fromYaml(`${MINIMAL}  interval: ${interval}\n`).interval, interval);
  });

  test('a metric without any threshold is rejected at its key path', () => {
    assert.deepEqual(
      problems(`${MINIMAL}  metrics:\n    - name: success-rate\n    - name: queue-depth\n      query: max(queue_depth{ {{selector}} })\n`),
      ['analysis.metrics[1]: has no threshold (fix: add min and/or max, or relativeTo: stable with maxIncrease and/or maxDecrease)'],
    );
  });

  test('a threshold that is not a number is rejected at analysis.metrics[1].min', () => {
    assert.match(
      problems(
        `${MINIMAL}  metrics:\n    - name: success-rate\n    - name: success-rate-strict\n      query: x{ {{selector}} }\n      min: high\n`,
      )[0],
      /^analysis\.metrics\[1\]\.min: must be a number, got "high"/,
    );
  });

  test('min above max is rejected', () => {
    assert.match(
      problems(`${MINIMAL}  metrics:\n    - name: p99-latency-seconds\n      min: 1\n      max: 0.5\n`)[0],
      /^analysis\.metrics\[0\]\.min: is greater than max \(0\.5\)/,
    );
  });

  test('relative limits need relativeTo, and relativeTo needs a relative limit', () => {
    assert.deepEqual(problems(`${MINIMAL}  metrics:\n    - name: success-rate\n      maxDecrease: 0.01\n`), [
      'analysis.metrics[0].maxDecrease: compares with another workload, but the metric has no relativeTo (fix: add `relativeTo: stable` to this metric)',
    ]);
    assert.match(
      problems(`${MINIMAL}  metrics:\n    - name: success-rate\n      relativeTo: stable\n`)[0],
      /^analysis\.metrics\[0\]\.relativeTo: has no relative limit/,
    );
    assert.match(
      problems(`${MINIMAL}  metrics:\n    - name: success-rate\n      relativeTo: canary\n      maxDecrease: 0.01\n`)[0],
      /^analysis\.metrics\[0\]\.relativeTo: must be one of stable/,
    );
    assert.match(
      problems(`${MINIMAL}  metrics:\n    - name: success-rate\n      relativeTo: stable\n      maxIncrease: -0.1\n`)[0],
      /^analysis\.metrics\[0\]\.maxIncrease: must be 0 or more/,
    );
  });

  test('a relative metric whose query does not select the workload is rejected', () => {
    assert.match(
      problems(
        `${MINIMAL}  metrics:\n    - name: total\n      query: sum(rate(http_requests_total[{{interval}}]))\n      relativeTo: stable\n      maxIncrease: 1\n`,
      )[0],
      /^analysis\.metrics\[0\]\.query: .*uses neither \{\{selector\}\} nor \{\{workload\}\}/,
    );
  });

  test("an unknown template variable in a query is rejected at the metric's query, with a suggestion", () => {
    assert.deepEqual(
      problems(
        `${MINIMAL}  metrics:\n    - name: success-rate\n    - name: errors\n      query: sum(rate(http_requests_total{ {{selectr}} }[{{interval}}]))\n      max: 1\n`,
      ),
      ['analysis.metrics[1].query: uses {{selectr}}, which is not a template variable (fix: did you mean {{selector}}?)'],
    );
  });

  test('a metric that is not built in needs a query; a near miss of a built-in name is pointed out', () => {
    assert.match(
      problems(`${MINIMAL}  metrics:\n    - name: p99-latency\n      max: 0.3\n`)[0],
      /^analysis\.metrics\[0\]\.query: is missing: 'p99-latency' is not a built-in metric .*did you mean 'p99-latency-seconds'/,
    );
  });

  test('metric names are unique and the list is not empty', () => {
    assert.match(
      problems(`${MINIMAL}  metrics:\n    - name: success-rate\n    - name: success-rate\n      min: 0.9\n`)[0],
      /^analysis\.metrics\[1\]\.name: repeats the metric 'success-rate' \(also at analysis\.metrics\[0\]\)/,
    );
    assert.match(
      problems(`${MINIMAL}  metrics: []\n`)[0],
      /^analysis\.metrics: must list at least one metric \(fix: leave metrics out to check the defaults \(success-rate >= 0\.99, p99-latency-seconds <= 0\.5\)/,
    );
  });

  test('unknown keys are reported with the closest known key', () => {
    assert.deepEqual(problems(`${MINIMAL}  metrics:\n    - name: success-rate\n      maxx: 0.9\n`), [
      "analysis.metrics[0].maxx: is not a known key (fix: did you mean 'max'?)",
    ]);
  });

  test('errors sit under the key path the section was found at', () => {
    assert.throws(
      () => parseAnalysis({ prometheus: { url: 'x' } }, 'stepwise:plan.analysis'),
      (error: unknown) => error instanceof StepwiseError && error.keyPath === 'stepwise:plan.analysis.prometheus.url',
    );
  });
});

/** The messages loading the fop-gate stack reports after `edit` changes its plan (fails when it loads). */
function stackProblems(edit: (plan: Record<string, any>) => void): string[] {
  const config = exampleConfig('fop-gate');
  edit(config['stepwise:plan'] as Record<string, any>);
  try {
    stackFromConfig('fop-gate', 'stacks/Pulumi.fop-gate.yaml', config);
  } catch (error) {
    const found = stepwiseErrorsOf(error);
    assert.ok(found.length > 0, `expected StepwiseErrors, got ${String(error)}`);
    return found.map((e) => e.message);
  }
  assert.fail('the stack was accepted');
}

describe('the stack loader and the analysis section', () => {
  const file = 'stacks/Pulumi.fop-gate.yaml: config.stepwise:plan.analysis';

  test('a Prometheus URL that is not http(s) is reported under the stack file and config key', () => {
    const found = stackProblems((plan) => (plan.analysis = { prometheus: { url: 'ftp://x' } }));
    assert.equal(found.length, 1, found.join('\n'));
    assert.ok(found[0].startsWith(`${file}.prometheus.url: must be an http:// or https:// URL, got "ftp://x" (fix: `), found[0]);
  });

  test('an interval that is not a duration is reported under the stack file and config key', () => {
    const found = stackProblems((plan) => (plan.analysis = { prometheus: { url: 'http://prometheus:9090' }, interval: 'forever' }));
    assert.equal(found.length, 1, found.join('\n'));
    assert.ok(found[0].startsWith(`${file}.interval: `), found[0]);
  });

  test('an analysis section that is a list is reported as not a mapping', () => {
    assert.deepEqual(
      stackProblems((plan) => (plan.analysis = [1])),
      [`${file}: must be a mapping, got a list (fix: write it as \`key: value\` lines)`],
    );
  });

  test('traffic and analysis problems are reported together', () => {
    const found = stackProblems((plan) => {
      plan.analysis = { prometheus: { url: 'ftp://x' } };
      plan.traffic = { router: 'smi', extra: 1 };
    });
    assert.ok(
      found.some((m) => m.includes('config.stepwise:plan.traffic.extra: ')),
      found.join('\n'),
    );
    assert.ok(
      found.some((m) => m.includes('config.stepwise:plan.analysis.prometheus.url: ')),
      found.join('\n'),
    );
  });

  test('a valid analysis section loads, parsed once into the plan, and a stack without one loads too', () => {
    const config = exampleConfig('fop-gate');
    assert.equal(stackFromConfig('fop-gate', 'f.yaml', config).plan.analysis, undefined);
    (config['stepwise:plan'] as Record<string, any>).analysis = { prometheus: { url: 'http://prometheus:9090' } };
    assert.deepEqual(stackFromConfig('fop-gate', 'f.yaml', config).plan.analysis, {
      prometheus: { url: 'http://prometheus:9090', timeoutSeconds: 10 },
      interval: '5m',
      metrics: BUILT_IN_METRICS,
    });
  });
});
