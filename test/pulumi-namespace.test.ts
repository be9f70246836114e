import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlan, StepwiseErrors } from '../lib/model';
import { stackFromConfig, stackFilePath } from '../lib/stacks';
import { EXAMPLE_STACKS, exampleConfig, exampleStack, examplePlanData } from './support/example-stacks';
import { deployUnderMocks, exampleStackAt } from './support/pulumi-mocks';

/** An example stack at its first stage with its plan changed by `edit`. */
function editedStack(name: string, edit: (plan: Record<string, any>) => void) {
  const config = exampleConfig(name);
  edit(config['stepwise:plan'] as Record<string, any>);
  return stackFromConfig(name, stackFilePath('stacks', name), config);
}

describe('the namespace under pulumi up', () => {
  // A fresh cluster has no namespace for the plan: without this, the first `pulumi up` fails
  // with `namespaces "<ns>" not found` (seen on a real control plane, e2e/pulumi-stages.e2e.test.ts).
  test('every stage of every example registers the plan namespace first, kept on delete, and every object waits for it', async () => {
    for (const name of EXAMPLE_STACKS) {
      const { plan } = exampleStack(name);
      for (const { name: stage } of plan.stages) {
        const { namespace, objects } = await deployUnderMocks(exampleStackAt(name, stage));
        assert.ok(namespace, `${name}/${stage}: no Namespace registered`);
        assert.equal((namespace.inputs.metadata as { name: string }).name, plan.namespace);
        assert.equal(namespace.name, `Namespace:${plan.namespace}`);
        assert.equal(namespace.options.retainOnDelete, true, `${name}/${stage}: the namespace may hold more than this release`);
        for (const object of objects)
          assert.ok(object.dependencies.includes(namespace.urn), `${name}/${stage}: ${object.name} does not wait for the Namespace`);
      }
    }
  });

  test('the namespace enforces the restricted Pod Security Standard that every rendered pod meets', async () => {
    const { namespace } = await deployUnderMocks(exampleStackAt('fop-gate', 'baseline'));
    assert.deepEqual((namespace?.inputs.metadata as { labels: unknown }).labels, { 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  test('a plan with securityOverrides gets restricted warnings and audit entries instead, so its pods are admitted', async () => {
    const stack = editedStack('fop-gate', (plan) => {
      plan.workloads['fop-gate'].securityOverrides = { runAsRoot: true, reason: 'a legacy image that runs as root' };
    });
    const { namespace } = await deployUnderMocks(stack);
    assert.deepEqual((namespace?.inputs.metadata as { labels: unknown }).labels, {
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  test('createNamespace: false registers no Namespace and nothing waits for one', async () => {
    const stack = editedStack('fop-gate', (plan) => {
      plan.createNamespace = false;
    });
    const { namespace, registrations, objects } = await deployUnderMocks(stack);
    assert.equal(namespace, undefined);
    assert.ok(!registrations.some((r) => r.type === 'kubernetes:core/v1:Namespace'));
    assert.ok(objects.length > 0);
  });

  test('createNamespace must be true or false', () => {
    const data = examplePlanData('fop-gate');
    data.createNamespace = 'yes';
    assert.throws(
      () => parsePlan(data),
      (error: unknown) => error instanceof StepwiseErrors && error.errors.some((p) => p.keyPath === 'createNamespace'),
    );
  });
});
