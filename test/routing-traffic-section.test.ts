import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlan, stepwiseErrorsOf, type StepwiseError, type WeightedRouting } from '../lib/model';
import { stackFromConfig } from '../lib/stacks';
import { exampleConfig, examplePlanData, exampleStack } from './support/example-stacks';

/** The problems parsing the traffic section of `data` reports (none when it parses). */
function trafficProblems(data: Record<string, any>): StepwiseError[] {
  try {
    parsePlan(data);
    return [];
  } catch (error) {
    const found = stepwiseErrorsOf(error);
    if (found.length === 0) throw error;
    return found;
  }
}

/** Asserts exactly one problem, at `keyPath`, whose message and fix match. */
function assertOneProblem(problems: StepwiseError[], keyPath: string, problem: RegExp, fix: RegExp): void {
  assert.equal(problems.length, 1, problems.map((p) => p.message).join('\n'));
  assert.equal(problems[0].keyPath, keyPath);
  assert.match(problems[0].problem, problem);
  assert.match(problems[0].fix ?? '', fix);
}

describe('the traffic section', () => {
  test('a plan without one routes by replicas', () => {
    assert.deepEqual(exampleStack('fop-gate').plan.traffic, { router: 'replicas' });
  });

  test('the gateway-api example parses into two tracks with their Services and a weight per stage', () => {
    const routing = exampleStack('checkout-gateway').plan.traffic;
    assert.equal(routing.router, 'gateway-api');
    if (routing.router !== 'gateway-api') return;
    assert.deepEqual(
      routing.tracks.map((t) => [t.name, t.workloads, t.serviceName]),
      [
        ['stable', ['checkout'], 'checkout-stable'],
        ['canary', ['checkout-canary'], 'checkout-canary'],
      ],
    );
    assert.deepEqual(routing.stageWeights[1], { stable: 95, canary: 5 });
    assert.deepEqual(routing.stageWeights[0], { stable: 100, canary: 0 }, 'a stage without weights sends everything to stable');
  });

  test('a misspelt router is rejected with the choices', () => {
    const data = examplePlanData('checkout-gateway');
    data.traffic.router = 'gateway';
    assertOneProblem(trafficProblems(data), 'traffic.router', /must be one of replicas, gateway-api, ingress-nginx, smi/, /gateway-api/);
  });

  test('a stage weight above 100 is rejected at its key path', () => {
    const data = examplePlanData('checkout-gateway');
    data.stages[1].traffic = { canary: 150 };
    assertOneProblem(trafficProblems(data), 'stages[1].traffic.canary', /whole percent from 0 to 100, got 150/, /e\.g\. 5/);
  });

  test('a fractional or negative weight is rejected', () => {
    for (const weight of [2.5, -1, '5']) {
      const data = examplePlanData('checkout-gateway');
      data.stages[1].traffic = { canary: weight };
      assertOneProblem(trafficProblems(data), 'stages[1].traffic.canary', /whole percent/, /e\.g\./);
    }
  });

  test('a weight for a track that does not exist is rejected with the tracks there are', () => {
    const data = examplePlanData('checkout-gateway');
    data.stages[2].traffic = { canray: 25 };
    assertOneProblem(trafficProblems(data), 'stages[2].traffic.canray', /'canray' is not a track/, /use one of: stable, canary/);
  });

  test('weights that name the stable track must add up to 100', () => {
    const data = examplePlanData('checkout-gateway');
    data.stages[1].traffic = { stable: 50, canary: 60 };
    assertOneProblem(trafficProblems(data), 'stages[1].traffic', /add up to 110%/, /add up to 100/);
  });

  test('the gateway-api router needs parentRefs', () => {
    const data = examplePlanData('checkout-gateway');
    delete data.traffic.parentRefs;
    assertOneProblem(trafficProblems(data), 'traffic.parentRefs', /is missing/, /parentRefs: \[\{ name: public/);
  });

  test('a setting of another router is rejected and the router it belongs to is named', () => {
    const data = examplePlanData('checkout-gateway');
    data.traffic.canaryByHeader = 'X-Canary';
    assertOneProblem(
      trafficProblems(data),
      'traffic.canaryByHeader',
      /only applies to router ingress-nginx, not gateway-api/,
      /router: ingress-nginx/,
    );
  });

  test('a plan Service named like a per-track Service is rejected', () => {
    const data = examplePlanData('checkout-gateway');
    data.services['checkout-canary'] = { selector: { app: 'checkout', track: 'canary' }, ports: [{ port: 80, targetPort: 8080 }] };
    data.traffic.service = 'checkout';
    assertOneProblem(trafficProblems(data), 'services.checkout-canary', /per-track Service of track 'canary'/, /rename/);
  });

  test('a routed workload without the track label is rejected', () => {
    const data = examplePlanData('checkout-gateway');
    data.workloads['checkout-canary'].labels = { app: 'checkout', flavour: 'canary' };
    data.workloads['checkout-canary'].selector = { app: 'checkout', flavour: 'canary' };
    const problems = trafficProblems(data);
    assert.equal(problems[0].keyPath, 'workloads.checkout-canary.labels');
    assert.match(problems[0].problem, /has no 'track' label/);
    assert.match(problems[0].fix ?? '', /traffic\.trackLabel/);
  });

  test('ingress-nginx refuses more than two tracks', () => {
    const data = examplePlanData('search-nginx');
    data.workloads['search-shadow'] = { labels: { app: 'search', track: 'shadow' } };
    assertOneProblem(trafficProblems(data), 'traffic.router', /two tracks .* got 3: stable, canary, shadow/, /gateway-api or smi/);
  });

  test('gateway-api refuses more than 16 tracks: an HTTPRoute rule holds at most 16 backendRefs, one per track', () => {
    const data = examplePlanData('checkout-gateway');
    for (let i = 1; i <= 14; i++) data.workloads[`checkout-shadow${i}`] = { labels: { app: 'checkout', track: `shadow${i}` } };
    assert.deepEqual(trafficProblems(data), [], '16 tracks fit');
    data.workloads['checkout-shadow15'] = { labels: { app: 'checkout', track: 'shadow15' } };
    assertOneProblem(
      trafficProblems(data),
      'traffic.trackLabel',
      /form 17 tracks, and an HTTPRoute rule holds at most 16 backendRefs/,
      /at most 16 distinct track values/,
    );
  });

  test('gateway-api waits for the route to be accepted unless traffic.waitForAccepted is false', () => {
    const routing = (data: Record<string, any>) => parsePlan(data).traffic as WeightedRouting;
    const data = examplePlanData('checkout-gateway');
    assert.equal(routing(data).gatewayApi?.waitForAccepted, true);
    data.traffic.waitForAccepted = false;
    assert.equal(routing(data).gatewayApi?.waitForAccepted, false);
  });

  test('a traffic.waitForAccepted that is not a boolean, or on another router, is rejected', () => {
    const data = examplePlanData('checkout-gateway');
    data.traffic.waitForAccepted = 'no';
    assert.deepEqual(
      trafficProblems(data).map((p) => p.keyPath),
      ['traffic.waitForAccepted'],
    );
    const smi = examplePlanData('ledger-linkerd');
    smi.traffic.waitForAccepted = true;
    assertOneProblem(trafficProblems(smi), 'traffic.waitForAccepted', /only applies to router gateway-api, not smi/, /remove it/);
  });

  test('stage weights in a plan routed by replicas are rejected', () => {
    const data = examplePlanData('fop-gate');
    data.stages[1].traffic = { canary: 5 };
    assertOneProblem(trafficProblems(data), 'stages[1].traffic', /routes by replicas/, /set traffic\.router/);
  });

  test('the stack loader reports traffic problems under the stack file and config key', () => {
    const config = exampleConfig('checkout-gateway');
    (config['stepwise:plan'] as any).stages[1].traffic = { canary: 101 };
    assert.throws(
      () => stackFromConfig('checkout-gateway', 'stacks/Pulumi.checkout-gateway.yaml', config),
      (error: unknown) => {
        const [problem] = stepwiseErrorsOf(error);
        assert.equal(problem.file, 'stacks/Pulumi.checkout-gateway.yaml');
        assert.equal(problem.keyPath, 'config.stepwise:plan.stages[1].traffic.canary');
        return true;
      },
    );
  });
});

describe('traffic keys and names that are not what they seem', () => {
  test('a key no router knows is reported once, as an unknown key', () => {
    const data = examplePlanData('ledger-linkerd');
    data.traffic.extra = 1;
    assertOneProblem(trafficProblems(data), 'traffic.extra', /^is not a known key$/, /use one of: router, /);
  });

  test('a key no router knows is reported once when the plan routes by replicas too', () => {
    const data = examplePlanData('fop-gate');
    data.traffic = { router: 'replicas', extra: 1 };
    assertOneProblem(trafficProblems(data), 'traffic.extra', /^is not a known key$/, /use one of: router, /);
  });

  test('a setting of a weighted router in a plan routed by replicas is still reported', () => {
    const data = examplePlanData('fop-gate');
    data.traffic = { router: 'replicas', host: 'shop.example.com' };
    assertOneProblem(trafficProblems(data), 'traffic.host', /only applies to a weighted router/, /set router: gateway-api/);
  });

  test('a stable track named constructor gets the rest of the weight when a stage leaves it out', () => {
    const data = examplePlanData('checkout-gateway');
    data.workloads.checkout.labels = { app: 'checkout', track: 'constructor' };
    data.traffic.stableTrack = 'constructor';
    const routing = parsePlan(data).traffic;
    assert.ok(routing.router === 'gateway-api');
    assert.deepEqual(routing.stageWeights[1], { constructor: 95, canary: 5 });
  });

  test('a track label named constructor that a routed workload lacks is reported as missing', () => {
    const data = examplePlanData('checkout-gateway');
    data.workloads['checkout-canary'].labels = { app: 'checkout', constructor: 'canary' };
    data.traffic.trackLabel = 'constructor';
    data.traffic.stableTrack = 'canary';
    const problems = trafficProblems(data);
    assert.equal(problems[0]?.keyPath, 'workloads.checkout.labels', problems.map((p) => p.message).join('\n'));
    assert.match(problems[0].problem, /has no 'constructor' label/);
  });
});

describe('the gitops section', () => {
  test('syncWaves is off unless set', () => {
    assert.deepEqual(exampleStack('checkout-gateway').plan.gitops, { syncWaves: false });
    assert.deepEqual(exampleStack('search-nginx').plan.gitops, { syncWaves: true });
  });

  test('a syncWaves that is not a boolean is rejected', () => {
    const data = examplePlanData('search-nginx');
    data.gitops.syncWaves = 'yes';
    assert.throws(
      () => parsePlan(data),
      (error: unknown) => {
        const [problem] = stepwiseErrorsOf(error);
        assert.equal(problem.keyPath, 'gitops.syncWaves');
        assert.match(problem.problem, /must be true or false/);
        return true;
      },
    );
  });
});
