import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { StepwiseErrors, stageState, transition } from '../lib/model';
import { planStageProps } from '../lib/constructs';
import { CanaryService } from '../lib/pulumi/canary-service';
import { deployStack } from '../lib/pulumi/deploy-stack';
import { withoutIngressAwait } from '../lib/pulumi/ingress-await';
import { withPatchForce } from '../lib/pulumi/patch-force';
import { withRouteAcceptedAwait } from '../lib/pulumi/route-accepted';
import { renderStackStage } from '../lib/synth/render-stack';
import { registerSchema } from '../lib/synth/schema-validation';
import { EXAMPLE_STACKS, exampleConfig, exampleStack, fixtureStack } from './support/example-stacks';
import {
  dependenciesOf,
  deployUnderMocks,
  exampleStackAt,
  recordRegistrations,
  registrationOf,
  valueOf,
  type DeployedStage,
  type Registration,
} from './support/pulumi-mocks';
import { stackFromConfig } from '../lib/stacks';

/** Every stage of every example stack, each entered from the stage before it (the default). */
function everyStage(): { stack: string; stage: string }[] {
  return EXAMPLE_STACKS.flatMap((stack) => exampleStack(stack).plan.stages.map((s) => ({ stack, stage: s.name })));
}

const metadataOf = (r: Registration) => r.inputs.metadata as { name: string; namespace?: string };

/** Kinds that route traffic; every kind an example renders must be one of these or a workload object. */
const ROUTING_KINDS = new Set(['Service', 'Ingress', 'HTTPRoute', 'TrafficSplit']);
const WORKLOAD_KINDS = new Set(['Deployment', 'PodDisruptionBudget']);

/**
 * The stage deployed under mocks, or the problems that stop the program from deploying it (a
 * Service it would create with no pods; see the test on endpoints, which fails for those).
 */
async function tryDeploy(stack: string, stage: string): Promise<DeployedStage | undefined> {
  try {
    return await deployUnderMocks(exampleStackAt(stack, stage));
  } catch (error) {
    if (error instanceof StepwiseErrors && /selects no pods/.test(error.message)) return undefined;
    throw error;
  }
}

/** Every deployable stage of every example, deployed once for this file (the tests only read them). */
let everyDeployedStage: Promise<(DeployedStage & { label: string })[]> | undefined;

/** Every stage of every example the program deploys. */
async function* deployedStages(): AsyncGenerator<DeployedStage & { label: string }> {
  everyDeployedStage ??= (async () => {
    const deployed: (DeployedStage & { label: string })[] = [];
    for (const { stack, stage } of everyStage()) {
      const one = await tryDeploy(stack, stage);
      if (one) deployed.push({ ...one, label: `${stack}/${stage}` });
    }
    return deployed;
  })();
  yield* await everyDeployedStage;
}

describe('the Pulumi program registers exactly the rendered objects', () => {
  test('for every stage of every example, the inputs Pulumi receives deep-equal the objects npm run synth renders, with pulumi.com/patchForce added (and waitFor on an HTTPRoute, skipAwait on an Ingress)', async () => {
    let compared = 0;
    for await (const deployed of deployedStages()) {
      const rendered = renderStackStage(deployed.stack).files.map((f) => f.object);
      assert.equal(deployed.objects.length, rendered.length, `${deployed.label}: one resource per rendered object`);
      for (const object of rendered) {
        assert.deepEqual(
          registrationOf(deployed.objects, object.kind, object.metadata.name).inputs,
          object.kind === 'HTTPRoute' ? withRouteAcceptedAwait(withPatchForce(object)) : withPatchForce(withoutIngressAwait(object)),
          `${deployed.label} ${object.kind}/${object.metadata.name}`,
        );
        compared += 1;
      }
    }
    assert.ok(compared > 50, `only ${compared} objects compared`);
  });

  // A `kubectl scale` by hand made the next real `pulumi up` fail with a server-side apply
  // conflict on spec.replicas (e2e/pulumi-existing-objects.e2e.test.ts): the stage must win.
  test('every object Pulumi applies takes over the fields it renders (pulumi.com/patchForce), while the synth manifests stay as rendered', async () => {
    const deployed = await deployUnderMocks(exampleStackAt('fop-gate', 'canary'));
    for (const object of deployed.objects) {
      assert.equal((object.inputs.metadata as any).annotations?.['pulumi.com/patchForce'], 'true', object.name);
    }
    for (const file of renderStackStage(deployed.stack).files) assert.doesNotMatch(file.yaml, /pulumi\.com/);
  });

  // pulumi-kubernetes' Ingress await recorded an Ingress as it was before the update (its
  // informer's copy), so the next real `pulumi up` applied the canary weight again
  // (e2e/pulumi-stages.e2e.test.ts, "records the objects as applied").
  test('an Ingress is applied without the provider await (pulumi.com/skipAwait), every other object with it', async () => {
    const deployed = await deployUnderMocks(exampleStackAt('search-nginx', 'canary'));
    const skipped = deployed.objects
      .filter((o) => (o.inputs.metadata as any).annotations?.['pulumi.com/skipAwait'] === 'true')
      .map((o) => `${o.inputs.kind}/${o.name}`);
    const ingresses = deployed.objects.filter((o) => o.inputs.kind === 'Ingress').map((o) => `${o.inputs.kind}/${o.name}`);
    assert.ok(ingresses.length >= 2, 'search-nginx routes with a stable and a canary Ingress');
    assert.deepEqual(skipped, ingresses);
    for (const file of renderStackStage(deployed.stack).files) assert.doesNotMatch(file.yaml, /skipAwait/);
  });

  test('each kind of object is registered as the pulumi-kubernetes resource type of its apiVersion and kind', async () => {
    // The typed classes' tokens; any other kind gets CustomResource's kubernetes:<apiVersion>:<kind>.
    const typed: Record<string, string> = {
      'apps/v1 Deployment': 'kubernetes:apps/v1:Deployment',
      'v1 Service': 'kubernetes:core/v1:Service',
      'policy/v1 PodDisruptionBudget': 'kubernetes:policy/v1:PodDisruptionBudget',
      'networking.k8s.io/v1 Ingress': 'kubernetes:networking.k8s.io/v1:Ingress',
    };
    const seen = new Set<string>();
    for await (const { objects, label } of deployedStages()) {
      for (const r of objects) {
        const key = `${String(r.inputs.apiVersion)} ${String(r.inputs.kind)}`;
        assert.equal(r.type, typed[key] ?? `kubernetes:${String(r.inputs.apiVersion)}:${String(r.inputs.kind)}`, `${label} ${r.name}`);
        seen.add(key);
      }
    }
    assert.ok(seen.has('apps/v1 Deployment') && seen.has('v1 Service') && seen.has('policy/v1 PodDisruptionBudget'));
  });

  test("each example registers one component of its plan's kind, named after the stack, parenting every object", async () => {
    for await (const { registrations, objects, stack, label } of deployedStages()) {
      const components = registrations.filter((r) => !r.custom);
      assert.equal(components.length, 1, label);
      assert.equal(components[0].type, `stepwise:index:${stack.plan.kind}`);
      assert.equal(components[0].name, stack.name);
      assert.ok(objects.length > 0);
      for (const r of objects) assert.equal(r.parent, components[0].urn, `${label} ${r.name}`);
    }
  });

  test('an object of any other apiVersion and kind is registered unchanged (but for patchForce) as a CustomResource', async () => {
    registerSchema('gateway.networking.k8s.io/v1', 'HTTPRoute', HTTPRoute as never);
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'fop-gate', namespace: 'dora-apps' },
      spec: {
        parentRefs: [{ name: 'public' }],
        rules: [{ backendRefs: [{ name: 'fop-gate', port: 80 }] }],
      },
    };
    const stack = exampleStackAt('fop-gate', 'canary-widened');
    const { objects } = await deployUnderMocks(stack, { render: (s) => renderStackStage(s, s.stage, (o) => [...o, route]) });
    const registered = registrationOf(objects, 'HTTPRoute', 'fop-gate');
    assert.equal(registered.type, 'kubernetes:gateway.networking.k8s.io/v1:HTTPRoute');
    assert.deepEqual(registered.inputs, withPatchForce(route));
    // It routes traffic, so it waits like the Service does, and the scale-down waits for it.
    assert.deepEqual(dependenciesOf(registered, objects), ['Deployment/fop-gate-canary']);
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Deployment', 'fop-gate'), objects), [
      'HTTPRoute/fop-gate',
      'Service/fop-gate',
    ]);
  });

  test('a component refuses args the cdk8s construct refuses, naming the arg, before registering anything', async () => {
    const registrations = await recordRegistrations('fop-gate');
    const props = planStageProps(exampleStack('fop-gate').plan, 'baseline');
    const canary = { ...props.workloads[1], replicas: -1 };
    assert.throws(
      () => new CanaryService('fop-gate', { ...props, stage: 'baseline', workloads: [props.workloads[0], canary] }),
      (error: unknown) =>
        error instanceof StepwiseErrors &&
        error.errors.some((e) => e.keyPath === 'workloads[1].replicas' && /whole number >= 0/.test(e.problem)),
    );
    await new Promise((resolve) => setTimeout(resolve, 50)); // a registration would have been recorded by now
    assert.deepEqual(registrations, []);
  });
});

describe('make-before-break within one pulumi up', () => {
  /** The names of the workloads whose transition into `stage` has `phase`. */
  function workloadsIn(deployed: DeployedStage, phase: 'make' | 'break'): string[] {
    const { plan, stageIndex, fromStageIndex } = deployed.stack;
    return transition(plan, stageState(plan, fromStageIndex), stageIndex)
      .workloads.filter((w) => w.phase === phase && w.to !== undefined)
      .map((w) => `Deployment/${w.name}`)
      .sort();
  }

  test('in every stage of every example, traffic routing waits for the Deployments the stage makes and scale-downs wait for the routing', async () => {
    let ordered = 0;
    for await (const deployed of deployedStages()) {
      const { objects, label } = deployed;
      const made = workloadsIn(deployed, 'make');
      const broken = workloadsIn(deployed, 'break');
      const idOf = (r: Registration) => `${String(r.inputs.kind)}/${metadataOf(r).name}`;
      const routing = objects
        .filter((r) => ROUTING_KINDS.has(String(r.inputs.kind)))
        .map(idOf)
        .sort();
      for (const r of objects) {
        const kind = String(r.inputs.kind);
        assert.ok(ROUTING_KINDS.has(kind) || WORKLOAD_KINDS.has(kind), `${label}: classify ${kind} as routing traffic or not`);
        const expected = ROUTING_KINDS.has(kind) ? made : broken.includes(idOf(r)) ? routing : [];
        assert.deepEqual(dependenciesOf(r, objects), expected, `${label}: ${idOf(r)}`);
        ordered += expected.length;
      }
    }
    assert.ok(ordered > 0, 'no stage ordered anything');
  });

  test('widening the canary scales the canary up, then the Service, then scales stable down', async () => {
    const { objects } = await deployUnderMocks(exampleStackAt('fop-gate', 'canary-widened'));
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Deployment', 'fop-gate-canary'), objects), []);
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Service', 'fop-gate'), objects), ['Deployment/fop-gate-canary']);
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Deployment', 'fop-gate'), objects), ['Service/fop-gate']);
  });

  test('rolling back from canary-widened to canary with fromStage set scales stable up before the canary down', async () => {
    const { objects } = await deployUnderMocks(exampleStackAt('fop-gate', 'canary', 'canary-widened'));
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Service', 'fop-gate'), objects), ['Deployment/fop-gate']);
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Deployment', 'fop-gate-canary'), objects), ['Service/fop-gate']);
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Deployment', 'fop-gate'), objects), []);
  });

  test('a stage that releases two batches at once moves the Service only after both are ready', async () => {
    // test/fixtures/stacks/Pulumi.pay-batches.yaml: gray → main rolls pay-api-2 and pay-api-3 together.
    const deployed = await deployUnderMocks(fixtureStack('pay-batches'));
    assert.deepEqual(workloadsIn(deployed, 'make'), ['Deployment/pay-api-2', 'Deployment/pay-api-3']);
    const { objects } = deployed;
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Service', 'pay-api'), objects), [
      'Deployment/pay-api-2',
      'Deployment/pay-api-3',
    ]);
    for (const batch of ['pay-api-1', 'pay-api-2', 'pay-api-3'])
      assert.deepEqual(dependenciesOf(registrationOf(objects, 'Deployment', batch), objects), [], batch);
  });

  test('rolling back from stable to canary-widened: stable scales down and rolls back to 1.4.0 only after the canary and the Service', async () => {
    const { objects } = await deployUnderMocks(exampleStackAt('fop-gate', 'canary-widened', 'stable'));
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Deployment', 'fop-gate-canary'), objects), []);
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Service', 'fop-gate'), objects), ['Deployment/fop-gate-canary']);
    assert.deepEqual(dependenciesOf(registrationOf(objects, 'Deployment', 'fop-gate'), objects), ['Service/fop-gate']);
  });

  test('the cutover switches the Service selector only after nginx-v2 is scaled, and v1-removed registers nothing for nginx-dm', async () => {
    const scaled = await deployUnderMocks(exampleStackAt('web-nginx', 'v2-scaled'));
    assert.deepEqual(dependenciesOf(registrationOf(scaled.objects, 'Service', 'nginx-svc'), scaled.objects), ['Deployment/nginx-v2']);
    const removed = await deployUnderMocks(exampleStackAt('web-nginx', 'v1-removed'));
    const names = removed.objects.map((r) => `${String(r.inputs.kind)}/${metadataOf(r).name}`).sort();
    assert.deepEqual(names, ['Deployment/nginx-v2', 'PodDisruptionBudget/nginx-v2', 'Service/nginx-svc']);
  });
});

describe('Services always have endpoints when Pulumi awaits them', () => {
  test('in every stage of every example, every Service the step creates or changes selects at least one pod', async () => {
    const problems: string[] = [];
    for (const { stack, stage } of everyStage()) {
      const deployed = await tryDeploy(stack, stage);
      if (!deployed) {
        problems.push(`${stack}/${stage}: the program refuses the stage, a Service it would create or change selects no pods`);
        continue;
      }
      // Independently of the program's own check: a Service is awaited when it is new or differs
      // from the stage before (the first stage creates every Service).
      const index = deployed.stack.stageIndex;
      // (The previous stage's rendered objects are what Pulumi received for it; see the deep-equal test.)
      const before =
        index === 0 ? [] : renderStackStage(exampleStackAt(stack, deployed.stack.plan.stages[index - 1].name)).files.map((f) => f.object);
      const deployments = deployed.objects.filter((r) => r.inputs.kind === 'Deployment').map((r) => r.inputs.spec as any);
      for (const service of deployed.objects.filter((r) => r.inputs.kind === 'Service')) {
        const previous = before.find((b) => b.kind === 'Service' && b.metadata.name === metadataOf(service).name);
        if (previous && isDeepStrictEqual(previous, service.inputs)) continue;
        const selector = (service.inputs.spec as any).selector as Record<string, string>;
        const pods = deployments
          .filter((spec) => Object.entries(selector).every(([k, v]) => spec.template.metadata.labels[k] === v))
          .reduce((sum, spec) => sum + spec.replicas, 0);
        if (pods < 1) problems.push(`${stack}/${stage}: Service ${metadataOf(service).name} selects ${pods} pods`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('a stage that would create a Service selecting no pods fails before registering anything, naming the file, the stage and the fix', async () => {
    const config = exampleConfig('web-nginx');
    const plan = config['stepwise:plan'] as any;
    plan.stages[0].workloads['nginx-dm'].replicas = 0;
    config['stepwise:stage'] = 'v1-only';
    const stack = stackFromConfig('web-nginx', 'stacks/Pulumi.web-nginx.yaml', config);
    const registrations = await recordRegistrations('web-nginx');
    assert.throws(
      () => deployStack(stack),
      (error: unknown) =>
        error instanceof StepwiseErrors &&
        error.message.startsWith('stacks/Pulumi.web-nginx.yaml: config.stepwise:plan.stages[0]: ') &&
        /Service 'nginx-svc' selects no pods \(name=nginx\) but this update would create it/.test(error.message) &&
        /\(fix: keep at least one replica/.test(error.message),
    );
    assert.equal(registrations.length, 0);
  });

  test('a Service that already exists unchanged may select no pods, since Pulumi does not await it', async () => {
    // Scale nginx-v2 to 0 in v1-removed: the Service is the same as in cutover, so it is not awaited.
    const config = exampleConfig('web-nginx');
    (config['stepwise:plan'] as any).stages[4].workloads['nginx-v2'].replicas = 0;
    config['stepwise:stage'] = 'v1-removed';
    const deployed = await deployUnderMocks(stackFromConfig('web-nginx', 'stacks/Pulumi.web-nginx.yaml', config));
    assert.ok(deployed.objects.some((r) => r.inputs.kind === 'Service'));
  });
});

describe('release outputs', () => {
  test("the widened canary's outputs give the stage, each workload's replicas, image and traffic share, and the Service's selector", async () => {
    const { release } = await deployUnderMocks(exampleStackAt('fop-gate', 'canary-widened'));
    assert.equal(await valueOf(release.stage), 'canary-widened');
    assert.equal(await valueOf(release.fromStage), 'canary');
    // 7 stable + 3 canary pods behind one Service: 70% / 30%.
    assert.deepEqual(await valueOf(release.workloads), {
      'fop-gate': { replicas: 7, image: 'registry.example.com/dora/fop-gate:1.4.0', trafficShare: 0.7 },
      'fop-gate-canary': { replicas: 3, image: 'registry.example.com/dora/fop-gate:1.5.0', trafficShare: 0.3 },
    });
    assert.deepEqual(await valueOf(release.services), {
      'fop-gate': {
        selector: { app: 'fop-gate' },
        endpoints: ['fop-gate', 'fop-gate-canary'],
        readyEndpoints: 10,
        trafficShare: { 'fop-gate': 0.7, 'fop-gate-canary': 0.3 },
      },
    });
  });

  test("after the cutover the Service selects version v2 only and nginx-dm's traffic share is 0", async () => {
    const { release } = await deployUnderMocks(exampleStackAt('web-nginx', 'cutover'));
    const workloads = await valueOf(release.workloads);
    assert.equal(workloads['nginx-dm'].trafficShare, 0);
    assert.equal(workloads['nginx-v2'].trafficShare, 1);
    assert.deepEqual((await valueOf(release.services))['nginx-svc'].selector, { name: 'nginx', version: 'v2' });
  });

  test("with a traffic router a workload's share is the stage's weight, not its share of replicas", async () => {
    // checkout-gateway's canary stage: 6 stable and 2 canary pods, but the HTTPRoute sends 5% to canary.
    const { release } = await deployUnderMocks(exampleStackAt('checkout-gateway', 'canary'));
    const workloads = await valueOf(release.workloads);
    assert.equal(workloads['checkout-canary'].replicas, 2);
    assert.equal(workloads['checkout-canary'].trafficShare, 0.05);
    assert.ok(Math.abs(workloads.checkout.trafficShare - 0.95) < 1e-9, String(workloads.checkout.trafficShare));
  });
});
