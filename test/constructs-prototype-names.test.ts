import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderStage } from '../lib/constructs';
import type { KubeObject } from '../lib/model';
import { parsePlan, type Plan } from '../lib/model';
import { examplePlanData } from './support/example-stacks';

/** An example plan with every `from` in its data renamed to `to` (only for names that appear nowhere else). */
function renamed(example: string, from: string, to: string): Plan {
  return parsePlan(JSON.parse(JSON.stringify(examplePlanData(example)).replaceAll(from, to)));
}

/** Every stage of `plan`, rendered. */
function renderAll(plan: Plan): KubeObject[][] {
  return plan.stages.map((stage) => renderStage(plan, stage.name));
}

describe('workload and Service names the construct tree could mistake for its own', () => {
  test('a workload named constructor renders like any other name, in every stage', () => {
    const original = JSON.stringify(renderAll(parsePlan(examplePlanData('web-nginx'))));
    assert.equal(
      JSON.stringify(renderAll(renamed('web-nginx', 'nginx-dm', 'constructor'))),
      original.replaceAll('nginx-dm', 'constructor'),
    );
  });

  test('a Service named constructor renders like any other name, in every stage', () => {
    const original = JSON.stringify(renderAll(parsePlan(examplePlanData('web-nginx'))));
    assert.equal(
      JSON.stringify(renderAll(renamed('web-nginx', 'nginx-svc', 'constructor'))),
      original.replaceAll('nginx-svc', 'constructor'),
    );
  });

  // `traffic` is the id of the routing construct and `service-<name>` that of a Service's.
  for (const name of ['traffic', 'service-checkout']) {
    test(`a workload named ${name} renders beside the routing objects and the Services`, () => {
      const original = renderAll(parsePlan(examplePlanData('checkout-gateway')));
      const data = examplePlanData('checkout-gateway');
      data.workloads[name] = data.workloads['checkout-canary'];
      delete data.workloads['checkout-canary'];
      for (const stage of data.stages) {
        stage.workloads[name] = stage.workloads['checkout-canary'];
        delete stage.workloads['checkout-canary'];
      }
      const rendered = renderAll(parsePlan(data));
      // The same objects, the workload's Deployment and PodDisruptionBudget under the new name.
      const back = rendered.map((objects) =>
        objects.map((o) =>
          (o.kind === 'Deployment' || o.kind === 'PodDisruptionBudget') && o.metadata.name === name
            ? { ...o, metadata: { ...o.metadata, name: 'checkout-canary' } }
            : o,
        ),
      );
      assert.deepEqual(back, original);
    });
  }
});
