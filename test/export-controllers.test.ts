import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { toArgoRollout, toFlaggerCanary } from '../lib/export';
import { gateTargetForStage } from '../lib/gate';
import { parsePlan, stepwiseErrorsOf } from '../lib/model';
import { validateObject } from '../lib/synth/schema-validation';
import { ROOT, examplePlanData, exampleStack } from './support/example-stacks';

/** The `setWeight` values of a Rollout's steps, checking every one is followed by an open pause. */
function setWeights(rollout: any): number[] {
  const steps = rollout.spec.strategy.canary.steps as any[];
  const weights: number[] = [];
  steps.forEach((step, i) => {
    if (i % 2 === 0) weights.push(step.setWeight);
    else assert.deepEqual(step, { pause: {} }, `step ${i}`);
  });
  return weights;
}

function problemOf(f: () => unknown): { keyPath?: string; problem: string; fix?: string } {
  try {
    f();
  } catch (error) {
    const [problem] = stepwiseErrorsOf(error);
    if (problem) return problem;
    throw error;
  }
  assert.fail('expected a StepwiseError');
}

describe('export to Argo Rollouts', () => {
  test('a canary pair routed by replicas: setWeight 10 and 30 (1 of 10 and 3 of 10 pods on 1.5.0), then done', () => {
    const rollout = toArgoRollout(exampleStack('fop-gate').plan) as any;
    assert.equal(rollout.apiVersion, 'argoproj.io/v1alpha1');
    assert.equal(rollout.kind, 'Rollout');
    assert.deepEqual(setWeights(rollout), [10, 30]);
    assert.deepEqual(rollout.spec.workloadRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'fop-gate', scaleDown: 'progressively' });
    assert.equal(rollout.spec.replicas, 10);
    assert.deepEqual(rollout.spec.selector, { matchLabels: { app: 'fop-gate' } });
    assert.equal(rollout.spec.strategy.canary.trafficRouting, undefined, 'replica weights need no router');
  });

  test('gateway-api: the stage weights 5, 25, 50 become steps, routed through the HTTPRoute plugin', () => {
    const rollout = toArgoRollout(exampleStack('checkout-gateway').plan) as any;
    assert.deepEqual(setWeights(rollout), [5, 25, 50]);
    const canary = rollout.spec.strategy.canary;
    assert.equal(canary.stableService, 'checkout-stable');
    assert.equal(canary.canaryService, 'checkout-canary');
    assert.deepEqual(canary.trafficRouting, { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'checkout', namespace: 'shop' } } });
    assert.deepEqual(canary.canaryMetadata, { labels: { track: 'canary' } });
    assert.deepEqual(canary.stableMetadata, { labels: { track: 'stable' } });
    assert.equal(rollout.spec.replicas, 6);
  });

  test('ingress-nginx names the stable Ingress; smi names the apex Service and the TrafficSplit', () => {
    const nginx = toArgoRollout(exampleStack('search-nginx').plan) as any;
    assert.deepEqual(setWeights(nginx), [10, 20, 30]);
    assert.deepEqual(nginx.spec.strategy.canary.trafficRouting, { nginx: { stableIngress: 'search' } });
    const smi = toArgoRollout(exampleStack('ledger-linkerd').plan) as any;
    assert.deepEqual(setWeights(smi), [1, 20]);
    assert.deepEqual(smi.spec.strategy.canary.trafficRouting, { smi: { rootService: 'ledger', trafficSplitName: 'ledger' } });
  });

  test('every exported Rollout passes the Argo Rollouts schema, and a broken one does not', () => {
    for (const name of ['fop-gate', 'checkout-gateway', 'search-nginx', 'ledger-linkerd']) {
      validateObject(toArgoRollout(exampleStack(name).plan), name);
    }
    const broken = toArgoRollout(exampleStack('fop-gate').plan) as any;
    broken.spec.strategy.canary.steps[0].setWeight = '10%';
    assert.throws(() => validateObject(broken, 'test'), /Rollout\/fop-gate \/spec\/strategy\/canary\/steps\/0\/setWeight/);
  });
});

describe('export to Flagger', () => {
  test('equal steps become stepWeight and maxWeight (search-nginx: 10, 20, 30)', () => {
    const canary = toFlaggerCanary(exampleStack('search-nginx').plan) as any;
    assert.equal(canary.apiVersion, 'flagger.app/v1beta1');
    assert.equal(canary.spec.provider, 'nginx');
    assert.deepEqual(canary.spec.targetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'search' });
    assert.deepEqual(canary.spec.ingressRef, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'search' });
    assert.equal(canary.spec.analysis.stepWeight, 10);
    assert.equal(canary.spec.analysis.maxWeight, 30);
    assert.equal(canary.spec.analysis.stepWeights, undefined);
  });

  test('uneven steps become stepWeights (checkout-gateway: 5, 25, 50) with the Gateway as gatewayRefs', () => {
    const canary = toFlaggerCanary(exampleStack('checkout-gateway').plan) as any;
    assert.equal(canary.spec.provider, 'gatewayapi:v1');
    assert.deepEqual(canary.spec.analysis.stepWeights, [5, 25, 50]);
    assert.equal(canary.spec.analysis.stepWeight, undefined);
    assert.deepEqual(canary.spec.service.gatewayRefs, [{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }]);
    assert.deepEqual(canary.spec.service.hosts, ['checkout.example.com']);
    assert.equal(canary.spec.service.port, 80);
    assert.equal(canary.spec.service.targetPort, 8080);
  });

  test('the analysis defaults: success rate at least 99%, duration at most 500 ms, every minute', () => {
    const canary = toFlaggerCanary(exampleStack('ledger-linkerd').plan) as any;
    assert.equal(canary.spec.provider, 'smi:v1alpha2');
    assert.deepEqual(canary.spec.analysis.metrics, [
      { interval: '1m', name: 'request-success-rate', thresholdRange: { min: 99 } },
      { interval: '1m', name: 'request-duration', thresholdRange: { max: 500 } },
    ]);
    assert.equal(canary.spec.analysis.interval, '1m');
  });

  /** ledger-linkerd (routed by smi) with a metric gate. */
  function withGate(analysis: Record<string, unknown>) {
    const data = examplePlanData('ledger-linkerd');
    data.analysis = { prometheus: { url: 'http://prometheus.monitoring:9090' }, ...analysis };
    return parsePlan(data);
  }

  test("the plan's gate is what Flagger checks: success >= 95%, p99 <= 300 ms, every 2 minutes", () => {
    const canary = toFlaggerCanary(
      withGate({
        interval: '2m',
        metrics: [
          { name: 'success-rate', min: 0.95 },
          { name: 'p99-latency-seconds', max: 0.3 },
        ],
      }),
    ) as any;
    assert.deepEqual(canary.spec.analysis.metrics, [
      { interval: '2m', name: 'request-success-rate', thresholdRange: { min: 95 } },
      { interval: '2m', name: 'request-duration', thresholdRange: { max: 300 } },
    ]);
    assert.equal(canary.spec.analysis.interval, '2m');
  });

  test("a gate left at its defaults exports the gate's defaults (99%, 500 ms, over 5m), not Flagger's minute", () => {
    const canary = toFlaggerCanary(withGate({})) as any;
    assert.deepEqual(canary.spec.analysis.metrics, [
      { interval: '5m', name: 'request-success-rate', thresholdRange: { min: 99 } },
      { interval: '5m', name: 'request-duration', thresholdRange: { max: 500 } },
    ]);
    assert.equal(canary.spec.analysis.interval, '5m');
  });

  test('a gate of only a success rate with min and max exports just that, without unit noise, and a day as minutes', () => {
    const canary = toFlaggerCanary(withGate({ interval: '1d', metrics: [{ name: 'success-rate', min: 0.29, max: 1 }] })) as any;
    assert.deepEqual(canary.spec.analysis.metrics, [
      { interval: '1440m', name: 'request-success-rate', thresholdRange: { max: 100, min: 29 } },
    ]);
  });

  test('a metric with its own query is refused at its key path: Flagger has no built-in metric for it', () => {
    const plan = withGate({
      metrics: [
        { name: 'success-rate', min: 0.95 },
        { name: 'error-budget', query: 'sum(rate(errors_total{{{selector}}}[{{interval}}]))', max: 1 },
      ],
    });
    const problem = problemOf(() => toFlaggerCanary(plan));
    assert.equal(problem.keyPath, 'analysis.metrics[1].query');
    assert.match(problem.problem, /'error-budget' runs a query of its own/);
    assert.match(problem.fix ?? '', /MetricTemplate/);
  });

  test('a limit relative to the stable workload is refused at its key path', () => {
    const plan = withGate({ metrics: [{ name: 'success-rate', relativeTo: 'stable', maxDecrease: 0.01 }] });
    const problem = problemOf(() => toFlaggerCanary(plan));
    assert.equal(problem.keyPath, 'analysis.metrics[0].relativeTo');
    assert.match(
      problem.problem,
      /compares the canary with stable \(>= stable - 0\.01\); Flagger's built-in metrics check fixed limits only/,
    );
  });

  test('every exported Canary passes the CRD schema, and one with an unknown field does not', () => {
    for (const name of ['checkout-gateway', 'search-nginx', 'ledger-linkerd']) {
      validateObject(toFlaggerCanary(exampleStack(name).plan), name);
    }
    const broken = toFlaggerCanary(exampleStack('search-nginx').plan) as any;
    broken.spec.analysis.stepWieght = 10;
    assert.throws(
      () => validateObject(broken, 'test'),
      /Canary\/search \/spec\/analysis: violates the Kubernetes schema: must NOT have additional properties/,
    );
    const bothSteps = toFlaggerCanary(exampleStack('search-nginx').plan) as any;
    bothSteps.spec.analysis.stepWeights = [10, 20];
    assert.throws(
      () => validateObject(bothSteps, 'test'),
      /Canary\/search \/spec\/analysis: violates the Kubernetes schema: must match exactly one schema in oneOf/,
    );
  });

  test('a plan routed by replicas is refused: Flagger needs a router to move weights', () => {
    const problem = problemOf(() => toFlaggerCanary(exampleStack('fop-gate').plan));
    assert.equal(problem.keyPath, 'traffic.router');
    assert.match(problem.fix ?? '', /gateway-api, ingress-nginx or smi/);
  });

  test('weights that go down are refused', () => {
    const data = examplePlanData('checkout-gateway');
    data.stages[3].traffic = { canary: 15 };
    const problem = problemOf(() => toFlaggerCanary(parsePlan(data)));
    assert.equal(problem.keyPath, 'stages');
    assert.match(problem.problem, /5 → 25 → 15%/);
  });
});

describe('plans that cannot be handed over', () => {
  test('a batched rollout is refused with the reason and the way out', () => {
    for (const exporter of [toArgoRollout, toFlaggerCanary]) {
      const problem = problemOf(() => exporter(exampleStack('trade-aone').plan));
      assert.equal(problem.keyPath, 'kind');
      assert.match(problem.problem, /BatchedRollout: its 5 Deployments cannot be handed/);
      assert.match(problem.fix ?? '', /merge the batches into one workload/);
    }
  });

  test('a selector cutover is refused and pointed at blue-green', () => {
    const problem = problemOf(() => toArgoRollout(exampleStack('web-nginx').plan));
    assert.equal(problem.keyPath, 'kind');
    assert.match(problem.fix ?? '', /blueGreen/);
  });

  test('a plan whose stable workload ends on the image it started with has no release to hand over', () => {
    const data = examplePlanData('fop-gate');
    data.stages.pop(); // without its last stage, stable never gets 1.5.0
    const problem = problemOf(() => toArgoRollout(parsePlan(data)));
    assert.equal(problem.keyPath, 'stages');
    assert.match(problem.problem, /'fop-gate' runs registry.example.com\/dora\/fop-gate:1.4.0 in the first and the last stage/);
  });

  test('a plan that moves every request to the new image at once has no canary steps', () => {
    const data = examplePlanData('fop-gate');
    data.stages = [data.stages[0], data.stages[3]]; // baseline, then stable: 0% → 100%
    const problem = problemOf(() => toArgoRollout(parsePlan(data)));
    assert.equal(problem.keyPath, 'stages');
    assert.match(problem.problem, /no stage sends part of the requests to registry.example.com\/dora\/fop-gate:1.5.0 before all of them/);
  });
});

describe('the canary pair is the one the gate measures', () => {
  test('a canary declared first with as many baseline pods as stable is still the canary, not the target', () => {
    const data = examplePlanData('fop-gate');
    data.workloads = { 'fop-gate-canary': data.workloads['fop-gate-canary'], 'fop-gate': data.workloads['fop-gate'] };
    data.stages[0].workloads['fop-gate'].replicas = 1; // 1 + 1 pods in the baseline: replicas alone cannot tell
    const plan = parsePlan(data);
    const measured = gateTargetForStage(plan, 1);
    assert.ok('target' in measured);
    assert.deepEqual([measured.target.canary.name, measured.target.stable?.name], ['fop-gate-canary', 'fop-gate']);
    assert.equal((toArgoRollout(plan) as any).spec.workloadRef.name, 'fop-gate');
  });

  test('with a router, a stable track that takes the new image first is refused', () => {
    const data = examplePlanData('checkout-gateway');
    data.workloads['checkout'].labels.track = 'canary';
    data.workloads['checkout-canary'].labels.track = 'stable';
    const problem = problemOf(() => toArgoRollout(parsePlan(data)));
    assert.equal(problem.keyPath, 'traffic');
    assert.match(problem.problem, /the stable track's workload 'checkout-canary' takes the new image before the canary track's 'checkout'/);
  });
});

describe("loading the controllers' schemas", () => {
  test('importing stepwise loads no Argo Rollouts module; the first Rollout export does', () => {
    // A fresh process, since this one has exported Rollouts already.
    const script = `
      const loaded = () => Object.keys(require.cache).filter((file) => file.includes('argo-rollouts')).length;
      const stepwise = require('./lib/index.ts');
      const atImport = loaded();
      stepwise.toArgoRollout(stepwise.loadStack('stacks', 'fop-gate').plan);
      console.log(JSON.stringify({ atImport, afterExport: loaded() }));
    `;
    const output = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    const { atImport, afterExport } = JSON.parse(output);
    assert.equal(atImport, 0);
    assert.ok(afterExport > 0, 'the export loads the Rollout schema');
  });
});
