import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stackFromConfig } from '../lib/stacks';
import { exampleConfig } from './support/example-stacks';
import { deployUnderMocks, registrationOf, type Registration } from './support/pulumi-mocks';

/** The example stack `name` at `stage` entered from `fromStage`, its plan edited by `edit`. */
function editedStackAt(name: string, stage: string, fromStage: string, edit: (plan: Record<string, any>) => void) {
  const config = exampleConfig(name);
  edit(config['stepwise:plan'] as Record<string, any>);
  config['stepwise:stage'] = stage;
  config['stepwise:fromStage'] = fromStage;
  return stackFromConfig(name, `stacks/Pulumi.${name}.yaml`, config);
}

const annotationsOf = (r: Registration) =>
  ((r.inputs.metadata as { annotations?: Record<string, string> }).annotations ?? {}) as Record<string, string>;

describe('what pulumi up waits for: a Deployment created paused', () => {
  const createdPaused = (plan: Record<string, any>) => (plan.stages[0].workloads['fop-gate-canary'].paused = true);

  // The controller creates no ReplicaSet for it, and the provider's Deployment await waits for one
  // (its 10-minute timeout on a real cluster, e2e/pulumi-paused.e2e.test.ts).
  test('a Deployment created paused is applied without an await (pulumi.com/skipAwait), the others with theirs', async () => {
    const stack = editedStackAt('fop-gate', 'baseline', 'baseline', createdPaused);
    const { objects } = await deployUnderMocks(stack);
    assert.equal(annotationsOf(registrationOf(objects, 'Deployment', 'fop-gate-canary'))['pulumi.com/skipAwait'], 'true');
    assert.equal(annotationsOf(registrationOf(objects, 'Deployment', 'fop-gate'))['pulumi.com/skipAwait'], undefined);
  });

  test('once resumed, it is awaited again', async () => {
    const { objects } = await deployUnderMocks(editedStackAt('fop-gate', 'canary', 'baseline', createdPaused));
    assert.equal(annotationsOf(registrationOf(objects, 'Deployment', 'fop-gate-canary'))['pulumi.com/skipAwait'], undefined);
  });

  test('a Deployment paused after it rolled out keeps its ReplicaSet and is awaited', async () => {
    const pausedLater = (plan: Record<string, any>) => (plan.stages[1].workloads['fop-gate-canary'].paused = true);
    const { objects } = await deployUnderMocks(editedStackAt('fop-gate', 'canary', 'baseline', pausedLater));
    assert.equal(annotationsOf(registrationOf(objects, 'Deployment', 'fop-gate-canary'))['pulumi.com/skipAwait'], undefined);
  });
});
