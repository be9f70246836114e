/**
 * Adopting what runs: the blog's selector cutover written exactly as the blog writes it
 * (test/fixtures/stacks/Pulumi.blog-nginx.yaml). nginx-dm selects `name: nginx` only, so its
 * selector also matches nginx-v2's pods (`name: nginx, version: v2`): a warning, not an error,
 * and every PodDisruptionBudget selects only its own workload's pods.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { renderStage } from '../lib/constructs';
import {
  allStageStates,
  consecutiveTransitions,
  parsePlan,
  stepwiseErrorsOf,
  workloadSelectorMatches,
  type KubeObject,
  type WorkloadSelector,
} from '../lib/model';
import { disruptionBudgetSelector, disruptionBudgetSelectors, selectorOverlaps } from '../lib/model/workload-overlap';
import { checkPlan } from '../lib/review/check';
import { parseStackYaml, stackFilePath } from '../lib/stacks';
import type { LiveCluster } from '../lib/status/live-cluster';
import { serviceTraffic } from '../lib/status/live-traffic';
import { assertExit, assertNoStackTrace, runCli } from './support/cli';
import { FIXTURE_STACKS_DIR, fixtureStack } from './support/example-stacks';
import { settledCluster } from './support/live-cluster';

const STACK = 'blog-nginx';

/** The fixture's plan section as plain data, a fresh copy each call. */
function blogPlanData(): Record<string, any> {
  const file = stackFilePath(FIXTURE_STACKS_DIR, STACK);
  const document = parseStackYaml(fs.readFileSync(file, 'utf8'), file) as { config: Record<string, any> };
  return structuredClone(document.config['stepwise:plan']);
}

type Rendered = KubeObject & { spec: any };

function objectsOf(stage: string, kind: string): Rendered[] {
  return (renderStage(fixtureStack(STACK).plan, stage) as Rendered[]).filter((o) => o.kind === kind);
}

/** A rendered `spec.selector` in the model's shape. */
function asSelector(selector: { matchLabels?: Record<string, string>; matchExpressions?: any[] }): WorkloadSelector {
  return {
    matchLabels: selector.matchLabels ?? {},
    matchExpressions: (selector.matchExpressions ?? []).map((e) => ({ key: e.key, operator: e.operator, values: e.values ?? [] })),
  };
}

describe('the blog nginx cutover as a plan', () => {
  const plan = fixtureStack(STACK).plan;

  test('parses, with nginx-dm selecting and labelling its pods name: nginx only', () => {
    const dm = plan.workloads.find((w) => w.name === 'nginx-dm');
    assert.deepEqual(dm?.labels, { name: 'nginx' });
    assert.deepEqual(dm?.selector, { matchLabels: { name: 'nginx' }, matchExpressions: [] });
  });

  test('check reports no error and one overlapping-selectors warning, on nginx-dm, naming nginx-v2 and the real risks', () => {
    const findings = checkPlan(plan);
    assert.deepEqual(
      findings.filter((f) => f.severity === 'error'),
      [],
    );
    const overlap = findings.filter((f) => f.rule === 'overlapping-selectors');
    assert.deepEqual(
      overlap.map((f) => [f.severity, f.object]),
      [['warning', 'Deployment/nginx-dm']],
    );
    assert.match(overlap[0].problem, /also matches the pods of workload 'nginx-v2' \(labels name=nginx,version=v2\)/);
    assert.match(overlap[0].problem, /PodDisruptionBudget/);
    assert.match(overlap[0].problem, /HorizontalPodAutoscaler/);
    assert.match(overlap[0].problem, /orphaned/);
  });

  for (const stage of plan.stages.map((s) => s.name)) {
    test(`${stage}: nginx-dm renders with exactly selector name: nginx and pod labels name: nginx`, () => {
      const dm = objectsOf(stage, 'Deployment').find((d) => d.metadata.name === 'nginx-dm');
      if (!plan.stages.find((s) => s.name === stage)?.workloads['nginx-dm']) return assert.equal(dm, undefined);
      assert.deepEqual(dm?.spec.selector, { matchLabels: { name: 'nginx' } });
      assert.deepEqual(dm?.spec.template.metadata.labels, { name: 'nginx' });
    });

    test(`${stage}: every pod is selected by exactly one PodDisruptionBudget, its own workload's`, () => {
      const budgets = objectsOf(stage, 'PodDisruptionBudget');
      const deployments = objectsOf(stage, 'Deployment');
      assert.equal(budgets.length, deployments.length);
      for (const d of deployments) {
        const podLabels = d.spec.template.metadata.labels as Record<string, string>;
        // Pods also carry pod-template-hash; it is on no budget's selector, so it changes nothing.
        const selecting = budgets.filter((b) =>
          workloadSelectorMatches(asSelector(b.spec.selector), { ...podLabels, 'pod-template-hash': 'x' }),
        );
        assert.deepEqual(
          selecting.map((b) => b.metadata.name),
          [d.metadata.name],
        );
      }
    });
  }

  test('nginx-dm budget excludes pods carrying a version label in every stage it runs in, so it never changes when nginx-v2 comes or goes', () => {
    for (const stage of ['v1-only', 'v2-canary', 'v2-scaled', 'cutover']) {
      const dm = objectsOf(stage, 'PodDisruptionBudget').find((b) => b.metadata.name === 'nginx-dm');
      assert.deepEqual(
        dm?.spec.selector,
        { matchLabels: { name: 'nginx' }, matchExpressions: [{ key: 'version', operator: 'DoesNotExist' }] },
        stage,
      );
    }
  });

  test('the Service selecting name: nginx counts both workloads’ pods, and no transition leaves it below its floor', () => {
    const transitions = consecutiveTransitions(plan, allStageStates(plan));
    const scaled = transitions.find((t) => t.to.stage.name === 'v2-scaled');
    assert.equal(scaled?.services[0].endpointsAfter, 12);
    for (const t of transitions) {
      for (const s of t.services) {
        assert.ok(
          s.minReadyEndpoints >= s.capacityFloor,
          `${t.from.stage.name} → ${t.to.stage.name}: ${s.name} falls to ${s.minReadyEndpoints}, floor ${s.capacityFloor}`,
        );
      }
    }
    assert.deepEqual(
      transitions.map((t) => [t.to.stage.name, t.services[0].minReadyEndpoints, t.services[0].capacityFloor]),
      [
        ['v2-canary', 6, 6],
        ['v2-scaled', 7, 6],
        ['cutover', 6, 6],
        ['v1-removed', 6, 6],
      ],
    );
  });
});

describe('workloads that no selector can tell apart', () => {
  test('identical pod labels are rejected when the stack file is loaded, at the later workload', () => {
    const data = blogPlanData();
    data.workloads['nginx-v2'].labels = { name: 'nginx' };
    let messages: string[] = [];
    try {
      parsePlan(data);
    } catch (error) {
      messages = stepwiseErrorsOf(error).map((e) => e.message);
    }
    assert.ok(
      messages.some((m) =>
        /^workloads\.nginx-v2\.labels: its pods carry the same labels as the pods of workload 'nginx-dm' \(name=nginx\).*\(fix: give 'nginx-v2' a label 'nginx-dm' does not have/.test(
          m,
        ),
      ),
      messages.join('\n'),
    );
  });

  test('check flags identical pod labels in a plan built in code as an error, once per pair', () => {
    const plan = fixtureStack(STACK).plan;
    const [dm, v2] = plan.workloads;
    const twin = { ...v2, labels: dm.labels, selector: dm.selector };
    const findings = checkPlan({ ...plan, workloads: [dm, twin] });
    assert.deepEqual(
      findings
        .filter((f) => f.rule === 'identical-pod-labels' || f.rule === 'overlapping-selectors')
        .map((f) => [f.severity, f.rule, f.object]),
      [['error', 'identical-pod-labels', 'Deployment/nginx-v2']],
    );
  });
});

describe('disruptionBudgetSelector', () => {
  const w = (name: string, labels: Record<string, string>, matchLabels = labels) => ({
    name,
    labels,
    selector: { matchLabels, matchExpressions: [] },
  });

  test('keeps the Deployment selector when it matches no other workload', () => {
    const a = w('a', { app: 'x', track: 'stable' });
    assert.deepEqual(disruptionBudgetSelector(a, [a, w('b', { app: 'x', track: 'canary' })]), a.selector);
  });

  test('requires its own value of the first label key that differs, when it carries that key', () => {
    const a = w('a', { app: 'x', tier: 'web' }, { app: 'x' });
    const b = w('b', { app: 'x', tier: 'api' });
    assert.deepEqual(disruptionBudgetSelector(a, [a, b]).matchExpressions, [{ key: 'tier', operator: 'In', values: ['web'] }]);
  });

  test('selects none of the pods of several narrower workloads, and still its own', () => {
    const a = w('a', { app: 'x' });
    const others = [w('b', { app: 'x', version: 'v2' }), w('c', { app: 'x', version: 'v3' }), w('d', { app: 'x', batch: '1' })];
    const selector = disruptionBudgetSelector(a, [a, ...others]);
    assert.ok(workloadSelectorMatches(selector, a.labels));
    for (const o of others) assert.ok(!workloadSelectorMatches(selector, o.labels), o.name);
  });

  test('disruptionBudgetSelectors lists only the workloads whose selector matches another workload’s pods', () => {
    const a = w('a', { app: 'x' });
    const b = w('b', { app: 'x', version: 'v2' });
    const c = w('c', { app: 'y' });
    assert.deepEqual(
      [...disruptionBudgetSelectors([a, b, c])],
      [['a', { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'version', operator: 'DoesNotExist', values: [] }] }]],
    );
  });

  test('selectorOverlaps lists each ordered pair once, marking identical pod labels', () => {
    const a = w('a', { app: 'x' });
    const b = w('b', { app: 'x', version: 'v2' });
    const c = w('c', { app: 'x' });
    assert.deepEqual(
      selectorOverlaps([a, b, c]).map((o) => [o.selecting.name, o.selected.name, o.identicalPodLabels]),
      [
        ['a', 'b', false],
        ['a', 'c', true],
        ['c', 'a', true],
        ['c', 'b', false],
      ],
    );
  });
});

describe('the CLI accepts the blog plan', () => {
  const stacks = ['--stacks', FIXTURE_STACKS_DIR];

  test('plan shows the Service counting both workloads before the cutover', async () => {
    const result = await runCli(['plan', STACK, ...stacks]);
    assertExit(result, 0);
    assert.match(result.stdout, /Service nginx-svc: name=nginx → nginx-dm, nginx-v2 \(12 ready\)/);
  });

  test('check exits 0 and prints the overlap as a warning', async () => {
    const result = await runCli(['check', STACK, ...stacks]);
    assertExit(result, 0);
    assert.match(result.stdout, /warnings \(\d+\):\n {2}plan: Deployment\/nginx-dm \[overlapping-selectors\]/);
    assert.match(result.stdout, /0 errors/);
  });

  test('diff of the cutover switches the selector without going below the floor', async () => {
    const result = await runCli(['diff', STACK, '--from', 'v2-scaled', '--to', 'cutover', ...stacks]);
    assertExit(result, 0);
    assert.match(result.stdout, /nginx-svc: at least 6 ready endpoints \(fewest during switch\), floor 6: ok/);
  });

  test('render of every stage writes nginx-dm with selector name: nginx', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-blog-'));
    try {
      const result = await runCli(['render', STACK, '--all-stages', '--out', out, ...stacks]);
      assertExit(result, 0);
      assertNoStackTrace(result.stderr);
      const file = path.join(out, STACK, 'v1-only', 'Deployment.nginx-dm.k8s.yaml');
      assert.deepEqual(parse(fs.readFileSync(file, 'utf8')).spec.selector, { matchLabels: { name: 'nginx' } });
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('stepwise status while the selectors overlap', () => {
  const stack = fixtureStack(STACK);
  const at = (stage: string, live: LiveCluster) =>
    serviceTraffic(
      stack.plan,
      stack.plan.traffic,
      stack.plan.stages.findIndex((s) => s.name === stage),
      live,
      undefined,
    )[0];

  test('counts each endpoint for the workload whose ReplicaSet owns its pod: 6 and 6 at v2-scaled', () => {
    const service = at('v2-scaled', settledCluster(stack, 'v2-scaled'));
    assert.deepEqual(
      service.workloads.map((w) => [w.workload, w.ready]),
      [
        ['nginx-dm', 6],
        ['nginx-v2', 6],
      ],
    );
  });

  test('an orphaned pod goes to the narrowest selector that matches it, not to nginx-dm’s broad one', () => {
    const settled = settledCluster(stack, 'v2-scaled');
    const live = { ...settled, pods: settled.pods.map((p) => ({ ...p, controller: undefined })) };
    assert.deepEqual(
      at('v2-scaled', live).workloads.map((w) => [w.workload, w.ready]),
      [
        ['nginx-dm', 6],
        ['nginx-v2', 6],
      ],
    );
  });
});
