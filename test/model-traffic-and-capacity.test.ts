import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  allStageStates,
  consecutiveTransitions,
  parsePlan,
  podBounds,
  runningWorkloads,
  serviceInStage,
  stageState,
  StepwiseError,
  trafficByImage,
  transition,
  trafficByWorkload,
  workloadTransition,
  type Plan,
  type Transition,
} from '../lib/model';
import { exampleStack, examplePlanData } from './support/example-stacks';

function stateOf(plan: Plan, stage: string) {
  return stageState(
    plan,
    plan.stages.findIndex((s) => s.name === stage),
  );
}

function transitionOf(plan: Plan, from: string, to: string): Transition {
  return transition(plan, stateOf(plan, from), stateOf(plan, to).index);
}

describe('endpoints and traffic share per stage', () => {
  const fop = exampleStack('fop-gate').plan;
  const web = exampleStack('web-nginx').plan;
  const trade = exampleStack('trade-aone').plan;

  test('the canary pair splits traffic by ready replicas: 1 of 10, then 3 of 10', () => {
    assert.deepEqual(trafficByWorkload(stateOf(fop, 'canary')), { 'fop-gate': 0.9, 'fop-gate-canary': 0.1 });
    assert.deepEqual(trafficByWorkload(stateOf(fop, 'canary-widened')), { 'fop-gate': 0.7, 'fop-gate-canary': 0.3 });
  });

  test('one Service selects both tracks of the canary pair', () => {
    const service = stateOf(fop, 'baseline').services[0];
    assert.deepEqual(service.endpoints, ['fop-gate', 'fop-gate-canary']);
    assert.equal(service.readyEndpoints, 10);
  });

  test('the v2 canary of the cutover gets 1/7 of requests', () => {
    const traffic = trafficByWorkload(stateOf(web, 'v2-canary'));
    assert.equal(traffic['nginx-v2'], 1 / 7);
    assert.equal(traffic['nginx-dm'], 6 / 7);
  });

  test('after the cutover the Service selects only v2, though v1 still runs', () => {
    const service = stateOf(web, 'cutover').services[0];
    assert.deepEqual(service.endpoints, ['nginx-v2']);
    assert.deepEqual(trafficByWorkload(stateOf(web, 'cutover')), { 'nginx-dm': 0, 'nginx-v2': 1 });
  });

  test('a removed workload is no endpoint', () => {
    assert.deepEqual(
      stateOf(web, 'v1-removed').workloads.map((w) => w.workload.name),
      ['nginx-v2'],
    );
  });

  test('the gray batch takes 1/17 of requests and each main batch 4/17', () => {
    const traffic = trafficByWorkload(stateOf(trade, 'gray'));
    assert.equal(traffic['trade-aone-1'], 1 / 17);
    assert.equal(traffic['trade-aone-5'], 4 / 17);
  });

  test('the share on the new image grows batch by batch: 1/17, 5/17, 9/17, 13/17, all', () => {
    const onNew = (stage: string) => trafficByImage(stateOf(trade, stage))['registry.example.com/trade/trade-aone:2024.06.0'] ?? 0;
    assert.deepEqual(
      ['baseline', 'gray', 'batch-2', 'batch-3', 'batch-4', 'batch-5'].map((s) => Math.round(onNew(s) * 17)),
      [0, 1, 5, 9, 13, 17],
    );
  });

  test('a Service with no ready endpoints has no traffic shares', () => {
    const data = examplePlanData('fop-gate');
    data.stages[0].workloads['fop-gate'].replicas = 0;
    data.stages[0].workloads['fop-gate-canary'].replicas = 0;
    const service = stageState(parsePlan(data), 0).services[0];
    assert.equal(service.readyEndpoints, 0);
    assert.deepEqual(service.traffic, {});
  });
});

describe('capacity during a transition (make-before-break)', () => {
  const fop = exampleStack('fop-gate').plan;
  const web = exampleStack('web-nginx').plan;

  test('a canary image change with maxSurge 1 / maxUnavailable 0 adds one pod and loses none', () => {
    const t = transitionOf(fop, 'baseline', 'canary');
    const canary = t.workloads.find((w) => w.name === 'fop-gate-canary');
    assert.deepEqual([canary?.change, canary?.rollsOut, canary?.phase], ['update', true, 'make']);
    assert.equal(canary?.peakPods, 2);
    assert.equal(canary?.minAvailable, 1);
    assert.equal(t.peakPods, 11);
    assert.equal(t.minAvailablePods, 10);
    assert.equal(t.services[0].minReadyEndpoints, 10);
  });

  test('widening the canary scales it up before stable scales down', () => {
    const t = transitionOf(fop, 'canary', 'canary-widened');
    const byName = Object.fromEntries(t.workloads.map((w) => [w.name, w]));
    assert.deepEqual([byName['fop-gate-canary'].change, byName['fop-gate-canary'].phase], ['scale-up', 'make']);
    assert.deepEqual([byName['fop-gate'].change, byName['fop-gate'].phase], ['scale-down', 'break']);
    // make: 9 stable + 1..3 canary; break: 3 canary + 9..7 stable — never below 10 ready.
    assert.equal(t.services[0].minReadyEndpoints, 10);
    assert.equal(t.peakPods, 12);
    assert.equal(t.services[0].capacityFloor, 10);
  });

  test('the stable image change rolls 7 → 9 pods with one surge pod while the canary shrinks afterwards', () => {
    const t = transitionOf(fop, 'canary-widened', 'stable');
    const stable = t.workloads.find((w) => w.name === 'fop-gate');
    assert.deepEqual([stable?.change, stable?.rollsOut, stable?.peakPods, stable?.minAvailable], ['scale-up', true, 10, 7]);
    assert.equal(t.services[0].minReadyEndpoints, 10);
  });

  test('the safe cutover switches the selector only when v2 already has 6 ready pods', () => {
    const t = transitionOf(web, 'v2-scaled', 'cutover');
    const service = t.services[0];
    assert.equal(service.selectorChanges, true);
    assert.equal(service.endpointsBefore, 12);
    assert.equal(service.endpointsAfter, 6);
    assert.equal(service.minReadyEndpoints, 6);
  });

  test('the naive cutover (7 endpoints → 1) falls far below the capacity floor', () => {
    const t = transitionOf(web, 'v2-canary', 'cutover');
    const service = t.services[0];
    // Scaling v2 1 → 6 is awaited first, so even this jump keeps 6; the naive order is cutover with v2 still at 1:
    assert.equal(service.minReadyEndpoints, 6);
    const data = examplePlanData('web-nginx');
    data.stages[3].workloads['nginx-v2'].replicas = 1;
    const naive = parsePlan(data);
    const n = transitionOf(naive, 'v2-canary', 'cutover').services[0];
    assert.equal(n.endpointsBefore, 7);
    assert.equal(n.minReadyEndpoints, 1);
    assert.equal(n.minDuring, 'switch');
    // The floor is the baseline (v1-only: 6 pods, maxUnavailable 0), not the 7 of the stage before.
    assert.equal(n.capacityFloor, 6);
  });

  test('removing v1 after the cutover does not touch the endpoints', () => {
    const t = transitionOf(web, 'cutover', 'v1-removed');
    assert.deepEqual(
      t.workloads.map((w) => [w.name, w.change, w.phase]),
      [
        ['nginx-dm', 'delete', 'break'],
        ['nginx-v2', 'unchanged', 'none'],
      ],
    );
    assert.equal(t.services[0].minReadyEndpoints, 6);
    assert.equal(t.minAvailablePods, 6);
  });

  test('a configured capacity floor is a percentage of the baseline endpoints, rounded up', () => {
    const data = examplePlanData('fop-gate');
    data.checks = { capacityFloor: '75%' };
    const plan = parsePlan(data);
    assert.equal(transitionOf(plan, 'canary', 'canary-widened').services[0].capacityFloor, 8); // 75% of 10 = 7.5 → 8
  });

  test('a temporary doubling of capacity does not raise the floor', () => {
    const t = transitionOf(web, 'v2-scaled', 'cutover');
    assert.equal(t.services[0].capacityFloor, 6);
  });

  test('Recreate stops every old pod before starting new ones', () => {
    const workload = { ...exampleStack('fop-gate').plan.workloads[0], strategy: { type: 'Recreate' as const } };
    assert.deepEqual(podBounds(workload, 9, 9, true), { peakPods: 9, minAvailable: 0 });
  });

  test('a rolling update that also scales up resizes the old pods first, then surges at the new count (more than old plus new)', () => {
    const workload = {
      ...exampleStack('fop-gate').plan.workloads[0],
      strategy: { type: 'RollingUpdate' as const, maxSurge: '100%' as const, maxUnavailable: 0 },
    };
    assert.deepEqual(podBounds(workload, 1, 6, true), { peakPods: 12, minAvailable: 1 });
    assert.deepEqual(podBounds(workload, 6, 6, true), { peakPods: 12, minAvailable: 6 });
  });

  test('percent fenceposts are resolved on the new replica count', () => {
    const workload = {
      ...exampleStack('fop-gate').plan.workloads[0],
      strategy: { type: 'RollingUpdate' as const, maxSurge: '25%' as const, maxUnavailable: '25%' as const },
    };
    // 10 replicas: surge ceil(2.5)=3, unavailable floor(2.5)=2.
    assert.deepEqual(podBounds(workload, 10, 10, true), { peakPods: 13, minAvailable: 8 });
  });

  test('every example transition keeps its Services at or above the capacity floor', () => {
    for (const name of ['fop-gate', 'web-nginx', 'trade-aone']) {
      const plan = exampleStack(name).plan;
      for (const t of consecutiveTransitions(plan, allStageStates(plan))) {
        for (const s of t.services) {
          assert.ok(
            s.minReadyEndpoints >= s.capacityFloor,
            `${name} ${t.from.stage.name} → ${t.to.stage.name}: ${s.name} ${s.minReadyEndpoints} < ${s.capacityFloor}`,
          );
        }
      }
    }
  });
});

describe('guards on the public model functions', () => {
  const fop = exampleStack('fop-gate').plan;

  test('stageState of an index past the last stage is a StepwiseError naming the stages, not a TypeError', () => {
    for (const index of [4, -1, 1.5]) {
      assert.throws(
        () => stageState(fop, index),
        (error: unknown) =>
          error instanceof StepwiseError &&
          error.keyPath === 'stage' &&
          error.problem.includes(`no stage at index ${index}`) &&
          error.problem.includes('baseline, canary, canary-widened, stable') &&
          error.fix === 'use an index from 0 to 3, or look the stage up by name with findStage',
      );
    }
  });

  test('workloadTransition of a workload in neither stage is a StepwiseError at the workload, not a TypeError', () => {
    assert.throws(
      () => workloadTransition(fop.workloads[0], undefined, undefined),
      (error: unknown) =>
        error instanceof StepwiseError &&
        error.keyPath === 'workloads.fop-gate' &&
        /in neither of the two stages/.test(error.problem) &&
        error.fix !== undefined,
    );
  });

  test('serviceInStage over the running workloads counts a Service exactly as stageState does', () => {
    for (const name of ['fop-gate', 'web-nginx', 'trade-aone']) {
      const plan = exampleStack(name).plan;
      plan.stages.forEach((stage, i) => {
        const running = runningWorkloads(plan, i);
        for (const service of stageState(plan, i).services) {
          assert.deepEqual(
            serviceInStage(service.service, service.selector, running),
            service,
            `${name} ${stage.name} ${service.service.name}`,
          );
        }
      });
    }
  });
});
