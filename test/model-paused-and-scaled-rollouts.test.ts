/**
 * The Deployment controller's behaviour the capacity math follows beyond a plain rollout (issue
 * #15): a template changed while paused rolls out on resume, a Deployment created paused has no
 * pods, a rollout that also scales is a scale first and then a rollout at the new count, and
 * maxSurge may exceed 100%.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  allStageStates,
  parsePlan,
  podBounds,
  stageState,
  trafficByImage,
  trafficByWorkload,
  transition,
  type Plan,
  type Transition,
  type WorkloadTransition,
} from '../lib/model';
import { checkPlan } from '../lib/review/check';
import { SimulatedDeployment } from './support/deployment-controller';
import { examplePlanData, exampleStack } from './support/example-stacks';

const OLD = 'registry.example.com/dora/fop-gate:1.4.0';
const NEW = 'registry.example.com/dora/fop-gate:1.5.0';

function indexOf(plan: Plan, stage: string): number {
  return plan.stages.findIndex((s) => s.name === stage);
}

/** The move between two named stages, the `from` stage reached in plan order. */
function move(plan: Plan, from: string, to: string): Transition {
  return transition(plan, stageState(plan, indexOf(plan, from)), indexOf(plan, to));
}

function workloadIn(t: Transition, name: string): WorkloadTransition {
  return t.workloads.find((w) => w.name === name) as WorkloadTransition;
}

/**
 * fop-gate with 16 stable pods (and the 1-pod canary) whose image changes while paused and which is
 * resumed in the next stage; the floor is 16 of the 17 endpoints.
 */
function pausedUpdatePlan(strategy: Record<string, unknown>): Plan {
  const data = examplePlanData('fop-gate');
  data.workloads['fop-gate'].strategy = strategy;
  data.checks = { capacityFloor: 16 };
  const canary = { replicas: 1, image: OLD };
  data.stages = [
    { name: 'baseline', workloads: { 'fop-gate': { replicas: 16, image: OLD }, 'fop-gate-canary': canary } },
    { name: 'paused', workloads: { 'fop-gate': { replicas: 16, image: NEW, paused: true }, 'fop-gate-canary': canary } },
    { name: 'resumed', workloads: { 'fop-gate': { replicas: 16, image: NEW }, 'fop-gate-canary': canary } },
  ];
  return parsePlan(data);
}

describe('a template changed while paused', () => {
  test('is not rolled out while paused: the pods keep the old image', () => {
    const plan = pausedUpdatePlan({ type: 'Recreate' });
    const t = move(plan, 'baseline', 'paused');
    assert.deepEqual([workloadIn(t, 'fop-gate').rollsOut, t.services[0].minReadyEndpoints], [false, 17]);
    assert.deepEqual(trafficByImage(t.to), { [OLD]: 1 });
  });

  test('rolls out when the Deployment is resumed: with Recreate all 16 pods stop at once, and check flags it', () => {
    const plan = pausedUpdatePlan({ type: 'Recreate' });
    const t = move(plan, 'paused', 'resumed');
    const stable = workloadIn(t, 'fop-gate');
    assert.deepEqual([stable.change, stable.rollsOut, stable.phase, stable.minAvailable], ['update', true, 'make', 0]);
    assert.equal(t.services[0].minReadyEndpoints, 1);
    const found = checkPlan(plan).filter((f) => f.severity === 'error');
    assert.deepEqual(
      found.map((f) => [f.rule, f.stage]),
      [['capacity-below-floor', 'paused → resumed']],
    );
    assert.match(found[0].problem, /drops to 1 ready endpoint during the make phase/);
  });

  test('the resume is counted like the same change without the pause', () => {
    const plan = pausedUpdatePlan({ type: 'Recreate' });
    const direct = transition(plan, stageState(plan, 0), indexOf(plan, 'resumed'));
    const resumed = move(plan, 'paused', 'resumed');
    assert.deepEqual(
      [resumed.peakPods, resumed.minAvailablePods, resumed.services[0].minReadyEndpoints],
      [direct.peakPods, direct.minAvailablePods, direct.services[0].minReadyEndpoints],
    );
  });

  test('with maxSurge 25% the resume peaks at 16 + 4 surge pods + the canary: 21', () => {
    const plan = pausedUpdatePlan({ type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: 0 });
    const t = move(plan, 'paused', 'resumed');
    assert.equal(workloadIn(t, 'fop-gate').peakPods, 20);
    assert.equal(t.peakPods, 21);
    assert.equal(t.services[0].minReadyEndpoints, 17);
  });

  test('a rollback to the paused stage keeps the image the pods run: nothing rolls back until it is resumed', () => {
    const plan = pausedUpdatePlan({ type: 'Recreate' });
    const back = move(plan, 'resumed', 'paused');
    assert.equal(workloadIn(back, 'fop-gate').rollsOut, false);
    assert.equal(back.services[0].minReadyEndpoints, 17);
    assert.deepEqual(trafficByImage(back.to), { [NEW]: 16 / 17, [OLD]: 1 / 17 });
  });
});

/** web-nginx with nginx-v2 created paused in v2-canary and left paused until `resumedIn` (if any). */
function createdPausedPlan(resumedIn?: string): Plan {
  const data = examplePlanData('web-nginx');
  let paused = true;
  for (const stage of data.stages) {
    if (stage.name === resumedIn) paused = false;
    const v2 = stage.workloads['nginx-v2'];
    if (v2 && paused) v2.paused = true;
  }
  return parsePlan(data);
}

describe('a Deployment created paused', () => {
  test('has no pods: it is no endpoint, gets no traffic and adds nothing to the peak', () => {
    const plan = createdPausedPlan();
    const canary = stageState(plan, indexOf(plan, 'v2-canary'));
    assert.equal(canary.services[0].readyEndpoints, 6);
    assert.deepEqual(trafficByWorkload(canary), { 'nginx-dm': 1, 'nginx-v2': 0 });
    assert.equal(move(plan, 'v1-only', 'v2-canary').peakPods, 6);
  });

  test('scaling it while paused does nothing, and check refuses the cutover to it', () => {
    const plan = createdPausedPlan();
    const scaled = move(plan, 'v2-canary', 'v2-scaled');
    assert.deepEqual([workloadIn(scaled, 'nginx-v2').podsAfter, scaled.peakPods], [0, 6]);
    const found = checkPlan(plan).filter((f) => f.severity === 'error');
    const cutover = found.find((f) => f.rule === 'cutover-below-floor');
    assert.equal(cutover?.stage, 'v2-scaled → cutover');
    assert.match(cutover?.problem ?? '', /from 6 to 0 ready endpoints \(nginx-v2: 0, created paused\)/);
    assert.match(cutover?.fix ?? '', /^scale v2 first: resume nginx-v2 \(paused: false; .*\) and scale nginx-v2 to at least 6 replicas/);
    const empty = found.find((f) => f.rule === 'service-without-endpoints');
    assert.equal(empty?.stage, 'cutover');
    assert.match(empty?.problem ?? '', /nginx-v2 was created paused and not resumed since/);
    assert.match(empty?.fix ?? '', /^resume nginx-v2 \(paused: false\)/);
  });

  test('resuming it starts all its pods at once, like creating it', () => {
    const plan = createdPausedPlan('cutover');
    const resumed = workloadIn(move(plan, 'v2-scaled', 'cutover'), 'nginx-v2');
    assert.deepEqual([resumed.rollsOut, resumed.podsBefore, resumed.podsAfter, resumed.peakPods, resumed.minAvailable], [true, 0, 6, 6, 0]);
  });
});

describe('a rollout that also scales', () => {
  const strategy = (maxSurge: number | `${number}%`) => ({
    ...exampleStack('fop-gate').plan.workloads[0],
    strategy: { type: 'RollingUpdate' as const, maxSurge, maxUnavailable: 0 },
  });

  test('scaling up and changing the image first scales the old pods, then surges at the new count: 2 → 15 with maxSurge 5 peaks at 20', () => {
    assert.deepEqual(podBounds(strategy(5), 2, 15, true), { peakPods: 20, minAvailable: 2 });
    // The new ReplicaSet never exceeds the new count: a surge of 100% from 1 to 6 peaks at 6 + 6.
    assert.deepEqual(podBounds(strategy('100%'), 1, 6, true), { peakPods: 12, minAvailable: 1 });
  });

  test('the same numbers come out of a plan: fop-gate 2 → 15 with a new image', () => {
    const data = examplePlanData('fop-gate');
    data.workloads['fop-gate'].strategy = { type: 'RollingUpdate', maxSurge: 5, maxUnavailable: 0 };
    data.stages = [
      { name: 'small', workloads: { 'fop-gate': { replicas: 2, image: OLD }, 'fop-gate-canary': { replicas: 1, image: OLD } } },
      { name: 'big', workloads: { 'fop-gate': { replicas: 15, image: NEW }, 'fop-gate-canary': { replicas: 1, image: OLD } } },
    ];
    const t = move(parsePlan(data), 'small', 'big');
    assert.deepEqual([workloadIn(t, 'fop-gate').peakPods, t.peakPods], [20, 21]);
  });

  test('a scale-down with a new image is a break change that scales down first, then rolls out at the new count', () => {
    const t = workloadIn(move(exampleStack('fop-gate').plan, 'stable', 'canary-widened'), 'fop-gate');
    assert.deepEqual([t.change, t.rollsOut, t.phase, t.peakPods, t.minAvailable], ['scale-down', true, 'break', 9, 7]);
    // 3 → 2 with maxSurge 5: 2 old pods, then at most 2 new ones beside them.
    assert.deepEqual(podBounds(strategy(5), 3, 2, true), { peakPods: 4, minAvailable: 2 });
  });

  test('rolling fop-gate back from stable to canary-widened keeps 10 ready endpoints: the canary grows before stable shrinks', () => {
    const t = move(exampleStack('fop-gate').plan, 'stable', 'canary-widened');
    assert.deepEqual(
      t.workloads.map((w) => [w.name, w.phase]),
      [
        ['fop-gate', 'break'],
        ['fop-gate-canary', 'make'],
      ],
    );
    assert.deepEqual([t.services[0].minReadyEndpoints, t.services[0].capacityFloor, t.peakPods], [10, 10, 12]);
  });

  test('a maxSurge above 100% is valid and surges the whole new count at once', () => {
    const data = examplePlanData('fop-gate');
    data.workloads['fop-gate'].strategy = { type: 'RollingUpdate', maxSurge: '150%', maxUnavailable: 0 };
    const plan = parsePlan(data);
    assert.deepEqual(plan.workloads[0].strategy, { type: 'RollingUpdate', maxSurge: '150%', maxUnavailable: 0 });
    assert.deepEqual(podBounds(plan.workloads[0], 6, 6, true), { peakPods: 12, minAvailable: 6 });
  });
});

describe('revision history', () => {
  test('a paused Deployment without pods scales the newest ReplicaSet the history limit left, as the controller does', () => {
    // revisionHistoryLimit 1: reusing 1.4.0 gives its ReplicaSet the latest revision, so going to
    // 2.0.0 deletes the one of 1.5.0 (the lowest revision), not the older-created one of 1.4.0.
    const data = examplePlanData('fop-gate');
    data.workloads['fop-gate'].revisionHistoryLimit = 1;
    const canary = { replicas: 1, image: OLD };
    const images = [OLD, NEW, OLD, 'registry.example.com/dora/fop-gate:2.0.0'];
    data.stages = [
      ...images.map((image, i) => ({
        name: `s${i}`,
        workloads: { 'fop-gate': { replicas: i === 3 ? 0 : 1, image }, 'fop-gate-canary': canary },
      })),
      { name: 'paused', workloads: { 'fop-gate': { replicas: 3, image: NEW, paused: true }, 'fop-gate-canary': canary } },
    ];
    const plan = parsePlan(data);
    const paused = allStageStates(plan)[4].workloads[0].pods;
    assert.deepEqual([paused.count, paused.image], [3, images[3]]);
    // The simulated controller agrees.
    const sim = new SimulatedDeployment(plan.workloads[0].strategy, 1);
    const outcomes = plan.stages.map((s) => sim.apply(s.workloads['fop-gate']));
    assert.deepEqual([outcomes[4].pods, outcomes[4].image], [3, images[3]]);
  });
});
