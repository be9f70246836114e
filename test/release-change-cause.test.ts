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

describe('kubernetes.io/change-cause names the stage', () => {
  test("every Deployment of a stage carries the stage's name, so kubectl rollout history names it", () => {
    for (const stage of ['baseline', 'canary', 'stable']) {
      for (const [name, d] of deployments(stage)) {
        assert.equal(d.metadata.annotations['kubernetes.io/change-cause'], `stepwise: stage ${stage}`, `${name} in ${stage}`);
      }
    }
  });

  test('it is on the Deployment, not its pod template: a stage that leaves a workload alone rolls none of its pods', () => {
    // fop-gate (stable) runs 1.4.0 with 9 replicas in baseline and canary.
    const before = deployments('baseline').get('fop-gate');
    const after = deployments('canary').get('fop-gate');
    assert.deepEqual(after.spec.template, before.spec.template);
    assert.equal(after.spec.template.metadata.annotations?.['kubernetes.io/change-cause'], undefined);
  });

  test('rendering a stage twice gives the same objects (synth stays deterministic)', () => {
    assert.deepEqual([...deployments('canary-widened')], [...deployments('canary-widened')]);
  });
});
