/** `stepwise status`: rollouts in progress, missing and extra objects, and the exit code, judged without a cluster. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWeighted } from '../lib/routing';
import { renderStackStage } from '../lib/synth/render-stack';
import type { LiveCluster, LiveDeployment } from '../lib/status/live-cluster';
import { liveDeploymentOf } from '../lib/status/live-cluster';
import { ownedObjects } from '../lib/status/owned-objects';
import { rolloutProgress } from '../lib/status/rollout-progress';
import { liveRouterWeights } from '../lib/status/router-weights';
import { matchStage } from '../lib/status/stage-match';
import { formatStatus } from '../lib/status/status-format';
import { statusJson, statusReport } from '../lib/status/status-report';
import type { Stack } from '../lib/stacks';
import { exampleStack } from './support/example-stacks';
import { emptyCluster, scaledTo, settledCluster, withDeployment, withoutService } from './support/live-cluster';

/** The report on `live` for `stack` (its file at `stackStage`), rendered as the command renders it. */
function reportOn(stack: Stack, live: LiveCluster, stackStage = stack.stage) {
  const at = { ...stack, stage: stackStage, fromStage: stackStage };
  const routing = stack.plan.traffic;
  const weights = isWeighted(routing) ? liveRouterWeights(stack.plan, routing, live.routerObjects) : undefined;
  const match = matchStage(stack.plan, routing, live, weights, stackStage, stackStage);
  const rendered = renderStackStage(at, match.stage ?? stackStage).files.map((f) => f.object);
  return statusReport({
    stack: at,
    routing,
    cluster: { context: 'test', server: 'https://127.0.0.1:6443' },
    live,
    weights,
    match,
    rendered,
  });
}

/** fop-gate's stable Deployment at baseline, settled, changed by `change`. */
function deployment(change: Partial<LiveDeployment> = {}): LiveDeployment {
  const stack = exampleStack('fop-gate');
  const settled = settledCluster(stack, 'baseline').deployments.find((d) => d.name === 'fop-gate') as LiveDeployment;
  return { ...settled, ...change };
}

describe('a rollout in progress', () => {
  test('a settled Deployment is not rolling', () => {
    assert.equal(rolloutProgress(deployment()), undefined);
  });

  test('pods not yet updated, not yet available, and old pods still running are each named', () => {
    const rolling = rolloutProgress(deployment({ updatedReplicas: 4, availableReplicas: 8, currentReplicas: 10 }));
    assert.deepEqual(rolling, { deployment: 'fop-gate', waitingFor: ['4 of 9 pods updated', '8 of 9 available', '1 old pod to stop'] });
  });

  test('a spec the controller has not seen yet', () => {
    assert.deepEqual(rolloutProgress(deployment({ generation: 3, observedGeneration: 2 }))?.waitingFor, [
      'the controller to see the latest spec',
    ]);
  });

  test('a paused Deployment rolls nothing out, so only its pods being available counts', () => {
    assert.equal(rolloutProgress(deployment({ paused: true, updatedReplicas: 0 })), undefined);
    assert.deepEqual(rolloutProgress(deployment({ paused: true, currentReplicas: 9, availableReplicas: 7 }))?.waitingFor, [
      '7 of 9 pods available (paused)',
    ]);
  });

  test('a rollout past its progress deadline is reported stalled, with the reason', () => {
    const stalled = liveDeploymentOf({
      metadata: { name: 'fop-gate', generation: 2 },
      spec: { replicas: 2 },
      status: {
        observedGeneration: 2,
        replicas: 3,
        updatedReplicas: 1,
        readyReplicas: 2,
        availableReplicas: 2,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "x" has timed out progressing.',
          },
        ],
      },
    });
    assert.ok(stalled);
    assert.deepEqual(rolloutProgress(stalled), {
      deployment: 'fop-gate',
      waitingFor: ['1 of 2 pods updated', '1 old pod to stop'],
      stalled: 'ProgressDeadlineExceeded: ReplicaSet "x" has timed out progressing.',
    });
  });

  test('a Deployment being deleted is not read as one', () => {
    assert.equal(liveDeploymentOf({ metadata: { name: 'gone', deletionTimestamp: '2024-01-01T00:00:00Z' } }), undefined);
  });
});

describe('missing and extra objects', () => {
  test('a Service the stage renders and the cluster lacks is missing', () => {
    const stack = exampleStack('fop-gate');
    const rendered = renderStackStage(stack, 'baseline').files.map((f) => f.object);
    const objects = ownedObjects(rendered, withoutService(settledCluster(stack, 'baseline'), 'fop-gate'));
    assert.deepEqual(objects.missing, [{ kind: 'Service', name: 'fop-gate' }]);
    assert.deepEqual(objects.extra, []);
  });

  test("a Deployment carrying the stack's labels that the stage does not render is extra; one without them is not", () => {
    const stack = exampleStack('fop-gate');
    const settled = settledCluster(stack, 'baseline');
    const stray = (name: string, labels: Record<string, string>) => ({ ...deployment(), name, labels });
    const live = {
      ...settled,
      deployments: [
        ...settled.deployments,
        stray('fop-gate-old', { 'app.kubernetes.io/managed-by': 'stepwise', team: 'dora', type: 'basic' }),
        stray('someone-else', { 'app.kubernetes.io/managed-by': 'stepwise', team: 'other', type: 'basic' }),
      ],
    };
    const objects = ownedObjects(
      renderStackStage(stack, 'baseline').files.map((f) => f.object),
      live,
    );
    assert.deepEqual(objects.ownerLabels, { 'app.kubernetes.io/managed-by': 'stepwise', team: 'dora', type: 'basic' });
    assert.deepEqual(objects.extra, [{ kind: 'Deployment', name: 'fop-gate-old' }]);
  });

  test('a router object of a kind the cluster does not serve is missing, and says so', () => {
    const stack = exampleStack('checkout-gateway');
    const live: LiveCluster = {
      ...settledCluster(stack, 'canary'),
      routerObjects: [{ kind: 'HTTPRoute', name: 'checkout', found: 'not-served', apiVersion: 'gateway.networking.k8s.io/v1' }],
    };
    const objects = ownedObjects(
      renderStackStage(stack, 'canary').files.map((f) => f.object),
      live,
    );
    assert.deepEqual(objects.missing, [
      { kind: 'HTTPRoute', name: 'checkout', reason: 'the cluster does not serve gateway.networking.k8s.io/v1 HTTPRoute' },
    ]);
  });
});

describe('the report and its exit code', () => {
  test('at a stage, settled, nothing missing or extra: exit 0, and the text says so', () => {
    const stack = exampleStack('fop-gate');
    const report = reportOn(stack, settledCluster(stack, 'canary'), 'canary');
    assert.deepEqual([report.stage, report.findings, report.exitCode], ['canary', [], 0]);
    assert.match(formatStatus(report), /^stage: canary, as the stack file says$/m);
    assert.match(formatStatus(report), /^result: at stage canary, settled \(exit 0\)$/m);
  });

  test('at a stage but rolling: exit 1, and the stage is still the one the spec matches', () => {
    const stack = exampleStack('fop-gate');
    const live = withDeployment(settledCluster(stack, 'canary'), 'fop-gate-canary', (d) => ({
      ...d,
      updatedReplicas: 0,
      availableReplicas: 1,
    }));
    const report = reportOn(stack, live, 'canary');
    assert.deepEqual([report.stage, report.findings, report.exitCode], ['canary', ['rolling'], 1]);
    assert.deepEqual(report.rolling, [{ deployment: 'fop-gate-canary', waitingFor: ['0 of 1 pods updated'] }]);
    assert.match(formatStatus(report), /^result: a rollout in progress \(exit 1\)$/m);
  });

  test('drift and a missing Service: both findings, each named in the text once', () => {
    const stack = exampleStack('fop-gate');
    const live = withoutService(withDeployment(settledCluster(stack, 'baseline'), 'fop-gate', scaledTo(7)), 'fop-gate');
    const report = reportOn(stack, live, 'baseline');
    assert.deepEqual([report.stage, report.findings, report.exitCode], [null, ['drift', 'missing'], 1]);
    const text = formatStatus(report);
    assert.match(text, /^ {2}Deployment fop-gate: spec\.replicas is 7, baseline has 9$/m);
    assert.equal(text.match(/Service fop-gate/g)?.length, 1, text);
    assert.match(text, /^missing: Service fop-gate$/m);
  });

  test('--json is the report itself: every key of the report, parsed back equal', () => {
    const stack = exampleStack('search-nginx');
    const report = reportOn(stack, settledCluster(stack, 'canary-20'), 'canary-20');
    assert.deepEqual(JSON.parse(statusJson(report)), JSON.parse(JSON.stringify(report)));
    assert.deepEqual(report.router, {
      router: 'ingress-nginx',
      object: { kind: 'Ingress', name: 'search-canary' },
      weights: { stable: 80, canary: 20 },
      plannedWeights: { stable: 80, canary: 20 },
    });
  });

  test('a namespace that does not exist is reported missing', () => {
    const stack = exampleStack('fop-gate');
    const report = reportOn(stack, emptyCluster('dora-apps', false), 'baseline');
    assert.deepEqual(report.findings, ['drift', 'missing']);
    assert.match(formatStatus(report), /^missing: namespace dora-apps$/m);
  });
});
