/**
 * Property tests of `stepwise check`: stage sequences made unsafe on purpose, appended to random
 * valid plans, are always flagged; sequences built to keep capacity never get a capacity error.
 * The unsafe stages are added to the parsed Plan object directly (not through parsePlan, whose
 * kind rules would reject, e.g., a selector change in a canary plan: check does not depend on them).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { capacityFloor, labelsMatch, type Plan, type Stage, type WorkloadInStage } from '../lib/model';
import { checkPlan } from '../lib/review/check';
import { validPlanArbitrary } from './support/plan-generators';

const RUNS = 300;
const CAPACITY_RULES = ['capacity-below-floor', 'cutover-below-floor', 'stage-below-floor'];

/** A plan, a Service of it and that Service's capacity floor (at least 1, so capacity can be lost). */
const planWithServiceArbitrary = validPlanArbitrary()
  .chain((plan) => fc.record({ plan: fc.constant(plan), service: fc.integer({ min: 0, max: plan.services.length - 1 }) }))
  .map(({ plan, service }) => ({ plan, service, floor: capacityFloor(plan, service) }))
  .filter(({ floor }) => floor >= 1);

function withStages(plan: Plan, ...stages: Stage[]): Plan {
  return { ...plan, stages: [...plan.stages, ...stages] };
}

function stage(name: string, from: Stage, workloads: Record<string, WorkloadInStage>, serviceSelectors = from.serviceSelectors): Stage {
  return { name, workloads, serviceSelectors };
}

/** The workloads of the plan the Service's base selector selects (one app's tracks). */
function tracksOf(plan: Plan, service: number) {
  return plan.workloads.filter((w) => labelsMatch(plan.services[service].selector, w.labels));
}

describe('check flags unsafe stage sequences appended to random valid plans', () => {
  test('a cutover to a workload with fewer ready replicas than the floor', () => {
    fc.assert(
      fc.property(
        planWithServiceArbitrary.chain((p) =>
          fc.record({
            p: fc.constant(p),
            track: fc.integer({ min: 0, max: tracksOf(p.plan, p.service).length - 1 }),
            replicas: fc.integer({ min: 0, max: p.floor - 1 }),
          }),
        ),
        ({ p: { plan, service, floor }, track, replicas }) => {
          const name = plan.services[service].name;
          const target = tracksOf(plan, service)[track];
          const last = plan.stages[plan.stages.length - 1];
          const workloads = { ...last.workloads, [target.name]: { replicas, image: 'registry.example.com/team/app:9.9.9', paused: false } };
          // Before: the Service selects the whole app, the target has `replicas` pods. After: only the target.
          const before = stage('before-cutover', last, workloads, { ...last.serviceSelectors, [name]: plan.services[service].selector });
          const after = stage('cutover', last, workloads, { ...last.serviceSelectors, [name]: target.labels });
          const found = checkPlan(withStages(plan, before, after)).filter(
            (f) => f.rule === 'cutover-below-floor' && f.stage === 'before-cutover → cutover' && f.object === `Service/${name}`,
          );
          assert.equal(found.length, 1, `floor ${floor}, ${target.name} at ${replicas}`);
          assert.equal(found[0].severity, 'error');
          assert.match(found[0].fix, /^(scale v2 first|select labels)/);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('a Service left with no endpoints', () => {
    fc.assert(
      fc.property(planWithServiceArbitrary, fc.boolean(), ({ plan, service }, remove) => {
        const last = plan.stages[plan.stages.length - 1];
        const selected = new Set(tracksOf(plan, service).map((w) => w.name));
        const workloads: Record<string, WorkloadInStage> = {};
        for (const [name, state] of Object.entries(last.workloads)) {
          if (!selected.has(name)) workloads[name] = state;
          else if (!remove) workloads[name] = { ...state, replicas: 0 };
        }
        const empty = stage('emptied', last, workloads, {
          ...last.serviceSelectors,
          [plan.services[service].name]: plan.services[service].selector,
        });
        const found = checkPlan(withStages(plan, empty)).filter(
          (f) => f.rule === 'service-without-endpoints' && f.stage === 'emptied' && f.object === `Service/${plan.services[service].name}`,
        );
        assert.equal(found.length, 1);
      }),
      { numRuns: RUNS },
    );
  });

  test('a scale-down below the floor', () => {
    fc.assert(
      fc.property(
        planWithServiceArbitrary.chain((p) => fc.record({ p: fc.constant(p), keep: fc.integer({ min: 0, max: p.floor - 1 }) })),
        ({ p: { plan, service, floor }, keep }) => {
          const last = plan.stages[plan.stages.length - 1];
          const base = plan.services[service];
          const serviceSelectors = { ...last.serviceSelectors, [base.name]: base.selector };
          // First the whole app at full strength (above the floor), then all but `keep` pods scaled away.
          const full: Record<string, WorkloadInStage> = { ...last.workloads };
          const reduced: Record<string, WorkloadInStage> = { ...last.workloads };
          tracksOf(plan, service).forEach((w, i) => {
            const state = { replicas: floor, image: 'registry.example.com/team/app:1.0.0', paused: false };
            full[w.name] = state;
            reduced[w.name] = { ...state, replicas: i === 0 ? keep : 0 };
          });
          const found = checkPlan(
            withStages(plan, stage('full', last, full, serviceSelectors), stage('reduced', last, reduced, serviceSelectors)),
          ).filter((f) => f.rule === 'capacity-below-floor' && f.stage === 'full → reduced' && f.object === `Service/${base.name}`);
          assert.equal(found.length, 1, `floor ${floor}, keeping ${keep}`);
          assert.match(found[0].problem, new RegExp(`drops to ${keep} ready endpoints? during the break phase`));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('check gives no capacity error to sequences that keep capacity', () => {
  test('stages that never go below the first stage replicas and keep its selectors', () => {
    const stateArbitrary = fc.record({
      extra: fc.integer({ min: 0, max: 4 }),
      image: fc.constantFrom('1.0.0', '1.1.0', '2.0.0').map((tag) => `registry.example.com/team/app:${tag}`),
      paused: fc.boolean(),
    });
    fc.assert(
      fc.property(
        validPlanArbitrary().chain((plan) =>
          fc.record({
            plan: fc.constant(plan),
            stages: fc.array(
              fc.record({
                kept: fc.tuple(...plan.workloads.map(() => stateArbitrary)),
                // Workloads absent from the first stage may come and go freely.
                others: fc.tuple(...plan.workloads.map(() => fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }))),
              }),
              { minLength: 1, maxLength: 5 },
            ),
          }),
        ),
        ({ plan, stages }) => {
          const first = plan.stages[0];
          const generated = stages.map(({ kept, others }, s): Stage => {
            const workloads: Record<string, WorkloadInStage> = {};
            plan.workloads.forEach((w, i) => {
              const baseline = first.workloads[w.name];
              if (baseline)
                workloads[w.name] = { replicas: baseline.replicas + kept[i].extra, image: kept[i].image, paused: kept[i].paused };
              else if (others[i] !== undefined) workloads[w.name] = { replicas: others[i] as number, image: kept[i].image, paused: false };
            });
            return stage(`safe-${s}`, first, workloads);
          });
          const safe: Plan = { ...plan, stages: [first, ...generated] };
          const capacityErrors = checkPlan(safe).filter((f) => CAPACITY_RULES.includes(f.rule));
          assert.deepEqual(capacityErrors, []);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
