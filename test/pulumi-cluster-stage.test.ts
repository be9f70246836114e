import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderedFromClusterStage } from '../lib/pulumi/cluster-stage';
import { exampleStackAt } from './support/pulumi-mocks';

describe('the stage an update is ordered from', () => {
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);

  test('the recorded stage wins over a stale stepwise:fromStage, with a warning naming both', () => {
    warnings.length = 0;
    const stack = orderedFromClusterStage(exampleStackAt('fop-gate', 'canary', 'baseline'), 'canary-widened', warn);
    assert.equal(stack.fromStage, 'canary-widened');
    assert.equal(stack.fromStageIndex, 2);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /orders the update from 'baseline', but the last update left the cluster in 'canary-widened'/);
  });

  test('re-applying the stage the cluster is in keeps the file’s order and says nothing', () => {
    warnings.length = 0;
    const inFile = exampleStackAt('fop-gate', 'canary', 'baseline');
    assert.equal(orderedFromClusterStage(inFile, 'canary', warn), inFile);
    assert.deepEqual(warnings, []);
  });

  test('nothing recorded (a first update) or a record that agrees keeps the file’s order', () => {
    warnings.length = 0;
    const inFile = exampleStackAt('fop-gate', 'canary', 'baseline');
    assert.equal(orderedFromClusterStage(inFile, undefined, warn), inFile);
    assert.equal(orderedFromClusterStage(inFile, 'baseline', warn), inFile);
    assert.deepEqual(warnings, []);
  });

  test('a recorded stage the plan no longer has is ignored, with a warning', () => {
    warnings.length = 0;
    const inFile = exampleStackAt('fop-gate', 'canary', 'baseline');
    assert.equal(orderedFromClusterStage(inFile, 'canary-wider', warn), inFile);
    assert.match(warnings[0], /recorded stage 'canary-wider', which .* no longer has/);
  });
});
