import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { KubeObject } from '../lib/model';
import { StepwiseError, labelsMatch } from '../lib/model';
import { isWeighted, routerObjects, trackService, type WeightedRouting } from '../lib/routing';
import { renderStackStage } from '../lib/synth/render-stack';
import { validateObject } from '../lib/synth/schema-validation';
import { toYamlStream } from '../lib/synth/yaml-emitter';
import { ROOT, exampleStack } from './support/example-stacks';

/** The example stacks of each router, and each one's canary weight per stage as its stack file writes it. */
const ROUTED = {
  'checkout-gateway': { router: 'gateway-api', canaryWeights: [0, 5, 25, 50, 100, 100, 0] },
  'search-nginx': { router: 'ingress-nginx', canaryWeights: [0, 10, 20, 30, 100, 100, 0] },
  'ledger-linkerd': { router: 'smi', canaryWeights: [0, 1, 20, 100, 100, 0] },
} as const;
type RoutedStack = keyof typeof ROUTED;

function objectsOf(stack: string, stage: string): KubeObject[] {
  return renderStackStage(exampleStack(stack), stage).files.map((f) => f.object);
}

function find(objects: KubeObject[], kind: string, name: string): any {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `no ${kind}/${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

function stagesOf(stack: string): string[] {
  return exampleStack(stack).plan.stages.map((s) => s.name);
}

describe('gateway-api router (checkout-gateway)', () => {
  test('every stage renders the plan Service, a Service per track and one HTTPRoute, after the Deployments', () => {
    for (const stage of stagesOf('checkout-gateway')) {
      const kinds = objectsOf('checkout-gateway', stage).map((o) => `${o.kind}/${o.metadata.name}`);
      assert.deepEqual(
        kinds.filter((k) => !k.startsWith('Deployment/') && !k.startsWith('PodDisruptionBudget/')),
        ['Service/checkout', 'Service/checkout-stable', 'Service/checkout-canary', 'HTTPRoute/checkout'],
        stage,
      );
      const lastWorkloadObject = Math.max(...kinds.map((k, i) => (/^(Deployment|PodDisruptionBudget)\//.test(k) ? i : -1)));
      assert.ok(lastWorkloadObject < kinds.indexOf('Service/checkout'), `${stage}: ${kinds.join(' ')}`);
    }
  });

  test('the HTTPRoute attaches to the Gateway from the traffic section and sends the stage weight to each track Service', () => {
    const route = find(objectsOf('checkout-gateway', 'canary'), 'HTTPRoute', 'checkout');
    assert.equal(route.apiVersion, 'gateway.networking.k8s.io/v1');
    assert.deepEqual(route.spec.parentRefs, [{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }]);
    assert.deepEqual(route.spec.hostnames, ['checkout.example.com']);
    assert.deepEqual(route.spec.rules, [
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [
          { name: 'checkout-stable', port: 80, weight: 95 },
          { name: 'checkout-canary', port: 80, weight: 5 },
        ],
      },
    ]);
  });
});

describe('ingress-nginx router (search-nginx)', () => {
  test('a main Ingress sends the host to the stable track Service, with no canary annotations', () => {
    const main = find(objectsOf('search-nginx', 'canary'), 'Ingress', 'search');
    assert.equal(main.metadata.annotations['nginx.ingress.kubernetes.io/canary'], undefined);
    assert.equal(main.spec.ingressClassName, 'nginx');
    assert.deepEqual(main.spec.rules, [
      {
        host: 'search.example.com',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'search-stable', port: { number: 80 } } } }] },
      },
    ]);
  });

  test('the canary Ingress beside it carries canary "true", the stage weight and the header', () => {
    const canary = find(objectsOf('search-nginx', 'canary-20'), 'Ingress', 'search-canary');
    assert.equal(canary.metadata.annotations['nginx.ingress.kubernetes.io/canary'], 'true');
    assert.equal(canary.metadata.annotations['nginx.ingress.kubernetes.io/canary-weight'], '20');
    assert.equal(canary.metadata.annotations['nginx.ingress.kubernetes.io/canary-by-header'], 'X-Canary');
    assert.equal(canary.spec.rules[0].host, 'search.example.com');
    assert.equal(canary.spec.rules[0].http.paths[0].backend.service.name, 'search-canary');
  });
});

describe('smi router (ledger-linkerd)', () => {
  test('a TrafficSplit keeps the plan Service as the apex and weighs the per-track Services', () => {
    const split = find(objectsOf('ledger-linkerd', 'canary'), 'TrafficSplit', 'ledger');
    assert.equal(split.apiVersion, 'split.smi-spec.io/v1alpha2');
    assert.deepEqual(split.spec, {
      service: 'ledger',
      backends: [
        { service: 'ledger-stable', weight: 99 },
        { service: 'ledger-canary', weight: 1 },
      ],
    });
  });
});

/** The canary track's weight in a stage's router object, read the way the router reads it. */
function renderedCanaryWeight(stack: RoutedStack, objects: KubeObject[]): number {
  const service = stack.split('-')[0];
  switch (ROUTED[stack].router) {
    case 'gateway-api':
      return find(objects, 'HTTPRoute', service).spec.rules[0].backendRefs.find((b: any) => b.name === `${service}-canary`).weight;
    case 'ingress-nginx':
      return Number(find(objects, 'Ingress', `${service}-canary`).metadata.annotations['nginx.ingress.kubernetes.io/canary-weight']);
    case 'smi':
      return find(objects, 'TrafficSplit', service).spec.backends.find((b: any) => b.service === `${service}-canary`).weight;
  }
}

describe('every router', () => {
  for (const stack of Object.keys(ROUTED) as RoutedStack[]) {
    test(`${stack}: each stage renders the canary weight its stack file gives (the rest to stable)`, () => {
      const weights = stagesOf(stack).map((stage) => renderedCanaryWeight(stack, objectsOf(stack, stage)));
      assert.deepEqual(weights, ROUTED[stack].canaryWeights);
    });

    test(`${stack}: the routing objects keep their names and specs across stages, only the weights change`, () => {
      const shapes = stagesOf(stack).map((stage) =>
        objectsOf(stack, stage)
          .filter((o) => o.kind !== 'Deployment' && o.kind !== 'PodDisruptionBudget')
          .map((o) => JSON.stringify(o).replace(/"weight":\d+|canary-weight":"\d+"|sync-wave":"\d+"/g, 'W')),
      );
      for (const shape of shapes.slice(1)) assert.deepEqual(shape, shapes[0]);
    });

    test(`${stack}: each track Service selects exactly its track's Deployment, and no plan Service is renamed`, () => {
      for (const stage of stagesOf(stack)) {
        const objects = objectsOf(stack, stage);
        const deployments = objects.filter((o) => o.kind === 'Deployment') as any[];
        for (const track of ['stable', 'canary']) {
          const service = objects.find((o) => o.kind === 'Service' && o.metadata.name.endsWith(`-${track}`)) as any;
          const selected = deployments.filter((d) => labelsMatch(service.spec.selector, d.spec.template.metadata.labels));
          assert.deepEqual(
            selected.map((d) => d.spec.template.metadata.labels.track),
            selected.length ? [track] : [],
            `${stage} ${service.metadata.name}`,
          );
          assert.equal(service.spec.type, 'ClusterIP');
        }
        const planServices = exampleStack(stack).plan.services.map((s) => s.name);
        for (const name of planServices) find(objects, 'Service', name);
      }
    });

    test(`${stack}: every rendered object passes its published schema`, () => {
      let routed = 0;
      for (const stage of stagesOf(stack)) {
        for (const object of objectsOf(stack, stage)) {
          validateObject(object, stack);
          if (['Ingress', 'HTTPRoute', 'TrafficSplit'].includes(object.kind)) routed++;
        }
      }
      assert.ok(routed >= stagesOf(stack).length, `only ${routed} router objects`);
    });
  }
});

describe('schema validation of router objects', () => {
  test('an HTTPRoute with a weight that is not a number is rejected', () => {
    const route = structuredClone(find(objectsOf('checkout-gateway', 'canary'), 'HTTPRoute', 'checkout'));
    route.spec.rules[0].backendRefs[0].weight = '95';
    assert.throws(
      () => validateObject(route, 'test'),
      /HTTPRoute\/checkout \/spec\/rules\/0\/backendRefs\/0\/weight: violates the Kubernetes schema/,
    );
  });

  test('a TrafficSplit backend without a weight, or with a field the CRD does not know, is rejected', () => {
    const split = structuredClone(find(objectsOf('ledger-linkerd', 'canary'), 'TrafficSplit', 'ledger'));
    delete split.spec.backends[1].weight;
    assert.throws(
      () => validateObject(split, 'test'),
      /TrafficSplit\/ledger \/spec\/backends\/1: violates the Kubernetes schema: must have required property 'weight'/,
    );
    const extra = structuredClone(find(objectsOf('ledger-linkerd', 'canary'), 'TrafficSplit', 'ledger'));
    extra.spec.backend = 'typo';
    assert.throws(() => validateObject(extra, 'test'), /must NOT have additional properties/);
  });

  test('an Ingress whose backend port is a string is rejected', () => {
    const ingress = structuredClone(find(objectsOf('search-nginx', 'canary'), 'Ingress', 'search-canary'));
    ingress.spec.rules[0].http.paths[0].backend.service.port.number = '80';
    assert.throws(() => validateObject(ingress, 'test'), /Ingress\/search-canary/);
  });
});

/**
 * sha256 of every stage of the three stacks that existed before traffic routing, rendered by the
 * code before it (commit c339239, `renderStackStage` of each stage, `toYamlStream` of its objects).
 * Plans without `traffic` and `gitops` must render byte for byte as they did, apart from the
 * Deployments' `kubernetes.io/change-cause` annotation (issue #11), which is taken out first.
 */
const BEFORE_ROUTING: Record<string, Record<string, string>> = {
  'fop-gate': {
    baseline: '6ee021e6ed644a28098da0e0e584fef6a09141783df40e6bf6137cdb5d53349e',
    canary: 'eddaa94e044c86f680e2c4f0f0900ca6ac8f3b618d0132555e1e9fe6b72c7fbe',
    'canary-widened': 'c5928929ce7fd7c08764f0a09b8e54b4d7b3edcf2f59cf5db39ed3da41cd9f84',
    stable: '729cfd886831e31f85a54d2d6452ecc5acc966df9ab90dbee734814a3086f890',
  },
  'trade-aone': {
    baseline: 'a5f6d774576ef2bde258a94f7a28fc987d1d43fe12eb81d8769a8ba9187bc4f8',
    gray: 'd834173714ee1b19cf7e894bd2faaf8059992a5bdec4cbbec23d5b615df647a4',
    'batch-2': '249707c3286d285b0c25ec71235fbd80d162b2ae1ecf76f9ef36b18c9f7dfc25',
    'batch-3': '937de48ac59e8813c43d3be8b78688f45fdbe7d40aada0c8ad5a50e74529cc9d',
    'batch-4': 'a0942fb1401282ea056f5ade3ccd07ff5052c52e51a40a3209fe44d5f32e854e',
    'batch-5': 'a6b203d7cb9045c495ecf4287d9e377005876100f38417440b0811f39958ce2e',
  },
  'web-nginx': {
    'v1-only': '2227790fcfd8ee98fd5a3889deb5ee5d1b746ac7bb1cb18499c20dfd93daa7c5',
    'v2-canary': 'cc6f9a51e9ea8e90a74c9b536eecf99fa768d86f4535adfd956039445caf1585',
    'v2-scaled': 'e9aff0481f2aa3f1b693b689c53272310e4abddc12c2b117ba64f89951a860d1',
    cutover: '0fde699d973c62cc34dd843f0cef10191a6204196c4e580152ed23b7bd1f5ed8',
    'v1-removed': '7524c9315317eddd4e4307ea22eb0c631c2b0a823e446b0d57dbaa7c3fe5ff4a',
  },
};

/** `object` without the change-cause annotation stepwise added after these hashes were taken. */
function withoutChangeCause(object: KubeObject): KubeObject {
  const annotations = { ...object.metadata.annotations };
  delete annotations['kubernetes.io/change-cause'];
  const { annotations: _, ...metadata } = object.metadata;
  return { ...object, metadata: Object.keys(annotations).length > 0 ? { ...metadata, annotations } : metadata };
}

describe('plans without traffic or gitops', () => {
  test('render every stage byte for byte as before traffic routing existed', () => {
    for (const [stack, stages] of Object.entries(BEFORE_ROUTING)) {
      assert.deepEqual(stagesOf(stack), Object.keys(stages));
      for (const [stage, hash] of Object.entries(stages)) {
        const yaml = toYamlStream(objectsOf(stack, stage).map(withoutChangeCause));
        assert.equal(createHash('sha256').update(yaml).digest('hex'), hash, `${stack} ${stage}`);
      }
    }
  });

  test('render no router objects and no Argo CD annotations', () => {
    for (const stack of Object.keys(BEFORE_ROUTING)) {
      for (const stage of stagesOf(stack)) {
        for (const object of objectsOf(stack, stage)) {
          assert.ok(['Deployment', 'PodDisruptionBudget', 'Service'].includes(object.kind), `${stack} ${stage} ${object.kind}`);
          assert.ok(!JSON.stringify(object).includes('argocd.argoproj.io'), `${stack} ${stage} ${object.kind}`);
        }
      }
    }
  });
});

describe('the routing module', () => {
  test('lib/routing imports neither cdk8s nor the constructs: the dependency points from constructs to routing only', () => {
    const dir = path.join(ROOT, 'lib', 'routing');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const imports = [...fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/^import[^;]*?from '([^']+)'/gms)].map((m) => m[1]);
      for (const imported of imports) {
        assert.ok(!/^(cdk8s|cdk8s-plus-27|constructs)$|\/constructs(\/|$)/.test(imported), `${file} imports ${imported}`);
      }
    }
  });

  test('a track Service counts the stage replicas of the workloads carrying its track label', () => {
    const plan = exampleStack('search-nginx').plan;
    const parsed = plan.traffic;
    assert.ok(isWeighted(parsed));
    const routing: WeightedRouting = parsed;
    plan.stages.forEach((stage, i) => {
      for (const track of routing.tracks) {
        const counted = trackService(plan, routing, track, i);
        const members = plan.workloads.filter((w) => w.labels[routing.trackLabel] === track.name && stage.workloads[w.name] !== undefined);
        const replicas = members.reduce((sum, w) => sum + stage.workloads[w.name].replicas, 0);
        assert.deepEqual(
          counted.endpoints,
          members.map((w) => w.name),
          `${stage.name} ${track.name}`,
        );
        assert.equal(counted.readyEndpoints, replicas, `${stage.name} ${track.name}`);
        const shares = replicas === 0 ? {} : Object.fromEntries(members.map((w) => [w.name, stage.workloads[w.name].replicas / replicas]));
        assert.deepEqual(counted.traffic, shares, `${stage.name} ${track.name}`);
      }
    });
  });

  test('a weighted routing built without its router settings is a StepwiseError, not a plain Error', () => {
    for (const [stack, settings] of [
      ['search-nginx', 'ingressNginx'],
      ['checkout-gateway', 'gatewayApi'],
    ] as const) {
      const plan = exampleStack(stack).plan;
      const routing = plan.traffic as WeightedRouting;
      const { [settings]: _dropped, ...bare } = routing;
      assert.throws(
        () => routerObjects(plan, bare, 0, {}),
        (error: unknown) =>
          error instanceof StepwiseError &&
          error.keyPath === 'traffic' &&
          /without its settings/.test(error.problem) &&
          /parsePlan/.test(error.fix ?? ''),
        stack,
      );
    }
  });
});
