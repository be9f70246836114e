import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiObject, Testing } from 'cdk8s';
import { annotateSyncWaves } from '../lib/constructs';
import type { KubeObject } from '../lib/model';
import { StepwiseError } from '../lib/model';
import { routesTraffic } from '../lib/pulumi/apply-order';
import { SYNC_WAVES, TRAFFIC_ROUTING_KINDS } from '../lib/routing';
import { stackFromConfig } from '../lib/stacks';
import { renderStackStage } from '../lib/synth/render-stack';
import { testChart } from './support/charts';
import { exampleConfig, exampleStack } from './support/example-stacks';

const WAVE = 'argocd.argoproj.io/sync-wave';

/** The fop-gate canary pair with `gitops.syncWaves` on, in stage `stage` reached from `fromStage`. */
function fopGateWithWaves(stage: string, fromStage?: string) {
  const config = exampleConfig('fop-gate');
  (config['stepwise:plan'] as any).gitops = { syncWaves: true };
  config['stepwise:stage'] = stage;
  if (fromStage) config['stepwise:fromStage'] = fromStage;
  return stackFromConfig('fop-gate', 'stacks/Pulumi.fop-gate.yaml', config);
}

function waves(objects: readonly KubeObject[]): Record<string, number> {
  return Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.name}`, Number(o.metadata.annotations?.[WAVE])]));
}

function rendered(stack: ReturnType<typeof fopGateWithWaves>): KubeObject[] {
  return renderStackStage(stack).files.map((f) => f.object);
}

describe('gitops sync waves', () => {
  test('scale-up before the Service, scale-down after it: canary 1 → 3 in wave 0, Service in 1, stable 9 → 7 in 2', () => {
    const w = waves(rendered(fopGateWithWaves('canary-widened')));
    assert.ok(w['Deployment/fop-gate-canary'] < w['Service/fop-gate'], JSON.stringify(w));
    assert.ok(w['Service/fop-gate'] < w['Deployment/fop-gate'], JSON.stringify(w));
    assert.deepEqual(w, {
      'Deployment/fop-gate': 2,
      'Deployment/fop-gate-canary': 0,
      'PodDisruptionBudget/fop-gate': 2,
      'PodDisruptionBudget/fop-gate-canary': 0,
      'Service/fop-gate': 1,
    });
  });

  test("a rollback reads the stack's fromStage: canary-widened → canary scales the canary down last", () => {
    const w = waves(rendered(fopGateWithWaves('canary', 'canary-widened')));
    assert.equal(w['Deployment/fop-gate'], 0, 'stable 7 → 9 is made first');
    assert.equal(w['Service/fop-gate'], 1);
    assert.equal(w['Deployment/fop-gate-canary'], 2, 'canary 3 → 1 is broken last');
  });

  test('a scale-down that also changes the image syncs in the break wave: stable rolled back from stable to canary-widened', () => {
    const w = waves(rendered(fopGateWithWaves('canary-widened', 'stable')));
    assert.equal(w['Deployment/fop-gate-canary'], 0, 'canary 1 → 3 is made first');
    assert.equal(w['Service/fop-gate'], 1);
    assert.equal(w['Deployment/fop-gate'], 2, 'stable 9 → 7 and back to 1.4.0 waits for the canary');
  });

  test('router objects sync between the make and the break waves (search-nginx: stable-updated → done)', () => {
    const stack = exampleStack('search-nginx');
    const w = waves(renderStackStage(stack, 'done').files.map((f) => f.object));
    assert.equal(w['Deployment/search'], 0);
    for (const routed of ['Service/search', 'Service/search-stable', 'Service/search-canary', 'Ingress/search', 'Ingress/search-canary']) {
      assert.equal(w[routed], 1, routed);
    }
    assert.equal(w['Deployment/search-canary'], 2, 'the canary scales to 0 only after the weight is back on stable');
  });

  test('every object of every stage of the gitops example carries a wave, make < route < break', () => {
    const stack = exampleStack('search-nginx');
    for (const stage of stack.plan.stages) {
      for (const object of renderStackStage(stack, stage.name).files.map((f) => f.object)) {
        const wave = object.metadata.annotations?.[WAVE];
        assert.ok(wave === '0' || wave === '1' || wave === '2', `${stage.name} ${object.kind}/${object.metadata.name}: ${wave}`);
        assert.equal(wave === '1', !['Deployment', 'PodDisruptionBudget'].includes(object.kind), `${object.kind} ${wave}`);
      }
    }
  });

  test('Deployments and PodDisruptionBudgets are pruned last, and pod templates are not touched', () => {
    for (const object of rendered(fopGateWithWaves('canary-widened'))) {
      const options = object.metadata.annotations?.['argocd.argoproj.io/sync-options'];
      if (object.kind === 'Deployment' || object.kind === 'PodDisruptionBudget') assert.equal(options, 'PruneLast=true');
      else assert.equal(options, undefined);
      if (object.kind === 'Deployment') {
        const template = (object.spec as any).template.metadata;
        assert.equal(JSON.stringify(template).includes('argocd'), false, 'a pod template annotation would roll the pods');
      }
    }
  });
});

describe('sync waves of every kind', () => {
  const fopGateWaves = { 'fop-gate': SYNC_WAVES.break, 'fop-gate-canary': SYNC_WAVES.make };

  test('every traffic routing kind syncs in the route wave and is applied in the switch phase by pulumi up', () => {
    const chart = testChart();
    for (const kind of TRAFFIC_ROUTING_KINDS) new ApiObject(chart, kind, { apiVersion: 'v1', kind, metadata: { name: 'x' } });
    annotateSyncWaves(chart, fopGateWaves);
    for (const object of Testing.synth(chart)) {
      assert.equal(object.metadata.annotations[WAVE], String(SYNC_WAVES.route), object.kind);
      assert.equal(routesTraffic(object), true, object.kind);
    }
  });

  test('an object of a kind with no wave is a StepwiseError naming the kind and the fix, not a plain Error', () => {
    const chart = testChart();
    new ApiObject(chart, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
    assert.throws(
      () => annotateSyncWaves(chart, fopGateWaves),
      (error: unknown) =>
        error instanceof StepwiseError &&
        error.keyPath === 'syncWaves' &&
        /ConfigMap 'settings' has no sync wave/.test(error.problem) &&
        /TRAFFIC_ROUTING_KINDS/.test(error.fix ?? ''),
    );
  });

  test('a Deployment that is not a workload of the stage is a StepwiseError', () => {
    const chart = testChart();
    new ApiObject(chart, 'stray', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'stray' } });
    assert.throws(
      () => annotateSyncWaves(chart, fopGateWaves),
      (error: unknown) => error instanceof StepwiseError && /Deployment 'stray' .* not one of its workloads/.test(error.problem),
    );
  });
});
