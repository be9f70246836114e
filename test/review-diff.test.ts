import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StepwiseError, parsePlan, type Plan } from '../lib/model';
import {
  formatReview,
  formatSelector,
  formatShare,
  reviewJson,
  serviceLine,
  workloadLine,
  type StageReview,
} from '../lib/review/diff-format';
import { manifestPatches } from '../lib/review/diff-manifests';
import { planChanges } from '../lib/review/diff-plan-changes';
import { stageDiff, type StageDiff } from '../lib/review/diff-stages';
import { exampleStack, examplePlanData } from './support/example-stacks';

const fopGate = exampleStack('fop-gate').plan;
const webNginx = exampleStack('web-nginx').plan;

function diffOf(plan: Plan, from: string, to: string): StageDiff {
  return stageDiff({ plan, stage: from }, { plan, stage: to });
}

function workload(diff: StageDiff, name: string) {
  const found = diff.workloads.find((w) => w.name === name);
  assert.ok(found, `no workload ${name} in the diff`);
  return found;
}

describe('semantic stage diff', () => {
  test('widening the fop-gate canary shows its replicas 1 → 3 and traffic 10% → 30%', () => {
    const diff = diffOf(fopGate, 'canary', 'canary-widened');
    const canary = workload(diff, 'fop-gate-canary');
    assert.deepEqual(canary.replicas, { from: 1, to: 3 });
    // 1 of 10 ready pods before; 3 of 7 + 3 after.
    assert.deepEqual(canary.traffic, { from: 1 / 10, to: 3 / 10 });
    assert.equal(workloadLine(canary), 'fop-gate-canary: replicas 1 → 3; traffic 10% → 30%');
    assert.equal(workloadLine(workload(diff, 'fop-gate')), 'fop-gate: replicas 9 → 7; traffic 90% → 70%');
  });

  test('the canary stage shows the image change of the canary and leaves stable unchanged', () => {
    const diff = diffOf(fopGate, 'baseline', 'canary');
    assert.equal(
      workloadLine(workload(diff, 'fop-gate-canary')),
      'fop-gate-canary: image registry.example.com/dora/fop-gate:1.4.0 → registry.example.com/dora/fop-gate:1.5.0; traffic 10%',
    );
    assert.equal(workload(diff, 'fop-gate-canary').rollsOut, true);
    assert.match(workloadLine(workload(diff, 'fop-gate')), /^fop-gate: unchanged \(9 replicas of .*:1\.4\.0, traffic 90%\)$/);
  });

  test('the web-nginx cutover shows the selector change and the endpoints moving to v2 only', () => {
    const diff = diffOf(webNginx, 'v2-scaled', 'cutover');
    const service = diff.services[0];
    assert.equal(service.selectorChanges, true);
    assert.equal(
      serviceLine(service),
      'nginx-svc: selector {name: nginx} → {name: nginx, version: v2}; ready endpoints 12 (nginx-dm, nginx-v2) → 6 (nginx-v2)',
    );
    assert.deepEqual(workload(diff, 'nginx-dm').traffic, { from: 0.5, to: 0 });
  });

  test('a workload that appears is created and one that disappears is deleted', () => {
    assert.equal(
      workloadLine(workload(diffOf(webNginx, 'v1-only', 'v2-canary'), 'nginx-v2')),
      'nginx-v2: created with 1 replica of nginx:1.18.0; traffic 14.3%',
    );
    const removed = workload(diffOf(webNginx, 'cutover', 'v1-removed'), 'nginx-dm');
    assert.equal(removed.change, 'delete');
    assert.deepEqual(removed.replicas, { from: 6, to: undefined });
    assert.match(workloadLine(removed), /^nginx-dm: deleted \(it had 6 replicas of nginx:1\.16\.1/);
  });

  test('the transition reports peak pods and the fewest ready endpoints against the floor', () => {
    // fop-gate rolls 7 → 9 pods onto 1.5.0 (maxSurge 1, maxUnavailable 0) in the make phase, at most
    // 9 + 1 pods, while the canary keeps its 3 until the break phase: 13 pods at most. Ready
    // endpoints: 7 + 3 during make (old pods stay until new ones are ready), 9 + 1 after.
    const diff = diffOf(fopGate, 'canary-widened', 'stable');
    assert.equal(diff.pods.before, 10);
    assert.equal(diff.pods.after, 10);
    assert.equal(diff.pods.peak, 13);
    assert.deepEqual(diff.services[0].capacity, { minReadyEndpoints: 10, during: 'make', floor: 10 });
  });

  test('a stage that scales stable down too far is shown below the floor', () => {
    const data = examplePlanData('fop-gate');
    data.stages[2].workloads['fop-gate'].replicas = 4;
    const plan = parsePlan(data);
    const diff = diffOf(plan, 'canary', 'canary-widened');
    assert.equal(diff.services[0].capacity?.minReadyEndpoints, 7);
    assert.match(formatReview(review(diff), 'text'), /at least 7 ready endpoints .*floor 10: BELOW THE FLOOR by 3/);
  });

  test('a stage that only moves traffic weights is a change, not "no change"', () => {
    const checkout = exampleStack('checkout-gateway').plan;
    const diff = diffOf(checkout, 'canary', 'canary-25');
    assert.equal(diff.unchanged, false);
    assert.deepEqual(workload(diff, 'checkout-canary').traffic, { from: 0.05, to: 0.25 });
    assert.match(formatReview(review(diff), 'text'), /^ {2}checkout-canary: traffic 5% → 25%$/m);
  });

  test('an unknown stage is a StepwiseError listing the stages, not an internal error', () => {
    assert.throws(
      () => diffOf(fopGate, 'canery', 'stable'),
      (error: unknown) =>
        error instanceof StepwiseError &&
        /unknown stage 'canery'/.test(error.message) &&
        /baseline, canary, canary-widened, stable/.test(error.message),
    );
  });

  test('a stage compared with itself is no change', () => {
    const diff = diffOf(webNginx, 'cutover', 'cutover');
    assert.equal(diff.unchanged, true);
    assert.match(formatReview(review(diff), 'text'), /no change/);
  });

  test('two versions of a plan: a workload only the old plan has is deleted', () => {
    const oldData = examplePlanData('web-nginx');
    oldData.workloads['nginx-v0'] = { labels: { name: 'nginx', version: 'v0' } };
    oldData.stages[2].workloads['nginx-v0'] = { replicas: 1, image: 'nginx:1.14.2' };
    const diff = stageDiff(
      { plan: parsePlan(oldData), stage: 'v2-scaled', source: 'HEAD' },
      { plan: webNginx, stage: 'v2-scaled', source: 'working tree' },
    );
    assert.equal(workload(diff, 'nginx-v0').change, 'delete');
    assert.equal(workload(diff, 'nginx-v2').change, 'unchanged');
    assert.equal(
      serviceLine(diff.services[0]),
      'nginx-svc: selector {name: nginx}; ready endpoints 13 (nginx-dm, nginx-v2, nginx-v0) → 12 (nginx-dm, nginx-v2)',
    );
  });

  test('shares and selectors are printed the way reviewers read them', () => {
    assert.equal(formatShare(1 / 7), '14.3%');
    assert.equal(formatShare(1), '100%');
    // The plan table keeps one decimal so its column lines up; diff and the SVG drop a 0 decimal.
    assert.equal(formatShare(0.1, { fixedDecimal: true }), '10.0%');
    assert.equal(formatShare(1 / 7, { fixedDecimal: true }), '14.3%');
    assert.equal(formatShare(0.1), '10%');
    assert.equal(formatSelector({ version: 'v2', name: 'nginx' }), '{name: nginx, version: v2}');
  });
});

describe('plan changes between two versions of a stack file', () => {
  test('a Service type change is a replacement', () => {
    const data = examplePlanData('web-nginx');
    data.services['nginx-svc'].type = 'LoadBalancer';
    const changes = planChanges(webNginx, parsePlan(data));
    assert.equal(changes.length, 1);
    assert.equal(changes[0].effect, 'replace');
    assert.equal(changes[0].object, 'Service/nginx-svc');
    assert.equal(changes[0].what, 'type NodePort → LoadBalancer');
  });

  test('an env change rolls out every pod, and a minReadySeconds change is updated in place', () => {
    const data = examplePlanData('fop-gate');
    data.workloads['fop-gate'].env = { JAVA_OPTS: '-XX:MaxRAMPercentage=50' };
    data.workloads['fop-gate-canary'].minReadySeconds = 60;
    const changes = planChanges(fopGate, parsePlan(data));
    assert.deepEqual(
      changes.map((c) => [c.effect, c.object, c.what]),
      [
        ['roll-out', 'Deployment/fop-gate', 'pod template: env'],
        ['update', 'Deployment/fop-gate-canary', 'minReadySeconds'],
      ],
    );
  });

  test('a namespace change replaces every object and is listed first', () => {
    const data = examplePlanData('fop-gate');
    data.namespace = 'dora-next';
    data.workloads['fop-gate'].minReadySeconds = 60;
    const changes = planChanges(fopGate, parsePlan(data));
    assert.equal(changes[0].effect, 'replace');
    assert.equal(changes[0].what, 'namespace dora-apps → dora-next');
  });

  test('a changed canary label that changes the derived selector is a replacement, as check says, not a roll-out', () => {
    const data = examplePlanData('fop-gate');
    data.workloads['fop-gate-canary'].labels = { app: 'fop-gate', track: 'preview' };
    const changes = planChanges(fopGate, parsePlan(data));
    assert.deepEqual(
      changes.map((c) => [c.effect, c.object, c.what]),
      [
        [
          'replace',
          'Deployment/fop-gate-canary',
          'selector app=fop-gate,track=canary → app=fop-gate,track=preview (with pod template: labels)',
        ],
      ],
    );
    assert.match(changes[0].consequence, /deleted with all its pods and created again/);
  });

  test('a label change the selector does not use still rolls out every pod', () => {
    const data = examplePlanData('fop-gate');
    data.labels.team = 'dora-platform';
    const changes = planChanges(fopGate, parsePlan(data));
    assert.deepEqual(
      changes.map((c) => [c.effect, c.object, c.what]),
      [
        ['roll-out', 'Deployment/fop-gate', 'pod template: labels'],
        ['roll-out', 'Deployment/fop-gate-canary', 'pod template: labels'],
      ],
    );
  });

  test('the same plan has no plan changes', () => {
    assert.deepEqual(planChanges(fopGate, exampleStack('fop-gate').plan), []);
  });
});

describe('manifest patches', () => {
  const side = (label: string, files: Record<string, string>) => ({
    label,
    files: Object.entries(files).map(([name, yaml]) => ({ name, yaml })),
  });

  test('files are sorted by name, unchanged ones left out, added and deleted ones diffed against /dev/null', () => {
    const patches = manifestPatches(
      side('a1', { 'Service.s.k8s.yaml': 'x: 1\n', 'Deployment.b.k8s.yaml': 'replicas: 1\n', 'Deployment.gone.k8s.yaml': 'y: 1\n' }),
      side('b1', { 'Service.s.k8s.yaml': 'x: 1\n', 'Deployment.b.k8s.yaml': 'replicas: 3\n', 'Deployment.a.k8s.yaml': 'z: 1\n' }),
    );
    assert.deepEqual(
      patches.map((p) => [p.name, p.status]),
      [
        ['Deployment.a.k8s.yaml', 'added'],
        ['Deployment.b.k8s.yaml', 'changed'],
        ['Deployment.gone.k8s.yaml', 'deleted'],
      ],
    );
    assert.equal(
      patches[1].patch,
      '--- a/a1/Deployment.b.k8s.yaml\n+++ b/b1/Deployment.b.k8s.yaml\n@@ -1,1 +1,1 @@\n-replicas: 1\n+replicas: 3\n',
    );
    assert.match(patches[0].patch, /^--- \/dev\/null\n\+\+\+ b\/b1\/Deployment\.a\.k8s\.yaml\n/);
    assert.match(patches[2].patch, /^--- a\/a1\/Deployment\.gone\.k8s\.yaml\n\+\+\+ \/dev\/null\n/);
  });
});

describe('counts in the review read in the singular for one', () => {
  /** fop-gate shrunk to 1 stable pod and a canary of 0, then 1: one ready endpoint at the fewest, one pod after. */
  const tiny = (() => {
    const data = examplePlanData('fop-gate');
    data.stages = data.stages.slice(0, 2);
    data.stages[0].workloads = { 'fop-gate': { ...data.stages[0].workloads['fop-gate'], replicas: 1 } };
    data.stages[1].workloads['fop-gate'].replicas = 1;
    return parsePlan(data);
  })();

  test('the capacity line says "1 ready endpoint"', () => {
    const text = formatReview(review(diffOf(tiny, 'baseline', 'canary')), 'text');
    assert.match(text, /^ {2}fop-gate: at least 1 ready endpoint \(fewest during make\), floor 1: ok$/m);
  });
});

describe('review formats', () => {
  test('markdown has a heading, a workload table and the manifest diff in a diff fence', () => {
    const diff = diffOf(fopGate, 'canary', 'canary-widened');
    const patches = manifestPatches(
      { label: 'a', files: [{ name: 'D.k8s.yaml', yaml: 'replicas: 1\n' }] },
      { label: 'b', files: [{ name: 'D.k8s.yaml', yaml: 'replicas: 3\n' }] },
    );
    const markdown = formatReview({ ...review(diff), patches }, 'markdown');
    assert.match(markdown, /^### `fop-gate`: `canary` → `canary-widened`\n/);
    assert.match(markdown, /\| `fop-gate-canary` \| scale-up \| 1 → 3 \| `registry\.example\.com\/dora\/fop-gate:1\.5\.0` \| 10% → 30% \|/);
    assert.match(
      markdown,
      /```diff\n--- a\/a\/D\.k8s\.yaml\n\+\+\+ b\/b\/D\.k8s\.yaml\n@@ -1,1 \+1,1 @@\n-replicas: 1\n\+replicas: 3\n```/,
    );
  });

  test('json carries the summary as data and the patch as text, with missing sides as null', () => {
    const diff = diffOf(webNginx, 'v1-only', 'v2-canary');
    const json = JSON.parse(formatReview({ ...review(diff), patches: [] }, 'json'));
    const v2 = json.workloads.find((w: any) => w.name === 'nginx-v2');
    assert.deepEqual(v2.replicas, { from: null, to: 1 });
    assert.equal(v2.change, 'create');
    assert.equal(json.patch, '');
    assert.deepEqual(json.from, { stage: 'v1-only', source: null });
    assert.deepEqual(reviewJson(review(diff)).files, null);
  });
});

function review(diff: StageDiff): StageReview {
  return { stack: 'fop-gate', diff, planChanges: [], findings: [] };
}
