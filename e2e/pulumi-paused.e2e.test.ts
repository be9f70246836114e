/**
 * `paused` on a real cluster, as the model assumes it: a stage that pauses a Deployment while it
 * stages a new image completes `pulumi up` without rolling anything out (reading the provider's
 * Deployment await suggested it might wait for a rollout that never comes; the real engine does
 * not), and the stage that resumes it rolls the staged image out, awaited, make-before-break.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { assertMoveKeptPromises, deploymentUids, startMove } from './support/move-promises';
import { ReleaseProject } from './support/pulumi-engine';
import { useSuite, withMinReadySeconds } from './support/suite';
import { describeNamespace, TransitionObserver } from './support/transition-observer';

const suite = useSuite();

/** fop-gate whose `canary` stage pauses the canary with its new image (resumed in `canary-widened`). */
function pausedCanary(yaml: string): string {
  const document = parseDocument(withMinReadySeconds(1)(yaml));
  document.setIn(['config', 'stepwise:plan', 'stages', 1, 'workloads', 'fop-gate-canary', 'paused'], true);
  return document.toString();
}

test('pulumi up of a stage that pauses a Deployment returns at once, and resuming it rolls the staged image out', async () => {
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', pausedCanary);
  const { plan } = project.read();
  const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
  const readyCanaryImages = async (): Promise<string[]> =>
    ((await suite.cluster.api.get(`/apis/apps/v1/namespaces/${plan.namespace}/replicasets`)) as any).items
      .filter((rs: any) => rs.metadata.name.startsWith('fop-gate-canary-') && rs.status?.readyReplicas > 0)
      .map((rs: any) => rs.spec.template.spec.containers[0].image);
  // The images of the canary's ReplicaSets with ready pods, once they are `expected` or after 30 s:
  // a ReplicaSet scaled to 0 reports its last pod gone a moment after the rollout completes.
  const settledCanaryImages = async (expected: readonly string[]): Promise<string[]> => {
    const deadline = Date.now() + 30_000;
    let images = await readyCanaryImages();
    while (!isDeepStrictEqual(images, expected) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      images = await readyCanaryImages();
    }
    return images;
  };
  try {
    assert.equal((await project.up()).summary.result, 'succeeded');
    const uids = deploymentUids(observer.observations);

    project.stepwise('promote', 'fop-gate', '--skip-gate');
    const pausing = await startMove(observer, plan, 0, 1);
    const ctrlC = new AbortController();
    const timer = setTimeout(() => ctrlC.abort(), 90_000); // a hung await would take 10 minutes
    try {
      assert.equal((await project.up({ signal: ctrlC.signal })).summary.result, 'succeeded', 'pulumi up of the paused stage');
    } finally {
      clearTimeout(timer);
    }
    await assertMoveKeptPromises(observer, plan, 0, 1, pausing, uids, () => describeNamespace(suite.cluster.api, plan.namespace));
    assert.deepEqual(
      await readyCanaryImages(),
      ['registry.example.com/dora/fop-gate:1.4.0'],
      'a paused canary keeps running the old image',
    );

    project.stepwise('promote', 'fop-gate', '--skip-gate');
    const resuming = await startMove(observer, plan, 1, 2);
    assert.equal((await project.up()).summary.result, 'succeeded', 'pulumi up of the stage that resumes it');
    await assertMoveKeptPromises(observer, plan, 1, 2, resuming, uids, () => describeNamespace(suite.cluster.api, plan.namespace));
    const staged = ['registry.example.com/dora/fop-gate:1.5.0'];
    assert.deepEqual(await settledCanaryImages(staged), staged, 'resumed, the canary runs the staged image');
  } finally {
    observer.stop();
    await project.destroy();
  }
});

/** fop-gate whose canary is created paused in the first stage (and resumed with the new image in `canary`). */
function canaryCreatedPaused(yaml: string): string {
  const document = parseDocument(withMinReadySeconds(1)(yaml));
  document.setIn(['config', 'stepwise:plan', 'stages', 0, 'workloads', 'fop-gate-canary', 'paused'], true);
  return document.toString();
}

test('pulumi up of a stage that creates a Deployment paused completes, and the stage that resumes it rolls it out', async () => {
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', canaryCreatedPaused);
  const { plan } = project.read();
  const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
  const canaryReplicaSets = async () =>
    ((await suite.cluster.api.get(`/apis/apps/v1/namespaces/${plan.namespace}/replicasets`)) as any).items.filter((rs: any) =>
      rs.metadata.name.startsWith('fop-gate-canary-'),
    );
  try {
    const ctrlC = new AbortController();
    const timer = setTimeout(() => ctrlC.abort(), 90_000); // the provider's await would wait 10 minutes for a ReplicaSet
    let result;
    try {
      result = await project.up({ signal: ctrlC.signal });
    } finally {
      clearTimeout(timer);
    }
    assert.equal(result.summary.result, 'succeeded', 'pulumi up of the stage that creates the canary paused');
    assert.match(result.stdout, /fop-gate-canary is created paused/, 'pulumi up says why it does not wait for the canary');
    assert.deepEqual(await canaryReplicaSets(), [], 'a Deployment created paused has no ReplicaSet and no pods');
    assert.equal(await observer.settledReadyEndpoints('fop-gate', 9), 9);
    const uids = deploymentUids(observer.observations);

    project.stepwise('promote', 'fop-gate', '--skip-gate');
    const resuming = await startMove(observer, plan, 0, 1);
    assert.equal((await project.up()).summary.result, 'succeeded', 'pulumi up of the stage that resumes it');
    await assertMoveKeptPromises(observer, plan, 0, 1, resuming, uids, () => describeNamespace(suite.cluster.api, plan.namespace));
    assert.deepEqual(
      (await canaryReplicaSets()).map((rs: any) => rs.spec.template.spec.containers[0].image),
      ['registry.example.com/dora/fop-gate:1.5.0'],
      'resumed, the canary rolls out its image',
    );
    const again = await project.preview();
    assert.deepEqual(
      Object.keys(again.changes).filter((op) => op !== 'same' && op !== 'read'),
      [],
      `a second pulumi up at the resumed stage would change: ${JSON.stringify(again.changes)}\n${again.changed.join('\n')}`,
    );
  } finally {
    observer.stop();
    await project.destroy();
  }
});
