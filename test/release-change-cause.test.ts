import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderStackStage } from '../lib/synth/render-stack';
import { exampleStack } from './support/example-stacks';

/** The rendered Deployments of a stage of fop-gate, by name. */
function deployments(stage: string): Map<string, any> {
  const rendered = renderStackStage(exampleStack('fop-gate'), stage);
  return new Map(
    rendered.files
      .map((f) => f.object as any)
      .filter((o) => o.kind === 'Deployment')
      .map((o) => [o.metadata.name, o]),
  );
}

const changeCause = (stage: string, workload: string) =>
  deployments(stage).get(workload).metadata.annotations['kubernetes.io/change-cause'];

describe('kubernetes.io/change-cause names the stage that made the revision', () => {
  test('each Deployment names the stage that brought in the image it runs, so kubectl rollout history names it', () => {
    // fop-gate (stable) runs 1.4.0 from baseline, 1.5.0 from stable; its canary 1.5.0 from canary.
    assert.deepEqual(
      ['baseline', 'canary', 'canary-widened', 'stable'].map((stage) => [
        changeCause(stage, 'fop-gate'),
        changeCause(stage, 'fop-gate-canary'),
      ]),
      [
        ['stepwise: stage baseline', 'stepwise: stage baseline'],
        ['stepwise: stage baseline', 'stepwise: stage canary'],
        ['stepwise: stage baseline', 'stepwise: stage canary'],
        ['stepwise: stage stable', 'stepwise: stage canary'],
      ],
    );
  });

  test('a stage that leaves a workload alone leaves its Deployment exactly as it was', () => {
    assert.deepEqual(deployments('canary').get('fop-gate'), deployments('baseline').get('fop-gate'));
  });

  test('it is on the Deployment, not its pod template: the annotation alone rolls no pods', () => {
    const d = deployments('stable').get('fop-gate');
    assert.equal(d.spec.template.metadata.annotations?.['kubernetes.io/change-cause'], undefined);
  });

  test('rendering a stage twice gives the same objects (synth stays deterministic)', () => {
    assert.deepEqual([...deployments('canary-widened')], [...deployments('canary-widened')]);
  });
});
