/**
 * `stepwise diff` renders only the workloads and Services whose props differ between the two
 * stages (lib/constructs/stage-changes.ts). Held here to the diff of the two full renders: the
 * patches must be the same, and every object it does render must be byte-identical to the same
 * object in the full render. Over random plans (pod templates, names and routers at their limits,
 * sync waves, every pair of stages, two versions of a plan) and the example stacks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parsePlanWithProblems, type Plan } from '../lib/model';
import { manifestPatches, type ManifestSide } from '../lib/review/diff-manifests';
import type { Stack } from '../lib/stacks';
import { renderStackStage, renderStackStageChange } from '../lib/synth/render-stack';
import { boundaryPlanDataArbitrary } from './support/boundary-plan-generators';
import { EXAMPLE_STACKS, exampleStack } from './support/example-stacks';
import type { PlanData } from './support/plan-generators';

// Fixed seed: a failure is reproducible, and fast-check prints the seed and the shrunk counterexample.
const SEED = 20261201;

function stackOf(plan: Plan, stage: string, fromStage = stage): Stack {
  const index = (name: string) => plan.stages.findIndex((s) => s.name === name);
  return {
    name: 'random',
    file: 'stacks/Pulumi.random.yaml',
    plan,
    stage,
    stageIndex: index(stage),
    fromStage,
    fromStageIndex: index(fromStage),
  };
}

const side = (label: string, files: ManifestSide['files']): ManifestSide => ({ label, files });

/**
 * Asserts that diffing what `renderStackStageChange` renders gives the patches of the two full
 * renders, and that each file it renders is the full render's file of that name, byte for byte.
 */
function assertSameDiff(before: { stack: Stack; stage: string }, after: { stack: Stack; stage: string }): void {
  const full = { before: renderStackStage(before.stack, before.stage), after: renderStackStage(after.stack, after.stage) };
  const changed = renderStackStageChange(before, after);
  assert.deepEqual(
    manifestPatches(side('a', changed.before), side('b', changed.after)),
    manifestPatches(side('a', full.before.files), side('b', full.after.files)),
    `${before.stage} → ${after.stage}`,
  );
  for (const key of ['before', 'after'] as const) {
    const fullFiles = new Map(full[key].files.map((f) => [f.name, f.yaml]));
    for (const file of changed[key]) assert.equal(file.yaml, fullFiles.get(file.name), `${key}: ${file.name}`);
  }
}

/** Random valid plans: fields at their limits, a router or sync waves now and then. */
const plans = boundaryPlanDataArbitrary({ pastLimits: false })
  .map((data) => ({ data, parsed: parsePlanWithProblems(data) }))
  .filter(({ parsed }) => parsed.problems.length === 0);

/** Edits a pull request may make to a plan, each touching what some objects are made from. */
const EDITS: readonly (readonly [string, (data: PlanData) => void])[] = [
  ['sync waves turned on or off', (d) => (d.gitops?.syncWaves ? delete d.gitops : (d.gitops = { syncWaves: true }))],
  ['the first stage renamed (every change-cause naming it changes)', (d) => (d.stages[0].name = 'renamed')],
  ['another namespace', (d) => (d.namespace = 'elsewhere')],
  ['another common label', (d) => (d.labels = { ...d.labels, 'cost-centre': 'b' })],
  ['an env var on the first workload', (d) => (d.workloads[Object.keys(d.workloads)[0]].env = { FEATURE_X: 'on' })],
  ['another port on the first Service', (d) => (d.services[Object.keys(d.services)[0]].ports[0].port = 8081)],
  ['the last workload left out of the last stage', (d) => delete d.stages.at(-1).workloads[Object.keys(d.workloads).at(-1) as string]],
  [
    'another image for the first workload, in every stage',
    (d) => everyStageOf(d, (w) => (w.image = 'registry.example.com/team/other:9.9.9')),
  ],
  ['the first workload paused, in every stage', (d) => everyStageOf(d, (w) => (w.paused = !w.paused))],
  ['a workload added whose pods the first one selects too (its budget narrows)', (d) => addOverlapping(d)],
];

/** Adds a workload running beside the first, with its labels and one more: the first one's selector matches its pods. */
function addOverlapping(data: PlanData): void {
  const [name, first] = Object.entries(data.workloads as Record<string, PlanData>)[0];
  data.workloads['overlap'] = { ...structuredClone(first), labels: { ...first.labels, variant: 'overlap' } };
  delete data.workloads['overlap'].selector;
  for (const stage of data.stages) if (stage.workloads?.[name]) stage.workloads['overlap'] = { ...stage.workloads[name] };
}

/** Edits the first workload's values in every stage that runs it. */
function everyStageOf(data: PlanData, edit: (state: PlanData) => void): void {
  const name = Object.keys(data.workloads)[0];
  for (const stage of data.stages) if (stage.workloads?.[name]) edit(stage.workloads[name]);
}

describe('diff renders only what changes, and shows what the full renders show', () => {
  test('every pair of stages of a random plan, reached from any stage', () => {
    fc.assert(
      fc.property(
        plans.chain(({ parsed }) =>
          fc.record({
            plan: fc.constant(parsed.plan as Plan),
            from: fc.nat({ max: parsed.plan!.stages.length - 1 }),
            to: fc.nat({ max: parsed.plan!.stages.length - 1 }),
            reachedFrom: fc.nat({ max: parsed.plan!.stages.length - 1 }),
          }),
        ),
        ({ plan, from, to, reachedFrom }) => {
          const names = plan.stages.map((s) => s.name);
          // The stack is at `from`, reached from `reachedFrom` (its sync waves follow that move).
          const stack = stackOf(plan, names[from], names[reachedFrom]);
          assertSameDiff({ stack, stage: names[from] }, { stack, stage: names[to] });
        },
      ),
      { seed: SEED, numRuns: 25 },
    );
  });

  test('two versions of a random plan, one edit apart, each at its own stage (diff --base)', () => {
    fc.assert(
      fc.property(
        plans,
        fc.constantFrom(...EDITS),
        fc.nat(),
        fc.option(fc.nat(), { nil: undefined }),
        ({ data, parsed }, [, edit], at, moved) => {
          const next = structuredClone(data) as PlanData;
          edit(next);
          const edited = parsePlanWithProblems(next);
          fc.pre(edited.problems.length === 0);
          const old = parsed.plan as Plan;
          const neu = edited.plan as Plan;
          // A pull request usually edits the plan at the stage the stack is at; sometimes it moves on too.
          const before = stackOf(old, old.stages[at % old.stages.length].name);
          const after = stackOf(neu, neu.stages[(moved ?? at) % neu.stages.length].name);
          assertSameDiff({ stack: before, stage: before.stage }, { stack: after, stage: after.stage });
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  test('every pair of consecutive stages of the example stacks', () => {
    for (const name of EXAMPLE_STACKS) {
      const stack = exampleStack(name);
      const stages = stack.plan.stages.map((s) => s.name);
      for (let i = 0; i + 1 < stages.length; i++) {
        assertSameDiff({ stack, stage: stages[i] }, { stack, stage: stages[i + 1] });
        assertSameDiff({ stack, stage: stages[i + 1] }, { stack, stage: stages[i] });
      }
    }
  });

  test('a stage change renders the workloads it changes, not the others', () => {
    // fop-gate: baseline → canary changes the canary's image; the stable Deployment and the Service stay.
    const stack = exampleStack('fop-gate');
    const rendered = renderStackStageChange({ stack, stage: 'baseline' }, { stack, stage: 'canary' });
    const names = (files: ManifestSide['files']) => files.map((f) => f.name);
    assert.deepEqual(names(rendered.before), ['Deployment.fop-gate-canary.k8s.yaml', 'PodDisruptionBudget.fop-gate-canary.k8s.yaml']);
    assert.deepEqual(names(rendered.after), names(rendered.before));
    // A stage against itself renders nothing.
    const same = renderStackStageChange({ stack, stage: 'canary' }, { stack, stage: 'canary' });
    assert.deepEqual([...names(same.before), ...names(same.after)], []);
  });
});
