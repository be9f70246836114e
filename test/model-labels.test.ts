import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { labelKeyProblem, labelValueProblem, labelsMatch, objectNameProblem, workloadSelectorMatches } from '../lib/model';

describe('label selectors', () => {
  test('a Service selector matches pods carrying every one of its pairs', () => {
    assert.ok(labelsMatch({ app: 'fop-gate' }, { app: 'fop-gate', track: 'canary' }));
    assert.ok(labelsMatch({ name: 'nginx', version: 'v2' }, { name: 'nginx', version: 'v2', team: 'web' }));
  });

  test('a Service selector does not match pods missing a pair or with another value', () => {
    assert.ok(!labelsMatch({ name: 'nginx', version: 'v2' }, { name: 'nginx', version: 'v1' }));
    assert.ok(!labelsMatch({ name: 'nginx', version: 'v2' }, { name: 'nginx' }));
  });

  test('an empty selector selects nothing', () => {
    assert.ok(!labelsMatch({}, { app: 'x' }));
    assert.ok(!workloadSelectorMatches({ matchLabels: {}, matchExpressions: [] }, { app: 'x' }));
  });

  test('Deployment selectors apply matchLabels and every set-based expression', () => {
    const selector = {
      matchLabels: { app: 'shop' },
      matchExpressions: [
        { key: 'track', operator: 'In' as const, values: ['stable', 'canary'] },
        { key: 'legacy', operator: 'DoesNotExist' as const, values: [] },
      ],
    };
    assert.ok(workloadSelectorMatches(selector, { app: 'shop', track: 'canary' }));
    assert.ok(!workloadSelectorMatches(selector, { app: 'shop', track: 'beta' }));
    assert.ok(!workloadSelectorMatches(selector, { app: 'shop', track: 'stable', legacy: 'true' }));
    assert.ok(workloadSelectorMatches({ matchLabels: {}, matchExpressions: [{ key: 'v', operator: 'NotIn', values: ['1'] }] }, { a: 'b' }));
    assert.ok(workloadSelectorMatches({ matchLabels: {}, matchExpressions: [{ key: 'v', operator: 'Exists', values: [] }] }, { v: '' }));
  });

  test('label keys and values follow the Kubernetes syntax', () => {
    assert.equal(labelKeyProblem('app.kubernetes.io/name'), undefined);
    assert.equal(labelValueProblem(''), undefined);
    assert.equal(labelValueProblem('v1.2_3-x'), undefined);
    assert.match(labelKeyProblem('-app') ?? '', /label key/);
    assert.match(labelKeyProblem('Example.com/app') ?? '', /prefix/);
    assert.match(labelValueProblem('has space') ?? '', /label value/);
    assert.match(labelValueProblem('x'.repeat(64)) ?? '', /63/);
  });

  test('object names are RFC 1123 labels', () => {
    assert.equal(objectNameProblem('fop-gate-canary'), undefined);
    assert.ok(objectNameProblem('Fop'));
    assert.ok(objectNameProblem('fop_gate'));
    assert.ok(objectNameProblem('x'.repeat(64)));
  });
});
