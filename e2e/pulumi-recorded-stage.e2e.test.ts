/**
 * The stage the cluster is in is what the last update recorded, not what someone remembered to
 * write in `stepwise:fromStage`: a stage moved back by hand in the stack file, leaving a stale
 * fromStage, is still applied make-before-break on a real cluster.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { stageState, transition } from '../lib/model';
import { ReleaseProject } from './support/pulumi-engine';
import { useSuite, withMinReadySeconds } from './support/suite';
import { TransitionObserver } from './support/transition-observer';

const suite = useSuite();

test('a rollback edited by hand (stepwise:stage only, fromStage left stale) is ordered from the recorded stage', async () => {
  const project = await ReleaseProject.create(suite.engine, 'fop-gate', withMinReadySeconds(1));
  const { plan } = project.read();
  const observer = await TransitionObserver.start(suite.cluster.api, plan.namespace);
  try {
    assert.equal((await project.up()).summary.result, 'succeeded');
    for (let i = 0; i < 2; i++) {
      project.stepwise('promote', 'fop-gate', '--skip-gate');
      assert.equal((await project.up()).summary.result, 'succeeded');
    }
    assert.equal(project.read().stage, 'canary-widened');
    assert.equal(project.read().fromStage, 'canary');

    // Back to canary by hand: only stepwise:stage changes; fromStage still says canary.
    fs.writeFileSync(
      project.stackFile,
      fs.readFileSync(project.stackFile, 'utf8').replace('stepwise:stage: canary-widened', 'stepwise:stage: canary'),
    );
    assert.equal(project.read().fromStage, 'canary');
    const promised = transition(plan, stageState(plan, 2), 1).services[0];
    const before = await observer.settledReadyEndpoints('fop-gate', promised.endpointsBefore);
    const since = performance.now();
    const result = await project.up();
    assert.equal(result.summary.result, 'succeeded');
    assert.equal(result.outputs.fromStage.value, 'canary-widened', 'the update was ordered from the stage the cluster was in');
    const min = observer.minReadyEndpoints('fop-gate', since, before);
    assert.ok(
      min >= promised.minReadyEndpoints,
      `the Service fell to ${min} ready endpoints; the move promises ${promised.minReadyEndpoints}`,
    );
    assert.equal(await observer.settledReadyEndpoints('fop-gate', promised.endpointsAfter), promised.endpointsAfter);
  } finally {
    observer.stop();
    await project.destroy();
  }
});
