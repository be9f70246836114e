import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acceptedExpression } from '../lib/pulumi/route-accepted';
import { stackFromConfig } from '../lib/stacks';
import { renderStackStage } from '../lib/synth/render-stack';
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

describe('what pulumi up waits for: routers', () => {
  // pulumi-kubernetes applies an HTTPRoute and returns at once; the scale-down after it would not
  // wait for any Gateway (e2e/pulumi-routers.e2e.test.ts).
  test('the HTTPRoute waits until every parent Gateway accepted its current generation, and the synth manifest has no such annotation', async () => {
    const stack = editedStackAt('checkout-gateway', 'canary', 'baseline', () => undefined);
    const { objects } = await deployUnderMocks(stack);
    const route = registrationOf(objects, 'HTTPRoute', 'checkout');
    assert.deepEqual(JSON.parse(annotationsOf(route)['pulumi.com/waitFor']), [
      "jsonpath={.status.parents[?(@.parentRef.name=='public' && @.parentRef.namespace=='gateway-system') && @.parentRef.sectionName=='https']" +
        ".conditions[?(@.type=='Accepted' && @.status=='True') && @.observedGeneration==$.metadata.generation].type}",
    ]);
    for (const file of renderStackStage(stack).files) assert.doesNotMatch(file.yaml, /pulumi\.com/, file.name);
  });

  test('one condition per parentRef, each naming only what the reference gives', () => {
    assert.equal(
      acceptedExpression({ name: 'public' }),
      "jsonpath={.status.parents[?@.parentRef.name=='public'].conditions[?(@.type=='Accepted' && @.status=='True') && @.observedGeneration==$.metadata.generation].type}",
    );
    assert.match(
      acceptedExpression({ name: 'edge', namespace: 'gw', sectionName: 'https', port: 443 }),
      /\[\?\(\(@\.parentRef\.name=='edge' && @\.parentRef\.namespace=='gw'\) && @\.parentRef\.sectionName=='https'\) && @\.parentRef\.port==443\]/,
    );
  });

  test('with traffic.waitForAccepted: false, the HTTPRoute is applied without waiting', async () => {
    const stack = editedStackAt('checkout-gateway', 'canary', 'baseline', (plan) => (plan.traffic.waitForAccepted = false));
    const { objects } = await deployUnderMocks(stack);
    assert.equal(annotationsOf(registrationOf(objects, 'HTTPRoute', 'checkout'))['pulumi.com/waitFor'], undefined);
  });

  // SMI TrafficSplits have no status at all, and ingress-nginx publishes nothing about a canary
  // weight: there is nothing to wait for.
  test('TrafficSplits and Ingresses get no waitFor', async () => {
    for (const [name, stage, from] of [
      ['ledger-linkerd', 'canary', 'baseline'],
      ['search-nginx', 'canary', 'baseline'],
    ]) {
      const { objects } = await deployUnderMocks(editedStackAt(name, stage, from, () => undefined));
      for (const object of objects) assert.equal(annotationsOf(object)['pulumi.com/waitFor'], undefined, `${name} ${object.name}`);
    }
  });
});

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
