/**
 * A release that breaks: the widened canary runs an image whose pods never turn Ready. The real
 * `pulumi up` must fail before it moves traffic or scales stable down, the Service must keep its
 * ready endpoints, and `stepwise rollback` + `pulumi up` must bring the stack back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { stageState, transition } from '../lib/model';
import { NEVER_READY_IMAGE } from './support/control-plane';
import { ReleaseProject } from './support/pulumi-engine';
import { useSuite, withMinReadySeconds } from './support/suite';
import { describeNamespace, TransitionObserver } from './support/transition-observer';

const suite = useSuite();

/**
 * fop-gate whose canary runs NEVER_READY_IMAGE from `canary-widened` on, and whose Deployments
 * report a stalled rollout after 10 s without progress (the Deployment controller then marks them
 * ProgressDeadlineExceeded).
 */
function brokenWidenedCanary(yaml: string): string {
  const document = parseDocument(withMinReadySeconds(1)(yaml));
  const plan = ['config', 'stepwise:plan'];
  document.setIn([...plan, 'defaults', 'progressDeadlineSeconds'], 10);
  for (const stage of [2, 3]) document.setIn([...plan, 'stages', stage, 'workloads', 'fop-gate-canary', 'image'], NEVER_READY_IMAGE);
  return document.toString();
}

/** Resolves once the Deployment reports ProgressDeadlineExceeded. */
async function stalled(namespace: string, name: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const d = (await suite.cluster.api.get(`/apis/apps/v1/namespaces/${namespace}/deployments/${name}`)) as any;
    if ((d.status?.conditions ?? []).some((c: any) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded')) return;
    if (Date.now() > deadline) assert.fail(`${name} was never reported stalled: ${JSON.stringify(d.status)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('a canary that never becomes ready fails pulumi up before the Service moves or stable scales down, and rolling back restores the stage', async () => {
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', brokenWidenedCanary);
  const { plan } = project.read();
  const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
  try {
    assert.equal((await project.up()).summary.result, 'succeeded');
    project.stepwise('promote', 'fop-gate', '--skip-gate');
    assert.equal((await project.up()).summary.result, 'succeeded', 'baseline → canary');
    const endpointsAtCanary = await observer.settledReadyEndpoints('fop-gate', 10);
    assert.equal(endpointsAtCanary, 10);

    project.stepwise('promote', 'fop-gate', '--skip-gate');
    assert.equal(project.read().stage, 'canary-widened');
    const since = performance.now();
    // pulumi-kubernetes waits up to 10 minutes for a Deployment; an operator (or a CI job's
    // timeout) stops the update once the rollout is reported stalled: Ctrl-C, a SIGINT.
    const ctrlC = new AbortController();
    const update = project.up({ signal: ctrlC.signal });
    await stalled(plan.namespace, 'fop-gate-canary');
    await new Promise((r) => setTimeout(r, 5000)); // long enough for anything that would follow
    ctrlC.abort();
    await assert.rejects(update, 'the update did not complete');
    const during = observer.since(since);

    // Nothing after the make phase happened: stable kept its 9 replicas, the Service its selector.
    const stable = during.filter((o) => o.kind === 'deployment' && o.name === 'fop-gate');
    assert.ok(
      stable.every((o) => o.kind === 'deployment' && o.replicas === 9),
      `stable was scaled: ${JSON.stringify(stable)}`,
    );
    assert.ok(!during.some((o) => o.kind === 'service' && o.type !== 'ADDED'), 'the Service was changed');
    const min = observer.minReadyEndpoints('fop-gate', since, endpointsAtCanary);
    assert.ok(
      min >= 10,
      `the Service fell to ${min} ready endpoints while the canary failed\n${await describeNamespace(suite.cluster.api, plan.namespace)}`,
    );

    // Roll back as `stepwise rollback` says to: the stack file gets the stage, and its advice is
    // the pulumi up to run (with --refresh: Pulumi's state does not know of the stalled rollout).
    const advice = /^Apply it: pulumi up (.*)--stack fop-gate$/m.exec(project.stepwise('rollback', 'fop-gate'));
    assert.ok(advice, 'stepwise rollback says how to apply the rollback');
    assert.equal(project.read().stage, 'canary');
    const back = performance.now();
    const rollback = await project.up({ refresh: advice[1].includes('--refresh') });
    assert.equal(rollback.summary.result, 'succeeded', 'rolling back to canary');
    const expected = transition(plan, stageState(plan, 2), 1).services[0];
    assert.equal(await observer.settledReadyEndpoints('fop-gate', expected.endpointsAfter), expected.endpointsAfter);
    assert.ok(observer.minReadyEndpoints('fop-gate', back, min) >= 10);
    const images = await suite.cluster.api.get(`/apis/apps/v1/namespaces/${plan.namespace}/deployments/fop-gate-canary`);
    assert.equal((images as any).spec.template.spec.containers[0].image, 'registry.example.com/dora/fop-gate:1.5.0');
  } finally {
    observer.stop();
    await project.destroy();
  }
});
