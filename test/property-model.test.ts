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
  workloadTransition,
  type IntOrPercent,
  type Plan,
} from '../lib/model';
import { intOrPercentArbitrary, validPlanArbitrary } from './support/plan-generators';

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

  test("a Service's endpoints are exactly the workloads of the stage whose labels its selector matches", () => {
    check(
      fc.property(validPlanArbitrary(), (plan) => {
        for (const state of everyStage(plan)) {
          for (const service of state.services) {
            const expected = plan.workloads
              .filter(
                (w) => state.stage.workloads[w.name] !== undefined && selects(state.stage.serviceSelectors[service.service.name], w.labels),
              )
              .map((w) => w.name);
            assert.deepEqual(service.endpoints, expected);
            const replicas = expected.reduce((n, name) => n + state.stage.workloads[name].replicas, 0);
            assert.equal(service.readyEndpoints, replicas);
          }
        }
      }),
    );
  });

  test("a workload's traffic share is its replicas over the Service's ready endpoints", () => {
    check(
      fc.property(validPlanArbitrary(), (plan) => {
        for (const state of everyStage(plan)) {
          for (const service of state.services) {
            for (const [name, share] of Object.entries(service.traffic)) {
              assert.ok(Math.abs(share - state.stage.workloads[name].replicas / service.readyEndpoints) < 1e-12);
            }
          }
        }
      }),
    );
  });
});

describe('transitions over random valid plans', () => {
  test('per workload: minAvailable ≤ min(before, after), max(before, after) ≤ peakPods ≤ before + after', () => {
    check(
      fc.property(validPlanArbitrary(), (plan) => {
        const states = allStageStates(plan);
        // Every ordered pair of stages, not only consecutive ones: promote and rollback can jump.
        for (const from of states) {
          for (const to of states) {
            for (const w of plan.workloads) {
              const a = from.stage.workloads[w.name];
              const b = to.stage.workloads[w.name];
              if (!a && !b) continue;
              const t = workloadTransition(w, a, b);
              const before = a?.replicas ?? 0;
              const after = b?.replicas ?? 0;
              const where = `${w.name} ${from.stage.name} → ${to.stage.name} (${t.change})`;
              assert.ok(t.minAvailable >= 0 && t.minAvailable <= Math.min(before, after), `${where}: minAvailable ${t.minAvailable}`);
              assert.ok(t.peakPods >= Math.max(before, after), `${where}: peakPods ${t.peakPods}`);
              assert.ok(t.peakPods <= before + after, `${where}: peakPods ${t.peakPods}`);
            }
          }
        }
      }),
      100,
    );
  });

  test("a Service's fewest ready endpoints during a transition never exceed its endpoints after it, nor go below zero", () => {
    check(
      fc.property(validPlanArbitrary(), (plan) => {
        for (const t of consecutiveTransitions(plan, allStageStates(plan))) {
          const podsAfter = Object.values(t.to.stage.workloads).reduce((n, w) => n + w.replicas, 0);
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
      fc.property(intOrPercentArbitrary, fc.integer({ min: 0, max: 10_000 }), (value, replicas) => {
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
