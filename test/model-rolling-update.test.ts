import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isIntOrPercent, MAX_SURGE_PERCENT, resolveRollingUpdate, scaledValue } from '../lib/model';

describe('maxSurge / maxUnavailable resolution', () => {
  test('an absolute count is used as it is, whatever the replicas', () => {
    assert.equal(scaledValue(1, 9, true), 1);
    assert.equal(scaledValue(3, 2, false), 3);
  });

  test('a percentage rounds up for maxSurge', () => {
    assert.equal(scaledValue('25%', 3, true), 1); // 0.75 → 1
    assert.equal(scaledValue('25%', 9, true), 3); // 2.25 → 3
    assert.equal(scaledValue('10%', 1, true), 1); // 0.1 → 1
  });

  test('a percentage rounds down for maxUnavailable', () => {
    assert.equal(scaledValue('25%', 3, false), 0); // 0.75 → 0
    assert.equal(scaledValue('25%', 9, false), 2); // 2.25 → 2
    assert.equal(scaledValue('10%', 1, false), 0);
  });

  test('an exact percentage is not moved by float error in either direction', () => {
    assert.equal(scaledValue('29%', 100, true), 29);
    assert.equal(scaledValue('29%', 100, false), 29);
    assert.equal(scaledValue('50%', 4, true), 2);
    assert.equal(scaledValue('50%', 4, false), 2);
    assert.equal(scaledValue('100%', 7, false), 7);
  });

  test('a percentage of zero replicas is zero', () => {
    assert.equal(scaledValue('25%', 0, true), 0);
    assert.equal(scaledValue('25%', 0, false), 0);
  });

  test('when both resolve to zero the controller allows one unavailable pod', () => {
    assert.deepEqual(resolveRollingUpdate(0, '25%', 3), { surge: 0, unavailable: 1 });
    assert.deepEqual(resolveRollingUpdate('0%', '10%', 5), { surge: 0, unavailable: 1 });
  });

  test('resolution keeps non-zero fenceposts as they are', () => {
    assert.deepEqual(resolveRollingUpdate('25%', '25%', 10), { surge: 3, unavailable: 2 });
    assert.deepEqual(resolveRollingUpdate(1, 0, 9), { surge: 1, unavailable: 0 });
  });

  test('only whole counts and whole percentages up to 100% are accepted', () => {
    for (const ok of [0, 1, 25, '0%', '25%', '100%']) assert.ok(isIntOrPercent(ok), String(ok));
    for (const bad of [-1, 1.5, '101%', '25', '2.5%', '%', 'abc', null, true]) assert.ok(!isIntOrPercent(bad), String(bad));
  });

  test('a maxSurge may be any whole percent (Kubernetes caps only maxUnavailable at 100%)', () => {
    for (const ok of ['101%', '150%', '1000%']) assert.ok(isIntOrPercent(ok, MAX_SURGE_PERCENT), ok);
    for (const bad of ['-5%', '2.5%', '99999999999%']) assert.ok(!isIntOrPercent(bad, MAX_SURGE_PERCENT), bad);
  });
});
