import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { renderStage } from '../lib/constructs/release-chart';
import {
  allStageStates,
  consecutiveTransitions,
  resolveRollingUpdate,
  scaledValue,
  stageState,
  transition,
  type IntOrPercent,
  type Plan,
  type Workload,
} from '../lib/model';
import { SimulatedDeployment, type SimOutcome } from './support/deployment-controller';
import { intOrPercentArbitrary, maxSurgeArbitrary, validPlanArbitrary } from './support/plan-generators';

// Fixed seed: a failure is reproducible, and fast-check prints the seed and the shrunk counterexample.
const SEED = 20240601;
const check = (property: fc.IProperty<any>, numRuns = 200) => fc.assert(property, { seed: SEED, numRuns });

/**
 * Kubernetes' rule, restated from `intstr.GetScaledValueFromIntOrPercent` and
 * `deploymentutil.ResolveFenceposts` rather than taken from lib/model: a percent is
 * ceil(p × replicas / 100) for maxSurge and floor(…) for maxUnavailable, in whole numbers; when both
 * come to zero, one pod may be unavailable.
 */
function kubernetesFenceposts(maxSurge: IntOrPercent, maxUnavailable: IntOrPercent, replicas: number) {
  const scale = (v: IntOrPercent, up: boolean) => {
    if (typeof v === 'number') return v;
    const product = Number(v.replace('%', '')) * replicas;
    return up ? Math.floor((product + 99) / 100) : Math.floor(product / 100);
  };
  const surge = scale(maxSurge, true);
  const unavailable = scale(maxUnavailable, false);
  return surge === 0 && unavailable === 0 ? { surge: 0, unavailable: 1 } : { surge, unavailable };
}

/** Service selector semantics restated: every selector pair present with the same value; an empty selector matches nothing. */
function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const pairs = Object.entries(selector);
  return pairs.length > 0 && pairs.every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v);
}

const everyStage = (plan: Plan) => plan.stages.map((_, i) => stageState(plan, i));

/**
 * One workload of `plan` walked through its stages in order by the simulated controller: per
 * stage, the simulation settled there (to try moves from it) and what reaching it did.
 */
function simulateInPlanOrder(plan: Plan, workload: Workload): { settled: SimulatedDeployment[]; reached: SimOutcome[] } {
  const sim = new SimulatedDeployment(workload.strategy, workload.revisionHistoryLimit);
  const settled: SimulatedDeployment[] = [];
  const reached: SimOutcome[] = [];
  for (const stage of plan.stages) {
    reached.push(sim.apply(stage.workloads[workload.name]));
    settled.push(sim.clone());
  }
  return { settled, reached };
}

/** Per stage, each workload's pods as the simulated controller leaves them (stages applied in order). */
function simulatedPods(plan: Plan): Map<string, number>[] {
  const pods = plan.stages.map(() => new Map<string, number>());
  for (const w of plan.workloads) simulateInPlanOrder(plan, w).reached.forEach((r, i) => pods[i].set(w.name, r.pods));
  return pods;
}

describe('traffic and endpoints over random valid plans', () => {
  test('the traffic shares of a Service sum to 1 when it has ready endpoints, and are empty otherwise', () => {
    check(
      fc.property(validPlanArbitrary(), (plan) => {
        for (const state of everyStage(plan)) {
          for (const service of state.services) {
            const shares = Object.values(service.traffic);
            if (service.readyEndpoints > 0) {
              assert.ok(
                Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9,
                `${service.service.name} in ${state.stage.name}: ${shares}`,
              );
              assert.ok(shares.every((s) => s >= 0 && s <= 1));
            } else {
              assert.deepEqual(service.traffic, {});
            }
          }
        }
      }),
    );
  });

  test("a Service's endpoints are exactly the workloads of the stage whose labels its selector matches, its ready endpoints their pods", () => {
    check(
      fc.property(validPlanArbitrary(), (plan) => {
        const pods = simulatedPods(plan);
        for (const state of everyStage(plan)) {
          for (const service of state.services) {
            const expected = plan.workloads
              .filter(
                (w) => state.stage.workloads[w.name] !== undefined && selects(state.stage.serviceSelectors[service.service.name], w.labels),
              )
              .map((w) => w.name);
            assert.deepEqual(service.endpoints, expected);
            // A Deployment created paused and not resumed since has replicas but no pods.
            const ready = expected.reduce((n, name) => n + (pods[state.index].get(name) ?? 0), 0);
            assert.equal(service.readyEndpoints, ready);
          }
        }
      }),
    );
  });

  test("a workload's traffic share is its pods over the Service's ready endpoints", () => {
    check(
      fc.property(validPlanArbitrary(), (plan) => {
        const pods = simulatedPods(plan);
        for (const state of everyStage(plan)) {
          for (const service of state.services) {
            for (const [name, share] of Object.entries(service.traffic)) {
              assert.ok(Math.abs(share - (pods[state.index].get(name) ?? 0) / service.readyEndpoints) < 1e-12);
            }
          }
        }
      }),
    );
  });
});

describe('transitions over random valid plans', () => {
  test('every stage runs the pods the simulated Deployment controller leaves when the stages are applied in order', () => {
    check(
      fc.property(validPlanArbitrary(), (plan) => {
        const states = allStageStates(plan);
        for (const w of plan.workloads) {
          const { reached } = simulateInPlanOrder(plan, w);
          states.forEach((state, i) => {
            const running = state.workloads.find((r) => r.workload.name === w.name);
            const where = `${w.name} in ${state.stage.name}`;
            assert.equal(running?.pods.count ?? 0, reached[i].pods, `${where}: pods`);
            if (reached[i].pods > 0) assert.equal(running?.pods.image, reached[i].image, `${where}: image`);
          });
        }
      }),
    );
  });

  test('per workload and every ordered pair of stages: peak pods, fewest available and pods after match the simulated controller', () => {
    check(
      fc.property(validPlanArbitrary(), (plan) => {
        const states = allStageStates(plan);
        for (const w of plan.workloads) {
          const { settled } = simulateInPlanOrder(plan, w);
          // Every ordered pair of stages, not only consecutive ones: promote and rollback can jump.
          states.forEach((from, a) => {
            states.forEach((_, b) => {
              if (a === b || (!from.stage.workloads[w.name] && !plan.stages[b].workloads[w.name])) return;
              const t = transition(plan, from, b).workloads.find((x) => x.name === w.name);
              const expected = settled[a].clone().apply(plan.stages[b].workloads[w.name]);
              const where = `${w.name} ${from.stage.name} → ${plan.stages[b].name} (${t?.change}, ${JSON.stringify(w.strategy)})`;
              assert.deepEqual(
                { peakPods: t?.peakPods, minAvailable: t?.minAvailable, podsAfter: t?.podsAfter },
                { peakPods: expected.peakPods, minAvailable: expected.minAvailable, podsAfter: expected.pods },
                where,
              );
            });
          });
        }
      }),
      100,
    );
  });

  test("a Service's fewest ready endpoints during a transition never exceed its endpoints after it, nor go below zero", () => {
    check(
      fc.property(validPlanArbitrary(), (plan) => {
        const pods = simulatedPods(plan);
        for (const t of consecutiveTransitions(plan, allStageStates(plan))) {
          const podsAfter = [...pods[t.to.index].values()].reduce((n, count) => n + count, 0);
          assert.ok(t.minAvailablePods >= 0 && t.minAvailablePods <= podsAfter, `${t.minAvailablePods} of ${podsAfter}`);
          assert.ok(t.peakPods >= podsAfter);
          for (const s of t.services) {
            assert.ok(
              s.minReadyEndpoints >= 0 && s.minReadyEndpoints <= s.endpointsAfter,
              `${s.name}: ${s.minReadyEndpoints} > ${s.endpointsAfter}`,
            );
          }
        }
      }),
    );
  });
});

describe('maxSurge / maxUnavailable against the Kubernetes rule', () => {
  test('percent maxSurge rounds up and percent maxUnavailable rounds down, as Kubernetes does', () => {
    check(
      fc.property(fc.oneof(intOrPercentArbitrary, maxSurgeArbitrary), fc.integer({ min: 0, max: 10_000 }), (value, replicas) => {
        const expectedUp = kubernetesFenceposts(value, 1, replicas).surge;
        assert.equal(scaledValue(value, replicas, true), expectedUp);
        const down = typeof value === 'number' ? value : Math.floor((Number(value.slice(0, -1)) * replicas) / 100);
        assert.equal(scaledValue(value, replicas, false), down);
      }),
      2000,
    );
  });

  test('resolveRollingUpdate matches ResolveFenceposts, including both-zero → one unavailable', () => {
    check(
      fc.property(intOrPercentArbitrary, intOrPercentArbitrary, fc.integer({ min: 0, max: 10_000 }), (surge, unavailable, replicas) => {
        assert.deepEqual(resolveRollingUpdate(surge, unavailable, replicas), kubernetesFenceposts(surge, unavailable, replicas));
      }),
      2000,
    );
  });

  test('any percent below 100 of one replica surges one pod and makes none unavailable', () => {
    check(
      fc.property(fc.integer({ min: 1, max: 99 }), (percent) => {
        assert.deepEqual(resolveRollingUpdate(`${percent}%` as IntOrPercent, `${percent}%` as IntOrPercent, 1), {
          surge: 1,
          unavailable: 0,
        });
      }),
      99,
    );
  });
});

describe('rendered stages of random valid plans', () => {
  test("a rendered stage's Deployments carry exactly the plan's workloads, replicas, images and paused flags", () => {
    check(
      fc.property(validPlanArbitrary({ maxApps: 2, maxWorkloadsPerApp: 3, maxStages: 3 }), fc.nat(), (plan, pick) => {
        const stage = plan.stages[pick % plan.stages.length];
        const deployments = renderStage(plan, stage.name).filter((o) => o.kind === 'Deployment') as any[];
        const rendered = Object.fromEntries(
          deployments.map((d) => [
            d.metadata.name,
            { replicas: d.spec.replicas, image: d.spec.template.spec.containers[0].image, paused: d.spec.paused === true },
          ]),
        );
        assert.deepEqual(rendered, { ...stage.workloads });
      }),
      60,
    );
  });
});
