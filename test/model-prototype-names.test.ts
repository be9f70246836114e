import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allStageStates, consecutiveTransitions, parsePlan, stepwiseErrorsOf, type Plan } from '../lib/model';
import { checkPlan } from '../lib/review/check';
import { examplePlanData } from './support/example-stacks';

/**
 * The web-nginx plan with every `from` renamed to `to` (workload or Service names appear nowhere
 * else in it). `nginx-dm` is left out of the last stage and `nginx-svc` of the first stages'
 * `services`, which is what a name inherited from Object.prototype used to break.
 */
function webNginxWith(from: string, to: string): unknown {
  return JSON.parse(JSON.stringify(examplePlanData('web-nginx')).replaceAll(from, to)) as unknown;
}

/** What the model makes of a plan, as text: stage states, transitions and check findings. */
function modelText(plan: Plan): string {
  const states = allStageStates(plan);
  return JSON.stringify({ states, transitions: consecutiveTransitions(plan, states), findings: checkPlan(plan) });
}

/** The messages parsePlan reports for `data` (fails the test when it parses). */
function problems(data: unknown): string[] {
  try {
    parsePlan(data);
  } catch (error) {
    const found = stepwiseErrorsOf(error);
    assert.ok(found.length > 0, `expected StepwiseErrors, got ${String(error)}`);
    return found.map((e) => e.message);
  }
  assert.fail('the plan was accepted');
}

describe('names Object.prototype also has', () => {
  test('a workload named constructor left out of a stage is absent from it, and the model reads the plan as under any other name', () => {
    const original = parsePlan(examplePlanData('web-nginx'));
    const renamed = parsePlan(webNginxWith('nginx-dm', 'constructor'));
    const last = renamed.stages[renamed.stages.length - 1];
    assert.equal(last.workloads.constructor, undefined);
    assert.deepEqual(Object.keys(last.workloads), ['nginx-v2']);
    assert.equal(modelText(renamed), modelText(original).replaceAll('nginx-dm', 'constructor'));
  });

  test('a Service named constructor that a stage leaves out keeps its own selector there', () => {
    const original = parsePlan(examplePlanData('web-nginx'));
    const renamed = parsePlan(webNginxWith('nginx-svc', 'constructor'));
    assert.deepEqual(renamed.stages[0].serviceSelectors.constructor, { name: 'nginx' });
    assert.equal(modelText(renamed), modelText(original).replaceAll('nginx-svc', 'constructor'));
  });

  for (const name of ['toString', 'hasOwnProperty', '__proto__']) {
    test(`a workload named ${name} is reported as an invalid name, at its own key`, () => {
      const found = problems(webNginxWith('nginx-dm', name));
      assert.ok(
        found.some((m) => m.startsWith(`workloads.${name}: `) && /lowercase/.test(m)),
        `no name problem for workloads.${name}:\n${found.join('\n')}`,
      );
      assert.ok(!found.some((m) => /native code|function/.test(m)), found.join('\n'));
    });

    test(`a Service named ${name} is reported as an invalid name, at its own key`, () => {
      const found = problems(webNginxWith('nginx-svc', name));
      assert.ok(
        found.some((m) => m.startsWith(`services.${name}: `) && /lowercase/.test(m)),
        `no name problem for services.${name}:\n${found.join('\n')}`,
      );
      assert.ok(!found.some((m) => /native code|function/.test(m)), found.join('\n'));
    });
  }
});
