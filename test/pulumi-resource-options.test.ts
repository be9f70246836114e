import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as k8s from '@pulumi/kubernetes';
import { EXAMPLE_STACKS, exampleStack } from './support/example-stacks';
import { deployUnderMocks, exampleStackAt, optionsSentByPulumiKubernetesFor, valueOf, type Registration } from './support/pulumi-mocks';

/** The one component of a deployed stage. */
function componentOf(registrations: readonly Registration[]): Registration {
  const components = registrations.filter((r) => !r.custom);
  assert.equal(components.length, 1);
  return components[0];
}

describe('resource options', () => {
  // Any option the program added would change how Pulumi applies a stage: `ignoreChanges` on
  // replicas would never scale, a short `customTimeouts` would fail the waits make-before-break
  // relies on, `deleteBeforeReplace` would take a workload down, `replaceOnChanges` would replace
  // instead of update, `protect` would fail the deletion of a removed workload and
  // `retainOnDelete` would leave it running in the cluster.
  test('in every stage of every example, the component is registered with no option and each object with only those pulumi-kubernetes sets itself', async () => {
    let compared = 0;
    for (const name of EXAMPLE_STACKS) {
      for (const { name: stage } of exampleStack(name).plan.stages) {
        const { registrations, objects } = await deployUnderMocks(exampleStackAt(name, stage));
        const component = componentOf(registrations);
        assert.deepEqual(component.options, {}, `${name}/${stage}: the component`);
        for (const object of objects) {
          const expected = await optionsSentByPulumiKubernetesFor(object, component, name);
          assert.deepEqual(object.options, expected, `${name}/${stage}: ${object.name}`);
          compared += 1;
        }
      }
    }
    assert.ok(compared > 50, `only ${compared} objects compared`);
  });

  test('with resourceOptions { providers: [provider] }, as docs/guides/pulumi.md documents, every object is registered with that provider and no other option', async () => {
    let provider: k8s.Provider | undefined;
    const { registrations, objects } = await deployUnderMocks(exampleStackAt('fop-gate', 'canary-widened'), () => {
      provider = new k8s.Provider('staging', { context: 'staging' });
      return { resourceOptions: { providers: [provider] } };
    });
    assert.ok(provider);
    const reference = `${await valueOf(provider.urn)}::${await valueOf(provider.id)}`;
    const component = componentOf(registrations);
    assert.deepEqual(component.options, { providers: { kubernetes: reference } });
    assert.equal(objects.length, 5);
    for (const object of objects) {
      const expected = { ...(await optionsSentByPulumiKubernetesFor(object, component, 'fop-gate')), provider: reference };
      assert.deepEqual(object.options, expected, object.name);
    }
  });
});
